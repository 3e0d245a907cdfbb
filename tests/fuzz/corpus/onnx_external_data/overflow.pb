Bwj
locationw.binj
offset9223372036854775807j
length4p