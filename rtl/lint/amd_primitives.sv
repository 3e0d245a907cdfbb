// Port declarations of the AMD primitives the RTL instantiates in a board
// build or for synthesis, for the checks that run without Vivado only:
// the Verilator lint of the board build (scripts/lint-rtl.sh,
// MODELOCK_DEVICE_DNA defined) and the Yosys read check
// (scripts/yosys-check-rtl.sh, read as blackboxes; Yosys defines SYNTHESIS,
// so it reads modelock_mux32's MUXF7/8/9). DNA_PORTE2 is not a model: its
// DOUT is tied low. Vivado has the real primitives; the Verilator
// test of the DNA reader has its own behavioural model
// (sim/tests/device_dna/dna_porte2_model.sv). Outside rtl/'s source folders,
// so neither the engine models nor the bitstream flow read it.
/* verilator lint_off DECLFILENAME */
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNUSEDPARAM */
// UG570 / UG974: the device DNA access port of UltraScale and UltraScale+.
module DNA_PORTE2 #(
  parameter logic [95:0] SIM_DNA_VALUE = 96'h0
) (
  input  logic CLK,
  input  logic DIN,
  input  logic READ,
  input  logic SHIFT,
  output logic DOUT
);
  assign DOUT = 1'b0;
endmodule
// UG974: the slice's wide multiplexers (modelock_mux32); the proof of
// their use is scripts/mux-lec.sh, with Yosys's models of them.
module MUXF7 (output logic O, input logic I0, input logic I1, input logic S);
  assign O = S ? I1 : I0;
endmodule
module MUXF8 (output logic O, input logic I0, input logic I1, input logic S);
  assign O = S ? I1 : I0;
endmodule
module MUXF9 (output logic O, input logic I0, input logic I1, input logic S);
  assign O = S ? I1 : I0;
endmodule
/* verilator lint_on UNUSEDPARAM */
/* verilator lint_on UNUSEDSIGNAL */
/* verilator lint_on DECLFILENAME */
