// The negated dot product of N int8 pairs, -(sum_i a_i * b_i), as one
// cascade of N DSP48E2 slices: slice i multiplies a_i by b_i and subtracts
// the product from the partial sum it gets from slice i - 1 over the
// dedicated PCOUT -> PCIN route, so the N - 1 additions cost no LUT. One
// piece of modelock_mac_array's adder trees (that file says why N = 8 and
// why negated). Fully combinational: no register of the slices is used
// (AREG = BREG = MREG = PREG = 0, and every control input's register
// bypassed), so the array's pipeline is the same as with LUT adders.
//
// Yosys 0.23 does not infer this: its xilinx_dsp packs a post-adder and
// PCOUT -> PCIN cascades into DSP48E1 (xc7) only, and maps P = A * B + C
// for -family xcup as a bare DSP48E2 plus the addition in LUTs. So the
// synthesis form (SYNTHESIS defined: Yosys, Vivado) instantiates the
// slices; the other form, which the Verilator models of the engine
// simulate, is the same sum as plain arithmetic. Lint checks both
// (scripts/lint-rtl.sh); sim/tests/dsp_dot runs the slice form on this
// project's own behavioural model of DSP48E2 (sim/tests/dsp_dot/
// dsp48e2_model.sv, only the settings below) against the plain form.
//
// The slice settings (UG579, "UltraScale Architecture DSP Slice"):
//   - A_INPUT = B_INPUT = "DIRECT", AMULTSEL = "A", BMULTSEL = "B",
//     USE_MULT = "MULTIPLY", INMODE = 00000: the A and B ports go straight
//     into the 27 x 18 signed multiplier (INMODE[0] = 0 selects A2 and
//     INMODE[4] = 0 B2, which with AREG = BREG = 0 are the ports
//     themselves; INMODE[1] = 0 does not zero A; the D port and pre-adder
//     are unused). A is 30 bits of which the multiplier takes A[26:0] as a
//     signed number, B is 18 signed bits: the int8 a_i is sign-extended to
//     30 bits, b_i to 18, so the product is the exact signed a_i * b_i,
//     sign-extended into the 48-bit ALU.
//   - OPMODE = W X Y Z: X = 01 and Y = 01 (OPMODE[1:0] and [3:2]) select the
//     multiplier's two partial products, whose sum is the product M; W = 00
//     (OPMODE[8:7]) selects 0; Z (OPMODE[6:4]) selects PCIN (001), the
//     previous slice's P, or 0 (000) in the first slice of the cascade.
//   - ALUMODE = 0011: P = Z - (W + X + Y + CIN) = PCIN - M (first slice:
//     -M); CARRYINSEL = 000 with CARRYIN = 0: CIN = 0.
//   - USE_SIMD = "ONE48": one 48-bit adder; pattern detector and wide XOR
//     off.
// Subtracting in the slice puts the negation of modelock_mac_array's
// products (why: that file) where it costs nothing. The sum needs
// 15 + clog2(N) bits: each -(a * b) is in [-16384, 16256]; the 48-bit P
// holds it exactly, and neg_sum_o is its low bits.
module modelock_dsp_dot #(
  parameter int unsigned N = 8,
  localparam int unsigned W = 15 + $clog2(N)
) (
  input  logic [8*N-1:0] a_i,      // a_i in bits 8*i +: 8, signed
  input  logic [8*N-1:0] b_i,      // b_i in bits 8*i +: 8, signed
  output logic [W-1:0]   neg_sum_o
);
`ifdef SYNTHESIS
  /* verilator lint_off UNUSEDSIGNAL */
  logic [48*N-1:0] pc;  // slice i's PCOUT in bits 48*i +: 48 (the last's unused)
  /* verilator lint_on UNUSEDSIGNAL */
  logic [47:0]     p;   // the last slice's P
  for (genvar i = 0; i < N; i++) begin : g_slice
    // Outputs this cascade does not use, connected so that every pin is
    // named.
    /* verilator lint_off UNUSEDSIGNAL */
    logic [29:0] acout;
    logic [17:0] bcout;
    logic        carrycascout, multsignout, overflow, underflow, patterndetect, patternbdetect;
    logic [3:0]  carryout;
    logic [7:0]  xorout;
    logic [47:0] p_i;
    /* verilator lint_on UNUSEDSIGNAL */
    logic [47:0] pcin;
    if (i == 0) begin : g_first
      assign pcin = '0;
    end else begin : g_next
      assign pcin = pc[48*(i-1) +: 48];
    end
    DSP48E2 #(
      .A_INPUT("DIRECT"), .B_INPUT("DIRECT"), .AMULTSEL("A"), .BMULTSEL("B"), .PREADDINSEL("A"),
      .USE_MULT("MULTIPLY"), .USE_SIMD("ONE48"), .USE_WIDEXOR("FALSE"), .USE_PATTERN_DETECT("NO_PATDET"),
      .AREG(0), .BREG(0), .ACASCREG(0), .BCASCREG(0), .CREG(0), .DREG(0), .ADREG(0), .MREG(0), .PREG(0),
      .OPMODEREG(0), .ALUMODEREG(0), .INMODEREG(0), .CARRYINREG(0), .CARRYINSELREG(0)
    ) u_dsp (
      .A({{22{a_i[8*i+7]}}, a_i[8*i +: 8]}),
      .B({{10{b_i[8*i+7]}}, b_i[8*i +: 8]}),
      .C(48'd0), .D(27'd0),
      .ACIN(30'd0), .BCIN(18'd0), .PCIN(pcin),
      .CARRYCASCIN(1'b0), .MULTSIGNIN(1'b0),
      .OPMODE({2'b00, i == 0 ? 3'b000 : 3'b001, 2'b01, 2'b01}),
      .ALUMODE(4'b0011), .INMODE(5'b00000), .CARRYINSEL(3'b000), .CARRYIN(1'b0),
      .CLK(1'b0),
      .CEA1(1'b0), .CEA2(1'b0), .CEAD(1'b0), .CEALUMODE(1'b0), .CEB1(1'b0), .CEB2(1'b0), .CEC(1'b0),
      .CECARRYIN(1'b0), .CECTRL(1'b0), .CED(1'b0), .CEINMODE(1'b0), .CEM(1'b0), .CEP(1'b0),
      .RSTA(1'b0), .RSTALLCARRYIN(1'b0), .RSTALUMODE(1'b0), .RSTB(1'b0), .RSTC(1'b0), .RSTCTRL(1'b0),
      .RSTD(1'b0), .RSTINMODE(1'b0), .RSTM(1'b0), .RSTP(1'b0),
      .ACOUT(acout), .BCOUT(bcout), .CARRYCASCOUT(carrycascout), .CARRYOUT(carryout),
      .MULTSIGNOUT(multsignout), .OVERFLOW(overflow), .UNDERFLOW(underflow),
      .PATTERNDETECT(patterndetect), .PATTERNBDETECT(patternbdetect), .XOROUT(xorout),
      .P(p_i), .PCOUT(pc[48*i +: 48])
    );
    if (i == N - 1) begin : g_last
      assign p = p_i;
    end
  end
  assign neg_sum_o = p[W-1:0];
  /* verilator lint_off UNUSEDSIGNAL */
  logic [47-W:0] p_high;  // sign bits: the sum fits W (header)
  /* verilator lint_on UNUSEDSIGNAL */
  assign p_high = p[47:W];
`else
  // Each product at W bits from operands sign-extended to W: exact modulo
  // 2^W, and the sum fits W (header), so it is the sum itself.
  always_comb begin
    neg_sum_o = '0;
    for (int i = 0; i < N; i++) begin
      neg_sum_o = neg_sum_o - W'($signed({{(W-8){a_i[8*i+7]}}, a_i[8*i +: 8]}) *
                                 $signed({{(W-8){b_i[8*i+7]}}, b_i[8*i +: 8]}));
    end
  end
`endif
endmodule
