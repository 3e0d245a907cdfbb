# Vitis HLS flow for lock_engine: C simulation, synthesis at 300 MHz and
# C/RTL co-simulation, with the self-checking testbench in hls/testbench.
#   vitis_hls -f run_hls.tcl          (from bitstreams/)
# Set PART to your card's device; the default is the U55C's.
set top [file normalize ..]
set part [expr {[info exists ::env(PART)] ? $::env(PART) : "xcu55c-fsvh2892-2L-e"}]
set cflags "-std=c++14 -I$top/hls/kernel -I$top/hls/include -DMODELOCK_BATCH=8"

open_project -reset lock_engine_hls
set_top lock_engine
add_files $top/hls/kernel/lock_engine.cpp -cflags $cflags
add_files -tb $top/hls/testbench/lock_engine_tb.cpp -cflags $cflags

open_solution -reset "solution1" -flow_target vitis
set_part $part
create_clock -period 300MHz -name default
config_interface -m_axi_alignment_byte_size 64 -m_axi_max_widen_bitwidth 512

csim_design
csynth_design
cosim_design -trace_level none
exit
