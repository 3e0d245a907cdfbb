// Port declarations of the AMD primitives the RTL instantiates in a board
// or synthesis build, for the checks that run without Vivado only: the
// lint of the board build (scripts/lint-rtl.sh: MODELOCK_DEVICE_DNA and
// SYNTHESIS defined) and the Yosys read check
// (scripts/yosys-check-rtl.sh, read as blackboxes). Not models of the
// device: DNA_PORTE2's and DSP48E2's outputs are tied low, and the wide
// multiplexers are the one line each that lint needs. Vivado has the real
// primitives (and Yosys's synth_xilinx its own models or blackboxes of
// them); the Verilator tests have their own behavioural models
// (sim/tests/device_dna/dna_porte2_model.sv,
// sim/tests/dsp_dot/dsp48e2_model.sv), and scripts/mux-lec.sh proves
// modelock_mux32's use of MUXF7/8/9 with Yosys's models. Outside rtl/'s
// source folders, so neither the engine models nor the bitstream flow read
// it.
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
// UG579 / UG974: the DSP slice of UltraScale and UltraScale+ (all its ports;
// of its attributes, the ones modelock_dsp_dot sets, at UG974's defaults).
module DSP48E2 #(
  parameter A_INPUT = "DIRECT",
  parameter B_INPUT = "DIRECT",
  parameter AMULTSEL = "A",
  parameter BMULTSEL = "B",
  parameter PREADDINSEL = "A",
  parameter USE_MULT = "MULTIPLY",
  parameter USE_SIMD = "ONE48",
  parameter USE_WIDEXOR = "FALSE",
  parameter USE_PATTERN_DETECT = "NO_PATDET",
  parameter int AREG = 1,
  parameter int BREG = 1,
  parameter int ACASCREG = 1,
  parameter int BCASCREG = 1,
  parameter int CREG = 1,
  parameter int DREG = 1,
  parameter int ADREG = 1,
  parameter int MREG = 1,
  parameter int PREG = 1,
  parameter int OPMODEREG = 1,
  parameter int ALUMODEREG = 1,
  parameter int INMODEREG = 1,
  parameter int CARRYINREG = 1,
  parameter int CARRYINSELREG = 1
) (
  input  logic [29:0] A,
  input  logic [17:0] B,
  input  logic [47:0] C,
  input  logic [26:0] D,
  input  logic [29:0] ACIN,
  input  logic [17:0] BCIN,
  input  logic [47:0] PCIN,
  input  logic        CARRYCASCIN,
  input  logic        MULTSIGNIN,
  input  logic [8:0]  OPMODE,
  input  logic [3:0]  ALUMODE,
  input  logic [4:0]  INMODE,
  input  logic [2:0]  CARRYINSEL,
  input  logic        CARRYIN,
  input  logic        CLK,
  input  logic        CEA1, CEA2, CEAD, CEALUMODE, CEB1, CEB2, CEC, CECARRYIN, CECTRL, CED, CEINMODE, CEM, CEP,
  input  logic        RSTA, RSTALLCARRYIN, RSTALUMODE, RSTB, RSTC, RSTCTRL, RSTD, RSTINMODE, RSTM, RSTP,
  output logic [29:0] ACOUT,
  output logic [17:0] BCOUT,
  output logic        CARRYCASCOUT,
  output logic [3:0]  CARRYOUT,
  output logic        MULTSIGNOUT,
  output logic        OVERFLOW,
  output logic        UNDERFLOW,
  output logic        PATTERNDETECT,
  output logic        PATTERNBDETECT,
  output logic [7:0]  XOROUT,
  output logic [47:0] P,
  output logic [47:0] PCOUT
);
  assign {ACOUT, BCOUT, CARRYCASCOUT, CARRYOUT, MULTSIGNOUT, OVERFLOW, UNDERFLOW, PATTERNDETECT, PATTERNBDETECT,
          XOROUT, P, PCOUT} = '0;
endmodule
/* verilator lint_on UNUSEDPARAM */
/* verilator lint_on UNUSEDSIGNAL */
/* verilator lint_on DECLFILENAME */
