# ctest rtl_kernel_xml_tcl: kernel_xml.tcl, the reader package_kernel.tcl
# builds the IP's register map with, run with tclsh on kernel.xml and on
# broken descriptions. (What kernel.xml says is checked against the host's
# register map by ctest rtl_kernel_xml.)
#   tclsh kernel_xml_test.tcl
set here [file dirname [file normalize [info script]]]
source [file join $here kernel_xml.tcl]
set failures 0

proc expect {what got want} {
  if {$got ne $want} {
    puts "FAIL $what: got '$got', expected '$want'"
    incr ::failures
  }
}

proc expect_error {what xml pattern} {
  if {![catch {modelock_kernel_args $xml} message]} {
    puts "FAIL $what: no error"
    incr ::failures
  } elseif {![string match $pattern $message]} {
    puts "FAIL $what: error '$message', expected '$pattern'"
    incr ::failures
  }
}

set channel [open [file join $here kernel.xml] r]
set xml [read $channel]
close $channel

# What package_kernel.tcl declares: 24 registers in id order, the last one
# ending inside the control range.
set args [modelock_kernel_args $xml]
expect "argument count" [llength $args] 24
expect "first argument" [list [dict get [lindex $args 0] name] [dict get [lindex $args 0] port] \
  [dict get [lindex $args 0] offset] [dict get [lindex $args 0] size]] {blob m_axi_gmem_blob 16 8}
expect "last argument" [list [dict get [lindex $args end] name] [dict get [lindex $args end] offset]] {device_id_hi 240}
expect "control range" [modelock_control_range $xml] 256
set previous_end 16
foreach arg $args {
  if {[dict get $arg offset] < $previous_end} {
    puts "FAIL [dict get $arg name]: offset [dict get $arg offset] overlaps the argument before it"
    incr failures
  }
  set previous_end [expr {[dict get $arg offset] + [dict get $arg size]}]
}
if {$previous_end > [modelock_control_range $xml]} {
  puts "FAIL the register map ends at $previous_end, past the control range"
  incr failures
}

# Arguments in another order in the file still come back in id order.
set swapped {<arg name="b" id="1" port="p" offset="0x18" size="0x4"/><arg name="a" id="0" port="p" offset="0x10" size="0x4"/>}
expect "id order" [lmap a [modelock_kernel_args $swapped] {dict get $a name}] {a b}

# Broken descriptions stop with the file and the argument named.
expect_error "no arguments" {<ports/>} "kernel.xml: no <arg> element"
expect_error "missing offset" {<arg name="x" id="0" port="p" size="0x4"/>} "kernel.xml: <arg> x: attribute 'offset' missing"
expect_error "bad offset" {<arg name="x" id="0" port="p" offset="ten" size="0x4"/>} \
  "kernel.xml: argument 'x': offset 'ten' is not a number"
expect_error "duplicate id" \
  {<arg name="x" id="0" port="p" offset="0x10" size="0x4"/><arg name="y" id="0" port="p" offset="0x18" size="0x4"/>} \
  "kernel.xml: argument 'y': id 0 used twice"
expect_error "gap in the ids" {<arg name="x" id="1" port="p" offset="0x10" size="0x4"/>} "kernel.xml: no argument with id 0"
if {[catch {modelock_control_range {<port name="m_axi_x" range="0x10"/>}} message] == 0 ||
    ![string match "kernel.xml: no <port name=\"s_axi_control\">" $message]} {
  puts "FAIL no control port: '$message'"
  incr failures
}

if {$failures} {
  puts "kernel_xml_test: $failures failed"
  exit 1
}
puts "kernel_xml_test: all checks passed"
