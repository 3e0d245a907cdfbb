# Packages the RTL engine (rtl/, top rtl/engine/lock_engine.sv) as the Vitis
# RTL kernel lock_engine: a Vivado IP with the kernel's interfaces, then an
# .xo with package_xo, in the manner of the RTL kernel examples of
# Vitis_Accel_Examples (their package_kernel.tcl and kernel.xml, read through
# the search tool). bitstreams/Makefile runs it for `make xclbin KERNEL=rtl`:
#
#   vivado -mode batch -source rtl/package_kernel.tcl -tclargs XO PART WORK
#
# XO is the .xo to write, PART the FPGA part of the card (packaging does not
# depend on it; v++ --link synthesizes for the platform's part), WORK a
# folder for the packaging project and the IP (made anew).
#
# The register map the IP declares is read from kernel.xml (kernel_xml.tcl),
# the same file package_xo takes, so the offsets are written once here; ctest
# rtl_kernel_xml holds them to the host's table and the register file.
# No Vivado has run this script on the machines modelock is developed on
# (bitstreams/README.md, "RTL kernel").

if {[llength $argv] != 3} {
  error "usage: vivado -mode batch -source package_kernel.tcl -tclargs XO_PATH PART WORK_DIR"
}
lassign $argv xo_path part work
set here [file dirname [file normalize [info script]]]
set top [file normalize [file join $here .. ..]]
source [file join $here kernel_xml.tcl]

set kernel_xml [file join $here kernel.xml]
set channel [open $kernel_xml r]
set xml [read $channel]
close $channel
set kernel_args [modelock_kernel_args $xml]
set control_range [modelock_control_range $xml]

file delete -force $work
file mkdir $work

# ---------------------------------------------------------------- the sources
# The packages first: every module imports them. rtl/lint holds Verilator
# waivers, not sources.
create_project -force lock_engine_pack [file join $work project] -part $part
set packages [lsort [glob [file join $top rtl pkg *.sv]]]
set modules [lsort [concat [glob [file join $top rtl prim *.sv]] [glob [file join $top rtl crypto *.sv]] \
                           [glob [file join $top rtl engine *.sv]]]]
add_files -norecurse [concat $packages $modules]
set_property file_type SystemVerilog [get_files -of_objects [get_filesets sources_1]]
# A board build: the identity register comes from the device DNA
# (rtl/engine/modelock_device_dna.sv, docs/engine.md "Device identity").
set_property verilog_define MODELOCK_DEVICE_DNA [get_filesets sources_1]
set_property top lock_engine [get_filesets sources_1]
update_compile_order -fileset sources_1

# ---------------------------------------------------------------- the IP
set ip_dir [file join $work ip]
ipx::package_project -root_dir $ip_dir -vendor modelock -library rtl -taxonomy /KernelIP -import_files \
  -set_current false
ipx::unload_core [file join $ip_dir component.xml]
ipx::edit_ip_in_project -upgrade true -name lock_engine_edit -directory $ip_dir [file join $ip_dir component.xml]
set core [ipx::current_core]
set_property core_revision 2 $core
# B keeps the default of rtl/pkg/modelock_engine_pkg.sv (the batch of 8
# the host driver and the HLS kernel assume), and DEVICE_ID is unused in a
# board build (the device DNA is); v++ sets no parameter of an RTL kernel.
foreach parameter [ipx::get_user_parameters -of_objects $core] {
  ipx::remove_user_parameter [get_property NAME $parameter] $core
}
set_property sdx_kernel true $core
set_property sdx_kernel_type rtl $core
set_property vitis_drc {ctrl_protocol ap_ctrl_hs} $core
set_property ipi_drc {ignore_freq_hz true} $core

# Clock, reset (active low, synchronous to ap_clk as Vitis requires; the RTL
# resets asynchronously on its falling edge, which a synchronous reset also
# satisfies), the interrupt, and the three AXI interfaces on ap_clk.
ipx::infer_bus_interface ap_clk xilinx.com:signal:clock_rtl:1.0 $core
ipx::infer_bus_interface ap_rst_n xilinx.com:signal:reset_rtl:1.0 $core
ipx::infer_bus_interface interrupt xilinx.com:signal:interrupt_rtl:1.0 $core
set reset [ipx::get_bus_interfaces ap_rst_n -of_objects $core]
set polarity [ipx::get_bus_parameters POLARITY -of_objects $reset]
if {$polarity eq ""} { set polarity [ipx::add_bus_parameter POLARITY $reset] }
set_property value ACTIVE_LOW $polarity
foreach busif {s_axi_control m_axi_gmem_blob m_axi_gmem_io} {
  ipx::associate_bus_interfaces -busif $busif -clock ap_clk $core
}
ipx::associate_bus_interfaces -clock ap_clk -reset ap_rst_n $core

# ---------------------------------------------------------------- the register map
# ap_ctrl_hs's four words, then every argument of kernel.xml at its offset;
# a buffer argument names the AXI master it addresses (ASSOCIATED_BUSIF),
# which is how v++ connects it to a memory bank (connectivity/*.cfg).
set memory_map [ipx::add_memory_map -quiet s_axi_control $core]
set_property slave_memory_map_ref s_axi_control [ipx::get_bus_interfaces s_axi_control -of_objects $core]
set block [ipx::add_address_block -quiet reg0 $memory_map]
set_property range $control_range $block
foreach {name offset description} {
  CTRL 0x00 {ap_start, ap_done, ap_idle, ap_ready, auto_restart}
  GIER 0x04 {global interrupt enable}
  IP_IER 0x08 {IP interrupt enable}
  IP_ISR 0x0C {IP interrupt status}
} {
  set register [ipx::add_register $name $block]
  set_property description $description $register
  set_property address_offset $offset $register
  set_property size 32 $register
}
foreach arg $kernel_args {
  set register [ipx::add_register [dict get $arg name] $block]
  set_property address_offset [format 0x%03x [dict get $arg offset]] $register
  set_property size [expr {8 * [dict get $arg size]}] $register
  if {[dict get $arg port] ne "s_axi_control"} {
    set_property value [dict get $arg port] [ipx::add_register_parameter ASSOCIATED_BUSIF $register]
  }
}

ipx::create_xgui_files $core
ipx::update_checksums $core
ipx::check_integrity -kernel $core
ipx::save_core $core
close_project -delete

# ---------------------------------------------------------------- the .xo
package_xo -force -xo_path $xo_path -kernel_name lock_engine -ip_directory $ip_dir -kernel_xml $kernel_xml
puts "package_kernel: wrote $xo_path"
