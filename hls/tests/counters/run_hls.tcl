# Vitis HLS for the counters primitive: vitis_hls -f run_hls.tcl (from this folder).
set top counters_dut
source [file join [file dirname [info script]] .. run_primitive.tcl]
