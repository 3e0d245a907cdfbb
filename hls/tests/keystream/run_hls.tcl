# Vitis HLS for the keystream region: vitis_hls -f run_hls.tcl (from this folder).
set top keystream_dut
source [file join [file dirname [info script]] .. run_primitive.tcl]
