# Vitis HLS for the unlock primitive: vitis_hls -f run_hls.tcl (from this folder).
set top unlock_dut
source [file join [file dirname [info script]] .. run_primitive.tcl]
