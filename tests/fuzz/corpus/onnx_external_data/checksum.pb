Bwj
locationw.binj
offset0j
length24j4
checksum(da39a3ee5e6b4b0d3255bfef95601890afd80709p