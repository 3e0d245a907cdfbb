// modelock_key_state: the engine's key state (docs/engine.md, "Commands"):
// what load_key derives from the key registers and every run uses, and
// nothing else. load_key wipes what was loaded before, then, for a known
// scheme and (deeplock) a stream of at most 64 MiB, derives in parallel
// H..H^4 from K_mac (modelock_mac_key, which holds K_mac: its AES core
// steps the round keys itself), K_enc's round keys for
// ctr (modelock_aes_key_expand), and for deeplock the checkpoint table
// (modelock_deeplock_checkpoints into a modelock_ram_1r1w), one schedule
// step a cycle; otherwise status 5 and no key. clear_key zeroes it all.
//
// It also checks the runs' GMAC tags (modelock_gmac_finish, the gmac_*
// ports): the check needs K_mac's AES core and a GF(2^128) multiplier, as
// load_key's derivation of H does, and the two never run at once (a run
// is never inside a key command), so one core of each (modelock_mac_cores)
// serves both; this module, which holds K_mac and H, is where both users
// meet.
//
// The table has no clear port, so this module wipes it by writes: it keeps
// how many entries may hold a checkpoint (used), and clear_key writes zeros
// over those; a load_key that builds fewer entries than the last one
// zeroes the rest. Entries never written hold the zeros of configuration.
// The table's read register would keep the last checkpoint a run read (an
// invertible schedule state): done_o zeroes it at the end of every command
// (its clear_i, the URAMs' output reset under the read's enable), so
// clear_key leaves none there either, in the same cycles.
//
// The table's memory (measured with Yosys, `synth-rtl.sh --one
// modelock_key_state`). 65,536 x 136 bits is 8.9 Mbit: as block RAM it
// would be 256 RAMB36E2 (1K x 36 each, 4 wide and 64 deep) and a 64-way
// choice on the read; as UltraRAM (URAM288, 4,096 x 72) it is 16 slices of
// 4,096 entries. As one modelock_ram_1r1w Yosys packs them side by side
// across 31 URAM288 (16 x 136 = 2,176 bits a row in 31 x 72 = 2,232, with
// byte write enables) and chooses among them after the read: 844 LUTs, a
// 16-way choice of 136 bits by the registered top address bits (Vivado can
// cascade the URAMs instead, Yosys cannot). Sixteen explicit banks with
// the choice written after them gave 32 URAM288 and 695 LUTs. Sixteen
// banks whose read registers a read of another bank zeroes (the URAM's
// output reset), ORed (modelock_ram_1r1w_banked): 32 URAM288 and 586 LUTs,
// 258 fewer for one UltraRAM more. The rest of this module's 3,947 LUTs
// alone (3,504 FFs and 7 BRAM36, with the run's tag check inside since the
// cores are shared; 6,437 LUTs and 4,794 FFs before K_mac's core stepped
// its own round keys, the S-Boxes moved to block RAM and the cores took
// each user's operands at a start of its own): modelock_mac_cores (one
// AES core and one serial GF(2^128) multiplier for load_key and the
// checks: 1,642), the K_enc expansion (459),
// modelock_mac_key's steps (536), the checkpoint builder (269),
// modelock_gmac_finish (172) and its own logic. Longest paths
// (scripts/logic-depth.py, cut at RAMs and submodule pins): this module's
// own 4 LUTs, 3 MUXFs and 2 carry blocks (2.55 ns), unchanged; the
// iterative core's 2 LUTs after its ROMs.
//
// Byte orders: the register file's key words are little-endian (byte i of
// a key in key_i[8 i +: 8]); the crypto modules take blocks (byte 0 in
// [127:120]), so the keys are byte-reversed on the way in, and the nonce
// likewise (nonce_o: byte 0 in [63:56]).
//
// Protocol: load_i or clear_i (one cycle, while !busy_o; the inputs hold
// that cycle); done_o (one cycle) with status_o (0, or 5 for load_key).
// The outputs hold between commands; loaded_o says a key is loaded.
// gmac_*: modelock_gmac_finish's protocol (done 17 cycles after the start),
// with the loaded nonce and K_mac; never while busy_o (a key command):
// the sequencer starts checks only in runs.
module modelock_key_state (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          load_i,
  input  logic          clear_i,
  input  logic [31:0]   scheme_i,
  input  logic [63:0]   stream_bytes_i,
  input  logic [127:0]  key_i,     // key_0 in [31:0], little-endian words
  input  logic [127:0]  mac_i,
  input  logic [63:0]   nonce_i,
  output logic          busy_o,
  output logic          done_o,
  output logic [3:0]    status_o,
  output logic          loaded_o,
  output logic [1:0]    scheme_o,
  output logic [63:0]   stream_bytes_o,
  output logic [63:0]   nonce_o,
  output logic [1407:0] enc_round_keys_o,
  output logic [511:0]  h_powers_o,
  input  logic          table_rd_en_i,
  input  logic [modelock_crypto_pkg::SegmentBits-1:0] table_rd_addr_i,
  output logic [135:0]  table_rd_data_o,
  // a run's tag check (modelock_gmac_finish's ports; nonce and K_mac the loaded ones)
  input  logic          gmac_start_i,
  input  logic [127:0]  gmac_hash_i,
  input  logic [60:0]   gmac_length_i,
  input  logic [31:0]   gmac_iv_index_i,
  input  logic [127:0]  gmac_tag_i,
  output logic          gmac_done_o,
  output logic          gmac_match_o
);
  typedef enum logic [2:0] {Idle, Start, Build, Wipe, Done} state_e;
  state_e state_q;

  localparam logic [63:0] MaxDeeplockStream =
    64'(modelock_crypto_pkg::MaxCheckpoints) * 64'(modelock_crypto_pkg::CheckpointRounds) * 64'd16;

  localparam int unsigned CountW = modelock_crypto_pkg::SegmentCountBits;
  localparam int unsigned AddrW = modelock_crypto_pkg::SegmentBits;

  logic        bad, wipe_only_q, ok_q, status_bad_q;
  logic [CountW-1:0] segments_q;
  logic [127:0] key_q, mac_q;
  logic [CountW-1:0] segments, used_q, wipe_q, wipe_end_q;
  logic [127:0] key_block, mac_block;
  logic [63:0]  nonce_block;

  assign bad = scheme_i > 32'd2 || (scheme_i == 32'd1 && stream_bytes_i > MaxDeeplockStream);
  // ceil(ceil(stream_bytes / 16) / CheckpointRounds), at least 1: a segment
  // is SegmentBytes (1 KiB). Only read when the stream is within 64 MiB.
  assign segments = stream_bytes_i == 64'd0 ? CountW'(1)
      : CountW'((stream_bytes_i + 64'(modelock_crypto_pkg::SegmentBytes) - 64'd1)
                >> modelock_crypto_pkg::SegmentByteBits);
  assign key_block = modelock_crypto_pkg::block_bytes_le(key_i);
  assign mac_block = modelock_crypto_pkg::block_bytes_le(mac_i);
  always_comb begin
    for (int i = 0; i < 8; i++) nonce_block[63-8*i -: 8] = nonce_i[8*i +: 8];
  end

  logic clear_units, start_units;
  logic mac_done, enc_done, cp_done;
  logic mac_done_q, enc_done_q, cp_done_q;
  logic cp_wr_en;
  logic [AddrW-1:0] cp_wr_addr;
  logic [135:0] cp_wr_data;

  assign clear_units = (load_i || clear_i) && state_q == Idle;
  assign start_units = state_q == Start && !wipe_only_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Idle;
      wipe_only_q <= 1'b0;
      ok_q <= 1'b0;
      used_q <= '0;
      wipe_q <= '0;
      wipe_end_q <= '0;
      loaded_o <= 1'b0;
      scheme_o <= '0;
      stream_bytes_o <= '0;
      nonce_o <= '0;
      mac_done_q <= 1'b0;
      enc_done_q <= 1'b0;
      cp_done_q <= 1'b0;
    end else begin
      if (mac_done) mac_done_q <= 1'b1;
      if (enc_done) enc_done_q <= 1'b1;
      if (cp_done) cp_done_q <= 1'b1;
      case (state_q)
        Idle: if (load_i || clear_i) begin
          // Whatever was loaded is gone, whether or not this load succeeds.
          loaded_o <= 1'b0;
          scheme_o <= '0;
          stream_bytes_o <= '0;
          nonce_o <= '0;
          ok_q <= load_i && !bad;
          wipe_only_q <= clear_i || bad;
          state_q <= Start;
          if (load_i && !bad) begin
            scheme_o <= scheme_i[1:0];
            stream_bytes_o <= stream_bytes_i;
            nonce_o <= nonce_block;
          end
          mac_done_q <= 1'b0;
          enc_done_q <= scheme_i != 32'd2;
          cp_done_q <= scheme_i != 32'd1;
        end
        Start: begin
          if (wipe_only_q) begin
            wipe_q <= '0;
            wipe_end_q <= used_q;
            state_q <= Wipe;
          end else begin
            state_q <= Build;
          end
        end
        Build: if (mac_done_q && enc_done_q && cp_done_q) begin
          // Zero the entries a longer stream left beyond this one's.
          wipe_q <= scheme_o == 2'd1 ? segments_q : CountW'(0);
          wipe_end_q <= used_q;
          state_q <= Wipe;
        end
        Wipe: begin
          if (wipe_q < wipe_end_q) begin
            wipe_q <= wipe_q + CountW'(1);
          end else begin
            used_q <= ok_q && scheme_o == 2'd1 ? segments_q : CountW'(0);
            loaded_o <= ok_q;
            state_q <= Done;
          end
        end
        Done: state_q <= Idle;
        default: state_q <= Idle;
      endcase
      if (cp_wr_en && CountW'(cp_wr_addr) >= used_q) used_q <= CountW'(cp_wr_addr) + CountW'(1);
    end
  end

  always_ff @(posedge clk_i) begin
    if (load_i && state_q == Idle) begin
      segments_q <= segments;
      key_q <= key_block;
      mac_q <= mac_block;
    end else if (state_q == Done) begin
      key_q <= '0;  // the copies live only for the load
      mac_q <= '0;
    end
  end

  assign busy_o = state_q != Idle;
  assign done_o = state_q == Done;
  assign status_o = status_bad_q ? 4'(modelock_engine_pkg::StatusBadKey) : 4'(modelock_engine_pkg::StatusOk);
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) status_bad_q <= 1'b0;
    else if ((load_i || clear_i) && state_q == Idle) status_bad_q <= load_i && bad;
  end

  logic         key_aes_start, key_mul_start, check_start, aes_done, mul_done;
  logic [127:0] key_mul_a, check_block, check_mul_a, check_mul_c, aes_block, product;
  logic [127:0] mac_key;  // K_mac, held by modelock_mac_key for the AES core

  modelock_mac_key u_mac_key (
    .clk_i,
    .rst_ni,
    .start_i     (start_units),
    .clear_i     (clear_units),
    .key_i       (mac_q),
    .busy_o      (),
    .done_o      (mac_done),
    .key_o       (mac_key),
    .h_powers_o,
    .aes_start_o (key_aes_start),
    .aes_done_i  (aes_done),
    .aes_block_i (aes_block),
    .mul_start_o (key_mul_start),
    .mul_a_o     (key_mul_a),
    .mul_done_i  (mul_done),
    .product_i   (product)
  );

  modelock_gmac_finish u_gmac (
    .clk_i,
    .rst_ni,
    .start_i     (gmac_start_i),
    .hash_i      (gmac_hash_i),
    .length_i    (gmac_length_i),
    .nonce_i     (nonce_o),
    .iv_index_i  (gmac_iv_index_i),
    .tag_i       (gmac_tag_i),
    .busy_o      (),
    .done_o      (gmac_done_o),
    .match_o     (gmac_match_o),
    .core_start_o(check_start),
    .core_block_o(check_block),
    .core_mul_a_o(check_mul_a),
    .core_mul_c_o(check_mul_c),
    .aes_block_i (aes_block),
    .mul_done_i  (mul_done),
    .product_i   (product)
  );

  modelock_mac_cores u_mac_cores (
    .clk_i,
    .rst_ni,
    .clear_i        (clear_units),
    .key_i          (mac_key),
    .h_i            (h_powers_o[127:0]),
    .key_aes_start_i(key_aes_start),
    .key_mul_start_i(key_mul_start),
    .key_mul_a_i    (key_mul_a),
    .check_start_i  (check_start),
    .check_block_i  (check_block),
    .check_mul_a_i  (check_mul_a),
    .check_mul_c_i  (check_mul_c),
    .aes_done_o     (aes_done),
    .aes_block_o    (aes_block),
    .mul_done_o     (mul_done),
    .product_o      (product)
  );

  modelock_aes_key_expand u_enc_key (
    .clk_i,
    .rst_ni,
    .start_i     (start_units && scheme_o == 2'd2),
    .clear_i     (clear_units),
    .key_i       (key_q),
    .busy_o      (),
    .done_o      (enc_done),
    .round_keys_o(enc_round_keys_o)
  );

  modelock_deeplock_checkpoints u_checkpoints (
    .clk_i,
    .rst_ni,
    .start_i   (start_units && scheme_o == 2'd1),
    .clear_i   (clear_units),
    .key_i     (key_q),
    .segments_i(segments_q),
    .busy_o    (),
    .done_o    (cp_done),
    .wr_en_o   (cp_wr_en),
    .wr_addr_o (cp_wr_addr),
    .wr_data_o (cp_wr_data)
  );

  // A wipe writes cp_wr_data, not a 136-bit mux to zero (132 LUTs of this
  // module's own 414): the checkpoint builder puts out its state as
  // wr_data_o, and that is zero in Wipe. clear_units cleared it in Idle; a
  // build ends by zeroing it (no copy of the schedule outlives it), and for
  // the other schemes and refused loads it never started. sim/tests/
  // key_state reads the wiped entries back.
  logic wiping;
  assign wiping = state_q == Wipe && wipe_q < wipe_end_q;

  modelock_ram_1r1w_banked #(.WIDTH(136), .DEPTH(modelock_crypto_pkg::MaxCheckpoints), .BANKS(16)) u_table (
    .clk_i,
    .wr_en_i  (cp_wr_en || wiping),
    .wr_addr_i(wiping ? wipe_q[AddrW-1:0] : cp_wr_addr),
    .wr_data_i(cp_wr_data),  // zeros while wiping (above)
    .clear_i  (done_o),  // the command's last edge: no checkpoint read stays in the read register
    .rd_en_i  (table_rd_en_i),
    .rd_addr_i(table_rd_addr_i),
    .rd_data_o(table_rd_data_o)
  );
endmodule
