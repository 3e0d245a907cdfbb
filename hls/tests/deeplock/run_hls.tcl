# Vitis HLS for the deeplock primitive: vitis_hls -f run_hls.tcl (from this folder).
set top deeplock_dut
source [file join [file dirname [info script]] .. run_primitive.tcl]
