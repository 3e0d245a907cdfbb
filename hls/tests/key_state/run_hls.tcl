# Vitis HLS for the key_state primitive: vitis_hls -f run_hls.tcl (from this folder).
set top key_state_dut
source [file join [file dirname [info script]] .. run_primitive.tcl]
