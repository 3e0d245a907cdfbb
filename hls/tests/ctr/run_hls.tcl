# Vitis HLS for the ctr primitive: vitis_hls -f run_hls.tcl (from this folder).
set top ctr_dut
source [file join [file dirname [info script]] .. run_primitive.tcl]
