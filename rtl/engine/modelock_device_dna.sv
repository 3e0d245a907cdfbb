// modelock_device_dna: the device identity of a board build (docs/engine.md,
// "Device identity"): the FPGA's 96-bit device DNA, read once after reset
// through AMD's DNA_PORTE2 primitive (UltraScale and UltraScale+, UG570
// "Device DNA"), and the 64-bit identity register value made from it.
// lock_engine instantiates it only when MODELOCK_DEVICE_DNA is defined (the
// bitstream flow, bitstreams/rtl/package_kernel.tcl; lint and the Yosys
// check read that build too, the primitive as a blackbox); the engine
// models of sim/ keep the build parameter DEVICE_ID. Its own test runs it
// under Verilator on a behavioural model of the primitive written for it
// (sim/tests/device_dna/dna_porte2_model.sv).
//
// The primitive (UG570, "Identifier Value and Operation"): a 96-bit shift
// register clocked by CLK; READ high at a rising edge loads the DNA, and
// DOUT then shows bit 0; SHIFT high (READ low) at a rising edge shifts DIN
// into bit 95 and the register toward DOUT, which shows the next bit. So
// one READ and 95 SHIFTs give bits 0..95 on DOUT, LSB first.
//
// Its clock. The DNA port's CLK has a maximum frequency far below the
// kernel's 300 MHz (the family data sheet's DNA port clock limit; not in
// the material this was written from, so the divider below is generous),
// so this module makes a slow clock, dna_clk, from ap_clk: a register that
// toggles every HALF_PERIOD cycles of clk_i (default 8: 18.75 MHz at
// 300 MHz, high and low 26.7 ns each). Everything else stays in clk_i:
//   - READ and SHIFT change only in the clk_i cycle in which dna_clk falls,
//     so they are stable HALF_PERIOD clk_i cycles before each rising edge
//     of dna_clk (setup) and HALF_PERIOD after it (hold);
//   - DOUT, which moves just after a rising edge of dna_clk, is sampled in
//     the clk_i cycle in which dna_clk next falls, HALF_PERIOD cycles after
//     that edge, and stays stable until the following rising edge.
// These margins hold by construction whatever the routing delays up to
// HALF_PERIOD clk_i periods less a cycle; Vivado does not time them unless
// the flow declares dna_clk (a generated clock of ap_clk, divided by
// 2 * HALF_PERIOD): docs/engine.md lists this among what is unverified.
//
// After the 96 bits dna_clk stops (low) and valid_o rises: about
// 2 * HALF_PERIOD * 98 clk_i cycles after reset (1 568 at the default,
// 5.2 us at 300 MHz). A reset reads the DNA again.
//
// The identity: the register is 64 bits wide (the kernel interface, kept
// so host, HLS kernel and xclbins need no change), the DNA 96, of which
// two LSBs and two MSBs are fixed (UG570). id_o is DNA[63:0] XOR
// DNA[95:64] (zero-extended): every DNA bit counts, and the host can
// compute the same value from the 96-bit DNA that Vivado's hardware manager
// reads over JTAG.
module modelock_device_dna #(
  parameter int unsigned HALF_PERIOD = 8,
  // The DNA the simulation model of the primitive loads (AMD's simulation
  // library has the same parameter); no effect on hardware.
  parameter logic [95:0] SIM_DNA_VALUE = 96'h0
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  output logic [95:0] dna_o,
  output logic [63:0] id_o,
  output logic        valid_o
);
  localparam int unsigned DivW = HALF_PERIOD > 1 ? $clog2(HALF_PERIOD) : 1;

  // ---------------------------------------------------------------- dna_clk
  logic [DivW-1:0] div_q;
  logic            dna_clk_q, fall, toggle;
  assign toggle = div_q == DivW'(HALF_PERIOD - 1);
  assign fall = toggle && dna_clk_q;  // dna_clk falls at this clk_i edge

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      div_q <= '0;
      dna_clk_q <= 1'b0;
    end else if (valid_o && !dna_clk_q) begin
      div_q <= '0;  // done: dna_clk stays low
    end else begin
      div_q <= toggle ? '0 : div_q + 1'b1;
      if (toggle) dna_clk_q <= !dna_clk_q;
    end
  end

  // ---------------------------------------------------------------- READ, SHIFT, DOUT
  // bits_q: the bits taken from DOUT so far.
  typedef enum logic [1:0] {Load, Shift, Done} state_e;
  state_e     state_q;
  logic       read_q, shift_q, dout;
  logic [6:0] bits_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Load;
      read_q <= 1'b0;
      shift_q <= 1'b0;
      bits_q <= '0;
      dna_o <= '0;
      valid_o <= 1'b0;
    end else if (fall) begin
      case (state_q)
        // The first fall: READ for the next rising edge.
        Load: begin
          read_q <= 1'b1;
          state_q <= Shift;
        end
        // Each later fall: DOUT has held bit bits_q since the rising edge
        // (of the READ, then of a SHIFT); SHIFT for the next one until bit 95.
        Shift: begin
          read_q <= 1'b0;
          dna_o <= {dout, dna_o[95:1]};
          bits_q <= bits_q + 7'd1;
          shift_q <= bits_q < 7'd95;
          if (bits_q == 7'd95) begin
            state_q <= Done;
            valid_o <= 1'b1;
          end
        end
        default: ;
      endcase
    end
  end

  assign id_o = dna_o[63:0] ^ {32'd0, dna_o[95:64]};

  DNA_PORTE2 #(
    .SIM_DNA_VALUE(SIM_DNA_VALUE)
  ) u_dna_port (
    .CLK  (dna_clk_q),
    .DIN  (1'b0),
    .READ (read_q),
    .SHIFT(shift_q),
    .DOUT (dout)
  );
endmodule
