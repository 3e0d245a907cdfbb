# Vitis HLS for the gmac_stream primitive: vitis_hls -f run_hls.tcl (from this folder).
set top gmac_stream_dut
source [file join [file dirname [info script]] .. run_primitive.tcl]
