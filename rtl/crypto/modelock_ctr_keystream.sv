// The ctr keystream, 64 bytes a cycle (docs/scheme.md, "Scheme ctr"):
//
//   KS(t) = byte (t mod 16) of AES-128(K_enc, nonce || BE64(floor(t / 16)))
//
// Four pipelined AES cores side by side (modelock_aes_core) make a 64-byte
// chunk a cycle, chunk c of a request holding blocks base / 16 + 4 c + q,
// q = 0..3, with base its stream offset rounded down to 16 (a block: the
// counter can start anywhere, so chunks need not be 64-byte aligned in the
// stream), less 48 (three blocks) when the offset is not a multiple of 16;
// the chunks are then re-aligned onto the offset by
// modelock_keystream_align, the one after both keystreams in lock_engine.
// Any offset is reached at once: seeking is choosing the counter. The three
// blocks early put an unaligned request's first byte at byte
// 48 + offset mod 16 of its first chunk, which the chunk's skip says
// (48 + offset mod 16, or 0): so ctr's skips are a subset of deeplock's
// (offset mod 64) and the one 64-way aligner serves both. (ctr's own 16-way
// aligner, 1,055 LUTs, is gone; lock_engine's choice between the two
// keystreams' beats became a choice between their chunks, the same 512
// LUTs.) Depth: the path from the last stage's ROMs (its key XOR) now goes
// on through lock_engine's choice and the 64-way aligner's first level,
// two LUTs more (rtl/doc/theory_of_operation.md, "AES-128"). The three
// blocks before a request's first (wrapping past block 0
// for an offset under 16) are made and dropped with the priming chunk,
// which an unaligned request makes anyway: the same chunks, the same
// cycles.
//
// The cores' S-Boxes are block-RAM ROMs whose output latches are the
// pipeline's stage registers (modelock_aes_core, modelock_sbox_rom): 640
// lookups on 320 RAMB18E2 (160 of 36 Kb). Yosys (synth_xilinx -family xcup,
// this module alone): 5,871 LUTs and 138 FFs without the aligner (6,923
// and 772 with its own). With 32-LUT table S-Boxes and a flip-flop
// register after each round it took 35,738 LUTs and 6,276 FFs.
//
// Handshake: a request (req_valid_i/req_ready_o: stream offset and beats,
// at least 1) is taken at the edge the previous one's last chunk enters the
// cores (or any edge when idle), so back-to-back requests stream without a
// gap. Its chunks come out on out_* (valid/ready), out_first_o on the
// first, out_last_o on the last, one chunk more than beats when the offset
// is not a multiple of 16. The first chunk is valid 10 cycles after the
// edge that took the request (it enters the cores at the next edge, whose
// first stage is round 1; ten rounds), so the aligner's first beat 11
// cycles after, one more when the offset is not a multiple of 16. A stall on
// out_ready_i holds the whole pipeline. round_keys_i and nonce_i must hold
// still while any request is in flight. clear_i (the end of a run) drops
// every request taken and every block in flight at the next edge. The
// cores' stages are the S-Box ROMs' output latches and hold whatever they
// last read: after a run, the encryption of the counters after its last
// block, keystream. So whenever no block is issued (while clear_i is high,
// and whenever the issuer is idle: the pipeline advances while empty, and
// block_q still names the counters after the run's last block) the cores'
// input has counter bit 60 set, a block no stream offset reaches (a
// counter is offset / 16 < 2^60), and the stages hold its encryption ten
// edges later: no keystream outlives a run (the engine's wipe holds
// clear_i 1,024 edges), nor comes back into the idle pipeline after it.
// After clear_key the round keys are zero during that wipe, so the stages
// then hold no key material either. Cost: the bit's key XOR in each core's
// first stage, a LUT a core; zeroing the ROM latches by their reset
// instead would touch every stage's 160 ROMs.
module modelock_ctr_keystream (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          clear_i,
  input  logic [1407:0] round_keys_i,  // K_enc's round keys
  input  logic [63:0]   nonce_i,       // nonce bytes 0..7, byte 0 in [63:56]
  input  logic          req_valid_i,
  output logic          req_ready_o,
  input  logic [63:0]   req_offset_i,
  input  logic [31:0]   req_beats_i,
  output logic          out_valid_o,
  input  logic          out_ready_i,
  output logic [511:0]  out_chunk_o,  // beat order: chunk c's block q is bytes 16q..16q+15
  output logic          out_first_o,  // a request's first chunk
  output logic          out_last_o,   // its last
  output logic [5:0]    out_skip_o    // for modelock_keystream_align: 0, or 48 + offset mod 16
);
  localparam int unsigned Cores = modelock_crypto_pkg::BlocksPerBeat;

  // The chunk issuer: the next chunk's first block, chunks left, framing.
  logic [59:0] block_q;
  logic [32:0] left_q;
  logic first_q;
  logic [3:0] skip_q;
  logic issue_valid, issue_ready, issue;
  logic [5:0] issue_tag;  // {first, last, skip}

  // A request is taken as the previous one issues its last chunk: no bubble.
  assign req_ready_o = left_q == 33'd0 || (left_q == 33'd1 && issue_ready);
  assign issue_valid = left_q != 33'd0;
  assign issue = issue_valid && issue_ready;
  assign issue_tag = {first_q, left_q == 33'd1, skip_q};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      block_q <= '0;
      left_q <= '0;
      first_q <= 1'b0;
      skip_q <= '0;
    end else if (clear_i) begin
      left_q <= '0;
      first_q <= 1'b0;
    end else if (req_valid_i && req_ready_o) begin
      block_q <= req_offset_i[63:4];
      left_q <= {1'b0, req_beats_i} + {32'h0, req_offset_i[3:0] != 4'd0};
      first_q <= 1'b1;
      skip_q <= req_offset_i[3:0];
    end else if (issue) begin
      block_q <= block_q + 60'd4;
      left_q <= left_q - 33'd1;
      first_q <= 1'b0;
    end
  end

  // Core q's block: block_q + q, three blocks earlier for an unaligned
  // request (above). Subtracting at the request's edge instead put a 60-bit
  // carry chain after the request's offset (2.30 ns by
  // scripts/logic-depth.py, against 2.15 for the module's longest path);
  // here the operand is a choice of two constants, on the cores' adders.
  // The four cores advance together (same pipeline, same handshake), so
  // core 0's handshake and tag speak for all.
  logic [Cores-1:0] core_in_ready, core_out_valid;
  logic [511:0] chunk;  // beat order: core q's block is bytes 16q..16q+15
  logic [5:0] chunk_tag;
  logic chunk_ready;

  for (genvar q = 0; q < Cores; q++) begin : g_core
    logic [127:0] block;
    logic [5:0] tag;
    modelock_aes_core #(.TAG_BITS(6)) u_core (
      .clk_i, .rst_ni, .clear_i, .round_keys_i,
      .in_valid_i(issue_valid),
      .in_ready_o(core_in_ready[q]),
      .in_block_i({nonce_i, 3'h0, clear_i || !issue_valid, block_q + (skip_q != 4'd0 ? 60'(q) - 60'd3 : 60'(q))}),
      .in_tag_i(issue_tag),
      .out_valid_o(core_out_valid[q]),
      .out_ready_i(chunk_ready),
      .out_block_o(block),
      .out_tag_o(tag)
    );
    assign chunk[128*q +: 128] = modelock_crypto_pkg::block_bytes_le(block);
    if (q == 0) begin : g_tag
      assign chunk_tag = tag;
    end else begin : g_no_tag
      logic unused_tag;
      assign unused_tag = ^tag;
    end
  end

  assign issue_ready = core_in_ready[0];

  // The chunks go out with their framing; the aligner after them (shared
  // with deeplock in lock_engine) takes an unaligned request's beats from
  // byte 48 + offset mod 16 of its first two chunks on.
  assign out_valid_o = core_out_valid[0];
  assign chunk_ready = out_ready_i;
  assign out_chunk_o = chunk;
  assign out_first_o = chunk_tag[5];
  assign out_last_o = chunk_tag[4];
  assign out_skip_o = {{2{chunk_tag[3:0] != 4'd0}}, chunk_tag[3:0]};

  logic unused_handshakes;
  assign unused_handshakes = ^{core_in_ready[Cores-1:1], core_out_valid[Cores-1:1]};
endmodule
