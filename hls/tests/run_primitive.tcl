# Shared by hls/tests/*/run_hls.tcl: C simulation, synthesis at 300 MHz and
# C/RTL co-simulation of one primitive's dut.cpp with its tb.cpp, as an IP
# (Vivado flow), so the report shows the primitive's II and resources alone.
# The caller sets `top` and runs from its own folder:
#   cd hls/tests/ctr && vitis_hls -f run_hls.tcl
# Set PART to your card's device; the default is the U55C's.
set root [file normalize [file join [file dirname [info script]] .. ..]]
set here [pwd]
set part [expr {[info exists ::env(PART)] ? $::env(PART) : "xcu55c-fsvh2892-2L-e"}]
set cflags "-std=c++14 -I$root/hls/kernel -I$root/hls/include -I$root/hls/tests -DMODELOCK_BATCH=8"

open_project -reset ${top}_prj
set_top $top
add_files $here/dut.cpp -cflags $cflags
add_files -tb $here/tb.cpp -cflags $cflags

open_solution -reset "solution1" -flow_target vivado
set_part $part
create_clock -period 300MHz -name default

csim_design
csynth_design
cosim_design -trace_level none
exit
