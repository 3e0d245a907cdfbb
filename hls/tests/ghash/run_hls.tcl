# Vitis HLS for the ghash primitive: vitis_hls -f run_hls.tcl (from this folder).
set top ghash_dut
source [file join [file dirname [info script]] .. run_primitive.tcl]
