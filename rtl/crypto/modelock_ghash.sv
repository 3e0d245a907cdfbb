// GHASH (SP 800-38D) four blocks a cycle, one beat a cycle, with H..H^4
// computed at load_key (modelock_mac_key). A beat of b blocks A1..Ab (b = 4
// but for a message's last beat) updates the hash as
//
//   Y' = Y·H^b ^ S,   S = A1·H^b ^ A2·H^(b-1) ^ ... ^ Ab·H
//
// (Horner's rule over the b blocks, expanded). The blocks are first right-
// aligned (block j to lane 4 - b + j, zero lanes before), so lane l always
// multiplies by H^(4-l).
//
// Stages: 1 registers the aligned lanes and H^b, and the lanes and H..H^4
// split into Karatsuba pieces (modelock_crypto_pkg::kara_split, four
// levels: 81 8-bit pieces each); 2 forms S as the XOR of the four
// carry-less products, unreduced (255 bits); 3 is the loop:
// Y <= reduce(Y ⊗ H^b ^ S).
//
// Stage 2 by Karatsuba: a product is 81 8 x 8 piece products (5,184 ANDs)
// instead of 16,384 ANDs, and since the join is linear the four
// lanes' piece products are XORed first and joined once (kara_join).
// Yosys, this module alone (scripts/synth-rtl.sh --one modelock_ghash):
// 67,202 LUTs and 1,153 FFs with four schoolbook products; 48,889, 39,848
// and 36,887 LUTs with two, three and four Karatsuba levels, 2,945, 4,097
// and 5,825 FFs (the pieces cost flip-flops, which UltraScale+ has two of
// per LUT; a fifth level, not tried, would add 2,592 more and deepen the
// join). Stage 2's depth, register to register: a summed piece-product
// bit is an XOR of at most 4 x 8 ANDs (11, 2, 1: three LUT levels), an S
// bit the XOR of at most 121 of those (21, 4, 1: three more, fewer where
// the mapper merges the join into the trees): at most six LUT levels, the
// loop's depth. Stage 1's pieces: a piece bit is the XOR of at most 16
// lane bits, each a choice of four beat bits by in_blocks_i: four to five
// LUT levels. The loop keeps the schoolbook product: splitting Y would
// put the pieces' XORs on the loop-carried path.
//
// Why the loop fits 300 MHz: S and H^b come from
// registers, so the only loop-carried path is Y -> Y: per product bit an
// XOR of at most 128 ANDs of a Y bit and an H^b bit (three pairs a LUT6:
// 43, 8, 2, 1 - four LUT levels), then the reduction, which adds to each
// bit at most four folded bits and the S bit (one more level, two for the
// few bits folded twice): five to six LUT levels, about 2.5 ns on
// UltraScale+ with routing, inside the 3.33 ns period. Reducing after the
// XOR with S (not before) keeps S's own reduction off the loop. (If Vivado
// disagrees, the next step is a matrix of H^4 precomputed at load_key,
// which leaves four levels.)
//
// Handshake: no backpressure, a beat is taken on every cycle in_valid_i is
// high (in_blocks_i in 1..4; the bytes past the message must be zero).
// hash_o is the GHASH of every beat taken once idle_o is high: 3 cycles
// after the last beat. clear_i starts a new message (Y = 0) and must come
// while idle_o is high; h_powers_i must hold still while beats are in flight.
module modelock_ghash (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic [511:0] h_powers_i,  // H^k (block order) in [128 (k - 1) +: 128]
  input  logic         clear_i,
  input  logic         in_valid_i,
  input  logic [511:0] in_beat_i,   // beat order: byte i in [8 i +: 8]
  input  logic [2:0]   in_blocks_i,
  output logic [127:0] hash_o,
  output logic         idle_o
);
  logic [2591:0] lanes_q;    // lane l's Karatsuba pieces (kara_split) in [648 l +: 648]
  logic [2591:0] h_split_q;  // H^k's pieces in [648 (k - 1) +: 648]
  logic [127:0] h_beat_q, h_beat2_q;
  logic [254:0] s_q;
  logic [127:0] y_q;
  logic valid1_q, valid2_q;

  // Each stage is a function called inside the register it feeds, under
  // that register's enable: the same logic in hardware as continuous
  // assignments, but Verilator then computes a stage only in the cycles it
  // takes a beat, not in every cycle of the engine (GHASH runs only while
  // a tensor streams).

  // Stage 1: the beat's blocks right-aligned (lane l, block order, zero
  // lanes before), each lane split into its Karatsuba pieces.
  function automatic logic [2591:0] aligned_lanes(logic [511:0] beat, logic [2:0] blocks);
    logic [2591:0] lanes;
    logic [127:0] lane;
    for (int l = 0; l < 4; l++) begin
      lane = '0;
      for (int j = 0; j < 4; j++) begin
        if (j + 4 == l + {29'b0, blocks}) lane = modelock_crypto_pkg::beat_block(beat, j);
      end
      lanes[648*l +: 648] = modelock_crypto_pkg::kara_split(lane);
    end
    aligned_lanes = lanes;
  endfunction

  // Stage 1: H..H^4 split into their Karatsuba pieces.
  function automatic logic [2591:0] split_powers(logic [511:0] h_powers);
    logic [2591:0] split;
    for (int k = 0; k < 4; k++) split[648*k +: 648] = modelock_crypto_pkg::kara_split(h_powers[128*k +: 128]);
    split_powers = split;
  endfunction

  // Stage 1: H^b for a beat of b blocks.
  function automatic logic [127:0] h_of_blocks(logic [511:0] h_powers, logic [2:0] blocks);
    unique case (blocks)
      3'd1: h_of_blocks = h_powers[127:0];
      3'd2: h_of_blocks = h_powers[255:128];
      3'd3: h_of_blocks = h_powers[383:256];
      default: h_of_blocks = h_powers[511:384];
    endcase
  endfunction

  // Stage 2: S, unreduced: the XOR of lane l times H^(4-l), joined once
  // from the XOR over the lanes of each piece product.
  function automatic logic [254:0] lane_sum(logic [2591:0] lanes, logic [2591:0] h_split);
    logic [1214:0] r;
    r = '0;
    for (int l = 0; l < 4; l++) begin
      for (int i = 0; i < 81; i++) begin
        r[15*i +: 15] = r[15*i +: 15] ^ modelock_crypto_pkg::clmul8(lanes[648*l + 8*i +: 8], h_split[648*(3-l) + 8*i +: 8]);
      end
    end
    lane_sum = modelock_crypto_pkg::kara_join(r);
  endfunction

  always_ff @(posedge clk_i) begin
    if (in_valid_i) begin
      lanes_q <= aligned_lanes(in_beat_i, in_blocks_i);
      h_split_q <= split_powers(h_powers_i);
      h_beat_q <= h_of_blocks(h_powers_i, in_blocks_i);
    end
    if (valid1_q) begin
      s_q <= lane_sum(lanes_q, h_split_q);
      h_beat2_q <= h_beat_q;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid1_q <= 1'b0;
      valid2_q <= 1'b0;
      y_q <= '0;
    end else begin
      valid1_q <= in_valid_i;
      valid2_q <= valid1_q;
      // Stage 3, the loop.
      if (clear_i) y_q <= '0;
      else if (valid2_q) y_q <= modelock_crypto_pkg::gf128_reduce(modelock_crypto_pkg::clmul128(y_q, h_beat2_q) ^ s_q);
    end
  end

  assign hash_o = y_q;
  assign idle_o = !in_valid_i && !valid1_q && !valid2_q;
endmodule
