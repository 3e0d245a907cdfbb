// modelock_keystream_walk: the keystream requests of a whole run, in the
// order the layers will consume them (docs/engine.md, "Layers"). The program
// names every tensor's stream offset and length, and the run's steps follow
// from it alone: for each gemm or conv layer in program order its bias,
// multiplier and shift, then its weight once per pass (ceil(batch * OH * OW
// / B) passes for a conv, one for a gemm), as modelock_matrix_layer runs
// them. Pools and flatten have no tensor.
//
// So the keystream (modelock_deeplock_keystream or modelock_ctr_keystream)
// gets each tensor's request long before modelock_tensor_stream wants its
// first beat: the keystream runs ahead, and a deeplock seek or the AES
// pipeline's fill costs no cycle between tensors, layers or passes. The
// keystream's own flow control bounds how far ahead: a request waits here
// until the keystream takes it.
//
// The walk reads the records from the program reader's record memory
// through a port it shares with the sequencer, which has priority
// (rd_grant_i: the read is done this cycle; its data comes the cycle
// after). One read a tensor (the reference's beat), one a layer (its op and
// output shape): a request every few cycles, far faster than any tensor is
// consumed.
//
// Protocol: start_i once the program has verified (its records then hold
// still); clear_i (the end of a run, whatever its status) stops the walk.
// Requests past a layer whose tag failed are dropped by the keystream's
// own clear at the same time.
module modelock_keystream_walk #(
  parameter int unsigned B = modelock_engine_pkg::Batch,
  localparam int unsigned ImageW = $clog2(B)
) (
  input  logic           clk_i,
  input  logic           rst_ni,
  input  logic           start_i,
  input  logic           clear_i,
  input  logic [6:0]     layers_i,   // 1..64, checked
  input  logic [ImageW:0] batch_i,   // 1..B, checked
  // the record memory (4 beats a layer)
  output logic           rd_en_o,
  output logic [7:0]     rd_addr_o,
  input  logic           rd_grant_i,
  input  logic [511:0]   rd_data_i,
  // the keystream's request port
  output logic           req_valid_o,
  input  logic           req_ready_i,
  output logic [63:0]    req_offset_o,
  output logic [31:0]    req_beats_o
);
  typedef enum logic [2:0] {Idle, ReadOp, TakeOp, ReadRef, TakeRef, Request} state_e;
  state_e state_q;

  logic [5:0]  layer_q;
  logic [1:0]  role_q;        // the tensor to request: bias, multiplier, shift, then weight
  logic [19:0] items_left_q;  // the layer's items not yet in a pass (as the matrix layer counts them)
  logic [63:0] offset_q;
  logic [31:0] length_q;

  // The record's words this walk needs, by beat (docs/engine.md, "Layer
  // record"): beat 0 words 0 (op), 6, 7 (out H, W); a tensor reference's
  // stream offset (words 2, 3) and length (word 4) in beat 1 (the weight,
  // words 24..29) or beat 2 (bias 30..35, multiplier 36..41, shift 42..47).
  localparam int unsigned RefBase = modelock_engine_pkg::LayerTensors;
  localparam int unsigned RefWords = modelock_engine_pkg::TensorWords;
  logic [1:0]  ref_beat;
  logic [3:0]  ref_word;      // the reference's stream offset word within its beat
  logic [8:0]  ref_bit;
  logic [31:0] op, out_h, out_w;
  logic        matrix;
  logic [15:0] positions;
  logic        read;

  always_comb begin
    ref_beat = 2'((RefBase + RefWords * role_q + 2) / 16);
    ref_word = 4'((RefBase + RefWords * role_q + 2) % 16);
  end
  assign ref_bit = {ref_word, 5'b0};
  assign op = rd_data_i[32*modelock_engine_pkg::LayerOp +: 32];
  assign out_h = rd_data_i[32*modelock_engine_pkg::LayerOutH +: 32];
  assign out_w = rd_data_i[32*modelock_engine_pkg::LayerOutW +: 32];
  assign matrix = op == modelock_engine_pkg::OpGemm || op == modelock_engine_pkg::OpConv;
  assign positions = op == modelock_engine_pkg::OpConv ? 16'(out_h * out_w) : 16'd1;

  assign rd_en_o = state_q == ReadOp || state_q == ReadRef;
  assign rd_addr_o = {layer_q, state_q == ReadOp ? 2'd0 : ref_beat};
  assign read = rd_en_o && rd_grant_i;

  assign req_valid_o = state_q == Request;
  assign req_offset_o = offset_q;
  assign req_beats_o = (length_q + 32'd63) >> 6;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Idle;
      layer_q <= '0;
      role_q <= '0;
      items_left_q <= '0;
      offset_q <= '0;
      length_q <= '0;
    end else if (clear_i) begin
      state_q <= Idle;
    end else begin
      case (state_q)
        Idle: if (start_i) begin
          state_q <= ReadOp;
          layer_q <= '0;
        end
        ReadOp: if (read) state_q <= TakeOp;
        TakeOp: begin
          role_q <= 2'(modelock_engine_pkg::RoleBias);
          items_left_q <= 20'(batch_i) * 20'(positions);
          if (matrix) state_q <= ReadRef;
          else if (7'(layer_q) == layers_i - 7'd1) state_q <= Idle;
          else begin
            layer_q <= layer_q + 6'd1;
            state_q <= ReadOp;
          end
        end
        ReadRef: if (read) state_q <= TakeRef;
        TakeRef: begin
          offset_q <= rd_data_i[ref_bit +: 64];
          length_q <= rd_data_i[ref_bit + 9'd64 +: 32];
          state_q <= Request;
        end
        Request: if (req_ready_i) begin
          if (role_q != 2'(modelock_engine_pkg::RoleWeight)) begin
            // Bias, multiplier, shift, then the weight (role 0).
            role_q <= role_q == 2'(modelock_engine_pkg::RoleShift) ? 2'(modelock_engine_pkg::RoleWeight) : role_q + 2'd1;
            state_q <= ReadRef;
          end else if (items_left_q > 20'(B)) begin
            items_left_q <= items_left_q - 20'(B);  // the next pass: the same tensor again
          end else if (7'(layer_q) == layers_i - 7'd1) begin
            state_q <= Idle;
          end else begin
            layer_q <= layer_q + 6'd1;
            state_q <= ReadOp;
          end
        end
        default: state_q <= Idle;
      endcase
    end
  end
endmodule
