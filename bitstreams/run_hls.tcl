# Vitis HLS flow for lock_engine with the self-checking testbench in
# hls/testbench: C simulation, synthesis, C/RTL co-simulation and, on
# request, Vivado synthesis and implementation (hls_flow.tcl has the
# options: CSIM CSYNTH COSIM VIVADO_SYN VIVADO_IMPL PART CLKP
# CLOCK_UNCERTAINTY, from Tcl variables or the environment).
#   vitis_hls -f run_hls.tcl                     (from bitstreams/)
#   VIVADO_IMPL=1 vitis_hls -f run_hls.tcl       (and place and route)
set top [file normalize [file join [file dirname [info script]] ..]]
source [file join $top bitstreams hls_flow.tcl]
set cflags "-std=c++14 -I$top/hls/kernel -I$top/hls/include -DMODELOCK_BATCH=8"

open_project -reset lock_engine_hls
set_top lock_engine
add_files $top/hls/kernel/lock_engine.cpp -cflags $cflags
add_files -tb $top/hls/testbench/lock_engine_tb.cpp -cflags $cflags

open_solution -reset "solution1" -flow_target vitis
modelock_configure_solution
config_interface -m_axi_alignment_byte_size 64 -m_axi_max_widen_bitwidth 512
modelock_run_steps
exit
