# Vitis HLS for the program_reader primitive: vitis_hls -f run_hls.tcl (from this folder).
set top program_reader_dut
source [file join [file dirname [info script]] .. run_primitive.tcl]
