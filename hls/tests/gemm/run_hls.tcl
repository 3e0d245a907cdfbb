# Vitis HLS for the gemm primitive: vitis_hls -f run_hls.tcl (from this folder).
set top gemm_dut
source [file join [file dirname [info script]] .. run_primitive.tcl]
