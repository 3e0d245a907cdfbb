# Checks the option handling of hls_flow.tcl with plain tclsh (no Vitis):
# defaults, environment, Tcl variables over the environment, and a clear
# error for each bad value. Run by ctest as hls_flow_options:
#   tclsh bitstreams/hls_flow_test.tcl
set flow [file join [file dirname [file normalize [info script]]] hls_flow.tcl]
set failures 0
set options {CSIM CSYNTH COSIM VIVADO_SYN VIVADO_IMPL PART CLKP CLOCK_UNCERTAINTY}

# Sources hls_flow.tcl in a fresh interpreter with `environment` (option
# value pairs) in the environment and `variables` set as Tcl globals first.
# Returns {ok <steps> <part> <clkp> <uncertainty>} or {error <message>}.
proc load_flow {environment variables} {
  global flow options
  foreach name $options { unset -nocomplain ::env($name) }
  foreach {name value} $environment { set ::env($name) $value }
  set child [interp create]
  foreach {name value} $variables { $child eval [list set ::$name $value] }
  if {[catch {$child eval [list source $flow]} message]} {
    set result [list error $message]
  } else {
    set result [list ok [$child eval modelock_flow_steps] [$child eval {set ::PART}] [$child eval {set ::CLKP}] \
                    [$child eval {set ::CLOCK_UNCERTAINTY}]]
  }
  interp delete $child
  foreach name $options { unset -nocomplain ::env($name) }
  return $result
}

proc expect_ok {what environment variables want} {
  global failures
  set got [load_flow $environment $variables]
  if {$got ne [concat ok $want]} {
    puts "FAIL: $what: got {$got}, want {ok $want}"
    incr failures
  }
}

proc expect_error {what environment variables needle} {
  global failures
  set got [load_flow $environment $variables]
  if {[lindex $got 0] ne "error" || [string first $needle [lindex $got 1]] < 0} {
    puts "FAIL: $what: got {$got}, want an error containing '$needle'"
    incr failures
  }
}

set defaults {xcu55c-fsvh2892-2L-e 3.33 27%}
expect_ok "defaults" {} {} [concat [list {csim csynth cosim}] $defaults]
expect_ok "Vivado implementation from the environment" {VIVADO_IMPL 1} {} \
    [concat [list {csim csynth cosim vivado_impl}] $defaults]
expect_ok "a Tcl variable overrides the environment" {CSIM 1 COSIM 1} {CSIM 0 COSIM 0 VIVADO_SYN 1} \
    [concat [list {csynth vivado_syn}] $defaults]
expect_ok "part, period and uncertainty in ns" {PART xcu250-figd2104-2L-e CLKP 4 CLOCK_UNCERTAINTY 1.05} {} \
    {{csim csynth cosim} xcu250-figd2104-2L-e 4 1.05}
expect_ok "C simulation alone" {CSYNTH 0 COSIM 0} {} [concat [list csim] $defaults]

expect_error "a switch that is not 0 or 1" {CSIM yes} {} "CSIM: expected 0 or 1, got 'yes'"
expect_error "an empty switch" {} {VIVADO_IMPL {}} "VIVADO_IMPL: expected 0 or 1, got ''"
expect_error "a period in MHz" {CLKP 300MHz} {} "CLKP: expected a clock period in ns"
expect_error "a zero period" {CLKP 0} {} "CLKP: expected a clock period in ns"
expect_error "an uncertainty of 100 % or more" {CLOCK_UNCERTAINTY 100%} {} "CLOCK_UNCERTAINTY: expected"
expect_error "an uncertainty in ns not below the period" {CLOCK_UNCERTAINTY 3.5} {} "CLOCK_UNCERTAINTY: expected"
expect_error "an uncertainty that is not a number" {CLOCK_UNCERTAINTY high} {} "CLOCK_UNCERTAINTY: expected"
expect_error "an empty part" {PART {}} {} "PART: expected a device name"
expect_error "co-simulation without synthesis" {CSYNTH 0} {} "COSIM=1 needs CSYNTH=1"
expect_error "Vivado implementation without synthesis" {CSYNTH 0 COSIM 0 VIVADO_IMPL 1} {} "VIVADO_IMPL=1 needs CSYNTH=1"

puts [expr {$failures == 0 ? "PASS: hls flow options" : "FAIL: hls flow options, $failures failures"}]
exit [expr {$failures == 0 ? 0 : 1}]
