# Reads kernel.xml for package_kernel.tcl: the register map the packaged IP
# declares comes from the kernel description, so the offsets are written
# once in bitstreams/ (and checked there against the host's register map by
# ctest rtl_kernel_xml). Plain Tcl, so kernel_xml_test.tcl runs it with
# tclsh (ctest rtl_kernel_xml_tcl), without Vivado.

# The attributes of one XML element's text (<tag a="1" b="2"/>) as a dict.
proc modelock_xml_attributes {element} {
  set attributes [dict create]
  foreach {_ name value} [regexp -all -inline {([A-Za-z_][A-Za-z0-9_]*)="([^"]*)"} $element] {
    dict set attributes $name $value
  }
  return $attributes
}

# Every <tag .../> element of `xml`, each as a dict of its attributes.
proc modelock_xml_elements {xml tag} {
  set elements {}
  foreach element [regexp -all -inline "<${tag}\\s\[^>\]*/>" $xml] {
    lappend elements [modelock_xml_attributes $element]
  }
  return $elements
}

# The kernel's arguments in id order, each a dict with name, port, offset
# and size (numbers as Tcl integers). A missing attribute, a duplicate or
# missing id, or an offset that is not a number stops with a message naming
# kernel.xml and the argument.
proc modelock_kernel_args {xml} {
  set args [modelock_xml_elements $xml arg]
  if {[llength $args] == 0} { error "kernel.xml: no <arg> element" }
  set by_id [dict create]
  foreach arg $args {
    foreach key {name id port offset size} {
      if {![dict exists $arg $key]} {
        error "kernel.xml: <arg> [dict get [dict merge {name ?} $arg] name]: attribute '$key' missing"
      }
    }
    set name [dict get $arg name]
    foreach key {id offset size} {
      if {![string is wideinteger -strict [dict get $arg $key]]} {
        error "kernel.xml: argument '$name': $key '[dict get $arg $key]' is not a number"
      }
      dict set arg $key [expr {[dict get $arg $key] + 0}]
    }
    set id [dict get $arg id]
    if {[dict exists $by_id $id]} { error "kernel.xml: argument '$name': id $id used twice" }
    dict set by_id $id $arg
  }
  set ordered {}
  for {set id 0} {$id < [dict size $by_id]} {incr id} {
    if {![dict exists $by_id $id]} { error "kernel.xml: no argument with id $id" }
    lappend ordered [dict get $by_id $id]
  }
  return $ordered
}

# The range in bytes of the control slave port (s_axi_control).
proc modelock_control_range {xml} {
  foreach port [modelock_xml_elements $xml port] {
    if {[dict get $port name] eq "s_axi_control"} { return [expr {[dict get $port range] + 0}] }
  }
  error "kernel.xml: no <port name=\"s_axi_control\">"
}
