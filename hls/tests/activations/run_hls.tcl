# Vitis HLS for the activations primitive: vitis_hls -f run_hls.tcl (from this folder).
set top activations_dut
source [file join [file dirname [info script]] .. run_primitive.tcl]
