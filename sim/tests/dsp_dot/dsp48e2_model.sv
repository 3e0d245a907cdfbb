// A BEHAVIOURAL MODEL of AMD's DSP48E2 slice, written for this project's
// test of rtl/prim/modelock_dsp_dot.sv under Verilator from UG579 ("UltraScale
// Architecture DSP Slice": the A and B input paths, INMODE, the multiplier,
// the W/X/Y/Z multiplexers and OPMODE, ALUMODE, the PCIN/PCOUT cascade).
// It is not AMD's simulation model, which it does not copy, and it is never
// built into the engine: a board build gets the real slice from Vivado.
//
// It models exactly the settings modelock_dsp_dot uses, and stops the
// simulation ($fatal) on any other, so that a change to the primitive's
// settings cannot pass its test on a model that does not know them:
//   - attributes: every register bypassed (AREG = BREG = ACASCREG =
//     BCASCREG = CREG = DREG = ADREG = MREG = PREG = OPMODEREG = ALUMODEREG
//     = INMODEREG = CARRYINREG = CARRYINSELREG = 0), A_INPUT = B_INPUT =
//     "DIRECT", AMULTSEL = "A", BMULTSEL = "B", PREADDINSEL = "A",
//     USE_MULT = "MULTIPLY", USE_SIMD = "ONE48", USE_WIDEXOR = "FALSE",
//     USE_PATTERN_DETECT = "NO_PATDET";
//   - INMODE = 00000: A (A2, not zeroed) and B (B2) straight to the
//     multiplier, the D port and pre-adder out of the path;
//   - OPMODE: W = 00 (0), X = 01 and Y = 01 (the multiplier's partial
//     products, whose sum is M), Z = 000 (0) or 001 (PCIN);
//   - ALUMODE = 0011: P = Z - (W + X + Y + CIN);
//   - CARRYINSEL = 000 and CARRYIN = 0: CIN = 0.
// The multiplier is 27 x 18 signed: M = A[26:0] * B[17:0], both signed, 45
// bits, sign-extended to the ALU's 48. PCOUT is P (the cascade output).
// The other outputs are not modelled (0).
//
// The module has the primitive's name, which the RTL instantiates; the
// file is named for what it is, a model.
/* verilator lint_off DECLFILENAME */
/* verilator lint_off UNUSEDSIGNAL */
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
  initial begin
    if (AREG != 0 || BREG != 0 || ACASCREG != 0 || BCASCREG != 0 || CREG != 0 || DREG != 0 || ADREG != 0 ||
        MREG != 0 || PREG != 0 || OPMODEREG != 0 || ALUMODEREG != 0 || INMODEREG != 0 || CARRYINREG != 0 ||
        CARRYINSELREG != 0)
      $fatal(1, "DSP48E2 model: only the fully combinational slice (every *REG = 0) is modelled");
    if (A_INPUT != "DIRECT" || B_INPUT != "DIRECT" || AMULTSEL != "A" || BMULTSEL != "B" || PREADDINSEL != "A")
      $fatal(1, "DSP48E2 model: only A and B from their ports into the multiplier are modelled");
    if (USE_MULT != "MULTIPLY" || USE_SIMD != "ONE48" || USE_WIDEXOR != "FALSE" || USE_PATTERN_DETECT != "NO_PATDET")
      $fatal(1, "DSP48E2 model: only USE_MULT MULTIPLY, USE_SIMD ONE48, no wide XOR, no pattern detect");
  end

  logic signed [44:0] m;  // the multiplier's product, the sum of X and Y
  logic [47:0]        z;
  always_comb begin
    if (INMODE != 5'b00000) $fatal(1, "DSP48E2 model: INMODE %b not modelled (only 00000)", INMODE);
    if (OPMODE[8:7] != 2'b00 || OPMODE[3:0] != 4'b0101 || !(OPMODE[6:4] inside {3'b000, 3'b001}))
      $fatal(1, "DSP48E2 model: OPMODE %b not modelled (only W 00, Z 000 or 001, Y 01, X 01)", OPMODE);
    if (ALUMODE != 4'b0011) $fatal(1, "DSP48E2 model: ALUMODE %b not modelled (only 0011)", ALUMODE);
    if (CARRYINSEL != 3'b000 || CARRYIN != 1'b0)
      $fatal(1, "DSP48E2 model: only CIN = 0 (CARRYINSEL 000, CARRYIN 0) is modelled");
    m = $signed(A[26:0]) * $signed(B);
    z = OPMODE[4] ? PCIN : 48'd0;
    P = z - 48'(m);  // Z - (W + X + Y + CIN), W = CIN = 0
  end
  assign PCOUT = P;
  assign {ACOUT, BCOUT, CARRYCASCOUT, CARRYOUT, MULTSIGNOUT, OVERFLOW, UNDERFLOW, PATTERNDETECT, PATTERNBDETECT,
          XOROUT} = '0;
endmodule
/* verilator lint_on UNUSEDSIGNAL */
/* verilator lint_on DECLFILENAME */
