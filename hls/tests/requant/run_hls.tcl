# Vitis HLS for the requant primitive: vitis_hls -f run_hls.tcl (from this folder).
set top requant_dut
source [file join [file dirname [info script]] .. run_primitive.tcl]
