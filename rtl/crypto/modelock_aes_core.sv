// AES-128 encryption with its ten rounds unrolled and pipelined: one block
// a cycle, a register after every round (modelock_aes_round). The ctr
// keystream runs four side by side.
//
// Handshake: valid/ready on both sides. The pipeline advances as one: when
// out_valid_o is high and out_ready_i low it holds every stage (in_ready_o
// low); otherwise every stage moves on and in_ready_o is high, so a block
// taken at an edge leaves 10 cycles later, and bubbles stay bubbles. tag_i
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
  // Stage r's register (the block after round r) in [128 (r - 1) +: 128];
  // `first` is the input block after the initial AddRoundKey.
  logic [128*Rounds-1:0] state_q;
  logic [TAG_BITS*Rounds-1:0] tag_q;
  logic [127:0] first;

  assign advance = !valid_q[Rounds] || out_ready_i;
  assign in_ready_o = advance;
  // The initial AddRoundKey folds into the first stage.
  assign first = in_block_i ^ round_keys_i[127:0];

  for (genvar r = 1; r <= Rounds; r++) begin : g_round
    logic [127:0] previous, next;
    logic [TAG_BITS-1:0] previous_tag;
    if (r == 1) begin : g_first
      assign previous = first;
      assign previous_tag = in_tag_i;
    end else begin : g_later
      assign previous = state_q[128*(r-2) +: 128];
      assign previous_tag = tag_q[TAG_BITS*(r-2) +: TAG_BITS];
    end
    modelock_aes_round u_round (
      .state_i(previous),
      .round_key_i(round_keys_i[128*r +: 128]),
      .final_i(r == Rounds),
      .state_o(next)
    );
    // Data registers need no reset: valid_q says which hold a block.
    always_ff @(posedge clk_i) begin
      if (advance) begin
        state_q[128*(r-1) +: 128] <= next;
        tag_q[TAG_BITS*(r-1) +: TAG_BITS] <= previous_tag;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) valid_q <= '0;
    else if (clear_i) valid_q <= '0;
    else if (advance) valid_q <= {valid_q[Rounds-1:1], in_valid_i};
  end

  assign out_valid_o = valid_q[Rounds];
  assign out_block_o = state_q[128*(Rounds-1) +: 128];
  assign out_tag_o = tag_q[TAG_BITS*(Rounds-1) +: TAG_BITS];
endmodule
