# Shared by hls/tests/*/run_hls.tcl: one primitive's dut.cpp with its tb.cpp
# as an IP (Vivado flow), so the reports show the primitive's II, timing and
# resources alone. Steps, part and clock come from bitstreams/hls_flow.tcl
# (C simulation, synthesis and co-simulation by default; VIVADO_SYN=1 or
# VIVADO_IMPL=1 for Vivado's figures). The caller sets `top` and runs from
# its own folder:
#   cd hls/tests/ctr && vitis_hls -f run_hls.tcl
#   cd hls/tests/ghash && VIVADO_IMPL=1 vitis_hls -f run_hls.tcl
set root [file normalize [file join [file dirname [info script]] .. ..]]
source [file join $root bitstreams hls_flow.tcl]
set here [pwd]
set cflags "-std=c++14 -I$root/hls/kernel -I$root/hls/include -I$root/hls/tests -DMODELOCK_BATCH=8"

open_project -reset ${top}_prj
set_top $top
add_files $here/dut.cpp -cflags $cflags
add_files -tb $here/tb.cpp -cflags $cflags

open_solution -reset "solution1" -flow_target vivado
modelock_configure_solution
modelock_run_steps
exit
