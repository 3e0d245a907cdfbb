// AES-128 encryption with its ten rounds unrolled and pipelined: one block
// a cycle, latency 10. The ctr keystream runs four side by side.
//
// Each stage's register is its S-Boxes' read register: the S-Boxes are
// block-RAM ROMs (modelock_sbox_rom, two lookups a RAMB18E2, 8 a stage),
// and the rest of a round is logic before the next stage's ROM addresses.
// Stage r holds SubBytes(X_{r-1}), X_0 = in ^ K_0 and X_r the state after
// round r; its logic makes X_r = MixColumns(ShiftRows(stage r)) ^ K_r, the
// address of stage r + 1 (MixColumns from the ROMs' S and 2 S: one LUT6 a
// bit, modelock_crypto_pkg::mix_columns_doubled). The initial AddRoundKey is stage 1's address
// logic, and the last round's ShiftRows and AddRoundKey (no MixColumns) are
// the logic after stage 10, on out_block_o: a block still leaves 10 cycles
// after it is taken. Each stage's path is a ROM read, then one LUT level
// (MixColumns and the round key, 6 bits an address bit) into the next
// stage's ROM addresses; the last stage's, one LUT of key XOR into the
// consumer.
//
// Why: with a flip-flop register after each whole round and 32-LUT table
// S-Boxes (modelock_sbox_lut), the 640 S-Boxes of the ctr keystream's four
// cores were most of its LUTs; in block RAM each costs none, and the stage
// registers become the BRAMs' output latches. Measured numbers: the header
// of modelock_ctr_keystream.
//
// Handshake: valid/ready on both sides. The pipeline advances as one: when
// out_valid_o is high and out_ready_i low it holds every stage (in_ready_o
// low; the ROMs' read enable is low and their output latches hold);
// otherwise every stage moves on and in_ready_o is high, so a block taken
// at an edge leaves 10 cycles later, and bubbles stay bubbles. tag_i
// travels with its block (TAG_BITS of sideband, e.g. first/last flags).
// round_keys_i must hold still while blocks are in flight. clear_i empties
// the pipeline at the next edge (the ctr keystream's flush).
module modelock_aes_core #(
  parameter int unsigned TAG_BITS = 1
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                clear_i,
  input  logic [1407:0]       round_keys_i,  // round key r in [128 r +: 128]
  input  logic                in_valid_i,
  output logic                in_ready_o,
  input  logic [127:0]        in_block_i,
  input  logic [TAG_BITS-1:0] in_tag_i,
  output logic                out_valid_o,
  input  logic                out_ready_i,
  output logic [127:0]        out_block_o,
  output logic [TAG_BITS-1:0] out_tag_o
);
  localparam int unsigned Rounds = modelock_crypto_pkg::AesRounds;

  logic advance;
  logic [Rounds:1] valid_q;
  // Stage r's ROM outputs in [128 (r - 1) +: 128]: SubBytes(X_{r-1}) and
  // the xtime of each of its bytes, for MixColumns.
  logic [128*Rounds-1:0] substituted_q, doubled_q;
  logic [TAG_BITS*Rounds-1:0] tag_q;

  assign advance = !valid_q[Rounds] || out_ready_i;
  assign in_ready_o = advance;

  for (genvar r = 1; r <= Rounds; r++) begin : g_stage
    logic [127:0] address;  // X_{r-1}
    logic [TAG_BITS-1:0] previous_tag;
    if (r == 1) begin : g_first
      assign address = in_block_i ^ round_keys_i[127:0];
      assign previous_tag = in_tag_i;
    end else begin : g_later
      assign address = modelock_crypto_pkg::mix_columns_doubled(
          modelock_crypto_pkg::shift_rows(substituted_q[128*(r-2) +: 128]),
          modelock_crypto_pkg::shift_rows(doubled_q[128*(r-2) +: 128])) ^ round_keys_i[128*(r-1) +: 128];
      assign previous_tag = tag_q[TAG_BITS*(r-2) +: TAG_BITS];
    end
    // Bytes 2p and 2p + 1 of the state share a ROM.
    for (genvar p = 0; p < 8; p++) begin : g_rom
      modelock_sbox_rom u_rom (
        .clk_i,
        .en_i(advance),
        .addr_a_i(address[16*p+8 +: 8]),
        .addr_b_i(address[16*p +: 8]),
        .data_a_o({doubled_q[128*(r-1)+16*p+8 +: 8], substituted_q[128*(r-1)+16*p+8 +: 8]}),
        .data_b_o({doubled_q[128*(r-1)+16*p +: 8], substituted_q[128*(r-1)+16*p +: 8]})
      );
    end
    // Tags need no reset: valid_q says which hold a block.
    always_ff @(posedge clk_i) begin
      if (advance) tag_q[TAG_BITS*(r-1) +: TAG_BITS] <= previous_tag;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) valid_q <= '0;
    else if (clear_i) valid_q <= '0;
    else if (advance) valid_q <= {valid_q[Rounds-1:1], in_valid_i};
  end

  assign out_valid_o = valid_q[Rounds];
  assign out_block_o = modelock_crypto_pkg::shift_rows(substituted_q[128*(Rounds-1) +: 128])
      ^ round_keys_i[128*Rounds +: 128];
  assign out_tag_o = tag_q[TAG_BITS*(Rounds-1) +: TAG_BITS];

  // The last round has no MixColumns: its doubled bytes go unused (the
  // BRAM's port is as wide either way).
  logic unused_doubled;
  assign unused_doubled = ^doubled_q[128*(Rounds-1) +: 128];
endmodule
