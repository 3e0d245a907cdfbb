# The Vitis HLS flow shared by bitstreams/run_hls.tcl (the kernel) and
# hls/tests/run_primitive.tcl (one primitive): which steps run, the part, the
# clock and its uncertainty.
#
# It follows the run_hls.tcl files of Vitis_Libraries (security/L1/tests,
# e.g. gmac/aes128 and ctr/aes128enc, read through the search tool): step
# switches CSIM, CSYNTH, COSIM, VIVADO_SYN and VIVADO_IMPL, the two last
# ones running Vivado synthesis and place and route on the exported RTL with
# `export_design -flow syn|impl -rtl verilog`, which is where timing at
# 300 MHz is known rather than estimated; a clock period CLKP of 3.33 ns; and
# an explicit set_clock_uncertainty (security/L1 sets 1.05 ns, 31.5 %).
#
# Every option is read, in this order, from a Tcl variable of the same name
# set before this file is sourced (vitis_hls -eval 'set VIVADO_IMPL 1;
# source run_hls.tcl'), from the environment (VIVADO_IMPL=1 vitis_hls -f
# run_hls.tcl), or from the default:
#   CSIM CSYNTH COSIM      1 1 1   C simulation, synthesis, C/RTL co-simulation
#   VIVADO_SYN VIVADO_IMPL 0 0     Vivado synthesis / implementation (long)
#   PART                   xcu55c-fsvh2892-2L-e (the U55C)
#   CLKP                   3.33    clock period in ns (300 MHz)
#   CLOCK_UNCERTAINTY      27%     Vitis HLS's own default for Vitis kernels,
#                                  set explicitly so the primitive projects
#                                  (Vivado IP flow, default 12.5 %) schedule
#                                  against the same margin as the kernel
# A bad value stops the script with a message naming the option.
#
# Plain Tcl but for the last two procs: hls_flow_test.tcl checks the option
# handling with tclsh (ctest hls_flow_options), without Vitis.

proc modelock_flow_option {name default} {
  if {[info exists ::$name]} { return [set ::$name] }
  if {[info exists ::env($name)]} { return $::env($name) }
  return $default
}

proc modelock_flow_switch {name default} {
  set value [modelock_flow_option $name $default]
  if {$value ne "0" && $value ne "1"} {
    error "hls flow option $name: expected 0 or 1, got '$value'"
  }
  return $value
}

set CSIM [modelock_flow_switch CSIM 1]
set CSYNTH [modelock_flow_switch CSYNTH 1]
set COSIM [modelock_flow_switch COSIM 1]
set VIVADO_SYN [modelock_flow_switch VIVADO_SYN 0]
set VIVADO_IMPL [modelock_flow_switch VIVADO_IMPL 0]
set PART [modelock_flow_option PART xcu55c-fsvh2892-2L-e]
set CLKP [modelock_flow_option CLKP 3.33]
set CLOCK_UNCERTAINTY [modelock_flow_option CLOCK_UNCERTAINTY 27%]

if {![string is double -strict $CLKP] || $CLKP <= 0} {
  error "hls flow option CLKP: expected a clock period in ns greater than 0 (3.33 is 300 MHz), got '$CLKP'"
}
if {![regexp {^([0-9]+(\.[0-9]*)?)(%?)$} $CLOCK_UNCERTAINTY -> amount _ percent] ||
    ($percent eq "%" && ($amount <= 0 || $amount >= 100)) ||
    ($percent eq "" && ($amount <= 0 || $amount >= $CLKP))} {
  error "hls flow option CLOCK_UNCERTAINTY: expected a percentage of the period (27%) or ns below CLKP, got '$CLOCK_UNCERTAINTY'"
}
if {$PART eq ""} {
  error "hls flow option PART: expected a device name such as xcu55c-fsvh2892-2L-e, got an empty string"
}
# open_solution -reset starts every run from nothing, so every step after C
# simulation needs this run's synthesis.
foreach step {COSIM VIVADO_SYN VIVADO_IMPL} {
  if {[set $step] && !$CSYNTH} {
    error "hls flow option $step=1 needs CSYNTH=1: each run resets the solution, so there is no earlier synthesis to use"
  }
}

# The steps, in the order they run; for logs and for the option test.
proc modelock_flow_steps {} {
  set steps {}
  foreach {switch step} {CSIM csim CSYNTH csynth COSIM cosim VIVADO_SYN vivado_syn VIVADO_IMPL vivado_impl} {
    if {[set ::$switch]} { lappend steps $step }
  }
  return $steps
}

# Part, clock and uncertainty, after the caller opened its solution.
proc modelock_configure_solution {} {
  set_part $::PART
  create_clock -period $::CLKP -name default
  set_clock_uncertainty $::CLOCK_UNCERTAINTY
}

# The steps, after the caller's own config_* commands.
proc modelock_run_steps {} {
  puts "modelock hls flow: part $::PART, period $::CLKP ns, uncertainty $::CLOCK_UNCERTAINTY, steps [modelock_flow_steps]"
  if {$::CSIM} { csim_design }
  if {$::CSYNTH} { csynth_design }
  if {$::COSIM} { cosim_design -trace_level none }
  if {$::VIVADO_SYN} { export_design -flow syn -rtl verilog }
  if {$::VIVADO_IMPL} { export_design -flow impl -rtl verilog }
}
