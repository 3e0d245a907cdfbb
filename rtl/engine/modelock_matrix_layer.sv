// modelock_matrix_layer: the control of one gemm or conv layer
// (docs/engine.md, "Layers"): its steps one after another through
// modelock_tensor_stream, the layer's one crypto datapath. Steps 0..2 are
// the bias, multiplier and shift, whose plaintext beats go to the
// parameter store (modelock_requantize's param port); then the weight,
// once per pass of B operand items (a gemm's images: one pass; a conv's
// (image, position) items: ceil(batch*OH*OW / B) passes), every pass read,
// unlocked, hashed and tag-checked again.
//
// A pass: the pass items advance (modelock_pass_items), the MAC array and
// requantize restart their row counts (pass_start_o), then at once the
// operand rows load (modelock_operands) and the weight tensor stream
// starts; its plaintext waits for the operands (the unlock's polls count
// that as stalled on output), then goes beat by beat into the MAC array.
// Each requantized row m is placed: value b at byte m*P + p_b of image
// image_b (P = OH*OW, 1 for a gemm) for every item that exists. The pass
// ends when its tensor is streamed (every beat unlocked and hashed, its tag
// check started: ts_streamed_i) and all its rows are placed; the next step
// starts while that check runs. A step's check ends (ts_done_i) before the
// next step's begins, and the layer is done only when its last check has
// ended.
//
// A tag that does not verify sets bit role of tag_bits_o (and pulses
// tag_mismatch_o with role_o, the role of the step whose check ended); the
// layer still runs all its steps, as the HLS kernel's tags_layer does, and
// the sequencer stops the run after it: results stay on chip until every
// tag has verified.
//
// The plaintext itself goes from the tensor stream straight to the store
// and the MAC array; this module only says where and when.
//
// Protocol: record_i and batch_i hold from start_i (while !busy_o) until
// done_o (one cycle).
module modelock_matrix_layer #(
  parameter int unsigned B = modelock_engine_pkg::Batch,
  localparam int unsigned ImageW = $clog2(B)
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                start_i,
  input  logic [2047:0]       record_i,
  input  logic [ImageW:0]     batch_i,
  output logic                busy_o,
  output logic                done_o,
  output logic [3:0]          tag_bits_o,
  output logic                tag_mismatch_o,
  output logic [1:0]          role_o,
  // the tensor stream
  output logic                ts_start_o,
  output logic [63:0]         ts_blob_addr_o,
  output logic [31:0]         ts_length_o,
  output logic [31:0]         ts_tag_index_o,
  output logic [127:0]        ts_tag_o,
  input  logic                ts_streamed_i,
  input  logic                ts_done_i,
  input  logic                ts_match_i,
  input  logic                plain_valid_i,
  output logic                plain_ready_o,
  // the parameter store, and the pass of the MAC array and requantize
  output logic                param_valid_o,
  output logic [1:0]          param_role_o,
  output logic [7:0]          param_beat_o,
  output logic                pass_start_o,
  output logic                w_valid_o,
  input  logic                w_ready_i,
  // the pass items and the operands
  output logic                items_start_o,
  output logic                items_next_o,
  input  logic [B-1:0]        item_valid_i,
  input  logic [B*ImageW-1:0] item_image_i,
  input  logic [B*16-1:0]     item_position_i,
  output logic                operands_start_o,
  input  logic                operands_done_i,
  // requantized rows in, placed in the destination buffer
  input  logic                row_valid_i,
  input  logic [B*8-1:0]      row_i,
  output logic                place_en_o,
  output logic [B-1:0]        place_valid_o,
  output logic [B*ImageW-1:0] place_image_o,
  output logic [B*16-1:0]     place_addr_o,
  output logic [B*8-1:0]      place_data_o
);
  // Record words are read by part-selects, record_i[32 i +: 32], not through
  // a function: Verilator copies a function's 2048-bit argument at every
  // call, in every cycle.

  typedef enum logic [2:0] {Idle, Param, PassStart, PassRun, Pass, Checks, Done} state_e;
  state_e state_q;

  logic [1:0]  role_q;         // the step's tensor role
  logic        busy_step_q;    // a parameter step's stream is running
  logic [7:0]  param_beat_q;
  logic        first_pass_q, loaded_q, streamed_q;
  logic [1:0]  check_role_q;   // the role of the step whose check runs
  logic        checking_q;     // a step's check runs
  logic [19:0] items_left_q;   // items of the layer not yet in a pass
  logic [12:0] rows_left_q;
  logic [15:0] row_base_q;     // m * P
  logic [15:0] positions;      // P
  logic        conv;

  assign conv = record_i[32*modelock_engine_pkg::LayerOp +: 32] == modelock_engine_pkg::OpConv;
  assign positions = conv ? 16'(record_i[32*modelock_engine_pkg::LayerOutH +: 32] * record_i[32*modelock_engine_pkg::LayerOutW +: 32])
                          : 16'd1;

  // The tensor reference of the step's role: blob offset, then (words 2, 3,
  // the stream offset, which modelock_keystream_walk gives the keystream)
  // length and tag index, and its tag. Each role's fields are taken at
  // constant places and one modelock_mux4 level chooses by role_q: Yosys
  // 0.23 built the variable part-selects record_i[32*(... role_q) +: w] as
  // shifters over the whole 2048-bit record: 2,118 LUTs alone before,
  // 551 after (295 here, 256 in the 256-bit mux4: one LUT6 a bit);
  // synth-rtl.sh --one modelock_matrix_layer, B = 8, Yosys 0.23.
  localparam int unsigned RefBase = modelock_engine_pkg::LayerTensors;
  localparam int unsigned RefWords = modelock_engine_pkg::TensorWords;
  localparam int unsigned RefW = 64 + 32 + 32 + 128;
  logic [4*RefW-1:0] refs;
  for (genvar r = 0; r < 4; r++) begin : g_ref
    // Tag bytes in order in the record's words (little-endian): the block
    // is their byte reversal, which block_bytes_le is.
    assign refs[RefW*r +: RefW] = {
      modelock_crypto_pkg::block_bytes_le(record_i[32*(modelock_engine_pkg::LayerTags + 4*r) +: 128]),
      record_i[32*(RefBase + RefWords*r + 5) +: 32],
      record_i[32*(RefBase + RefWords*r + 4) +: 32],
      record_i[32*(RefBase + RefWords*r) +: 64]};
  end
  // (The stream offsets, the reserved words and the fields other modules
  // check or read are not used here.)
  logic unused_record;
  assign unused_record = ^record_i;
  modelock_mux4 #(.W(RefW)) u_ref (
    .in_i (refs),
    .sel_i(role_q),
    .out_o({ts_tag_o, ts_tag_index_o, ts_length_o, ts_blob_addr_o})
  );

  assign ts_start_o = (state_q == Param && !busy_step_q) || state_q == PassRun;

  // Plaintext: parameters always go; weights once the operands are in.
  assign param_valid_o = state_q == Param && plain_valid_i;
  assign param_role_o = role_q;
  assign param_beat_o = param_beat_q;
  assign w_valid_o = state_q == Pass && loaded_q && plain_valid_i;
  assign plain_ready_o = state_q == Param || (state_q == Pass && loaded_q && w_ready_i);

  assign pass_start_o = state_q == PassStart;
  assign items_start_o = state_q == PassStart && first_pass_q;
  assign items_next_o = state_q == PassStart && !first_pass_q;
  assign operands_start_o = state_q == PassRun;

  assign tag_mismatch_o = ts_done_i && !ts_match_i;
  assign role_o = check_role_q;

  // Placement of a requantized row: always taken.
  assign place_en_o = row_valid_i;
  assign place_valid_o = item_valid_i;
  assign place_image_o = item_image_i;
  assign place_data_o = row_i;
  for (genvar b = 0; b < B; b++) begin : g_place
    assign place_addr_o[16*b +: 16] = row_base_q + item_position_i[16*b +: 16];
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Idle;
      role_q <= '0;
      param_beat_q <= '0;
      busy_step_q <= 1'b0;
      first_pass_q <= 1'b0;
      loaded_q <= 1'b0;
      streamed_q <= 1'b0;
      check_role_q <= '0;
      checking_q <= 1'b0;
      items_left_q <= '0;
      rows_left_q <= '0;
      row_base_q <= '0;
      tag_bits_o <= '0;
    end else begin
      if (tag_mismatch_o) tag_bits_o[check_role_q] <= 1'b1;
      if (ts_streamed_i) begin
        check_role_q <= role_q;
        checking_q <= 1'b1;
      end
      if (ts_done_i) checking_q <= 1'b0;
      if (row_valid_i) begin
        row_base_q <= row_base_q + positions;
        rows_left_q <= rows_left_q - 13'd1;
      end
      case (state_q)
        Idle: if (start_i) begin
          state_q <= Param;
          role_q <= 2'(modelock_engine_pkg::RoleBias);
          param_beat_q <= '0;
          busy_step_q <= 1'b0;
          tag_bits_o <= '0;
          first_pass_q <= 1'b1;
          items_left_q <= 20'(batch_i) * 20'(positions);
        end
        Param: begin
          if (ts_start_o) busy_step_q <= 1'b1;
          if (param_valid_o) param_beat_q <= param_beat_q + 8'd1;
          if (ts_streamed_i) begin
            busy_step_q <= 1'b0;
            param_beat_q <= '0;
            if (role_q == 2'(modelock_engine_pkg::RoleShift)) begin
              state_q <= PassStart;
              role_q <= 2'(modelock_engine_pkg::RoleWeight);
            end else begin
              role_q <= role_q + 2'd1;
            end
          end
        end
        PassStart: begin
          state_q <= PassRun;
          first_pass_q <= 1'b0;
          loaded_q <= 1'b0;
          streamed_q <= 1'b0;
          rows_left_q <= 13'(record_i[32*modelock_engine_pkg::LayerRows +: 32]);
          row_base_q <= '0;
        end
        PassRun: state_q <= Pass;
        Pass: begin
          if (operands_done_i) loaded_q <= 1'b1;
          if (ts_streamed_i) streamed_q <= 1'b1;
          if ((streamed_q || ts_streamed_i) && rows_left_q == 13'd0) begin
            if (items_left_q <= 20'(B)) begin
              state_q <= Checks;
            end else begin
              items_left_q <= items_left_q - 20'(B);
              state_q <= PassStart;
            end
          end
        end
        // The last pass's check.
        Checks: if (!checking_q) state_q <= Done;
        Done: state_q <= Idle;
        default: state_q <= Idle;
      endcase
    end
  end

  assign busy_o = state_q != Idle;
  assign done_o = state_q == Done;
endmodule
