// modelock_program_check: decides whether the engine may run a program
// (docs/engine.md, "A run", step 4; "Program reader"): every field check
// the host's check_program and parse_program make, and the engine's own
// (every tensor inside the loaded key's stream_bytes). The program tag is
// checked by the GMAC datapath beside it, which reports tag_ok_i.
//
// Protocol. start_i (one cycle) begins a program; stream_bytes_i holds
// until done_o. The program's beats follow, one per beat_valid_i (any
// gaps, always taken): the header, 4L record beats, the trailer. After the
// header, header_valid_o (one cycle) says whether its layer count L is in
// 1..64 (layers_ok_o, layers_o): when it is not, done_o rises at once with
// status 3 and the reader must read no record. Otherwise the reader sends
// the 4L + 1 further beats, and tag_valid_i (one cycle, any time after the
// header) brings the tag verdict. done_o (one cycle) then gives status_o:
// 7 when the tag did not verify, else 3 when any field breaks a rule, else
// 0 (ok). Each record is checked in the cycle after its last beat, so
// done_o comes at the latest one cycle after both the trailer and the tag
// verdict. Every check is combinational on the buffered record and the
// running shape, so no program makes this module take longer or loop.
module modelock_program_check (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        start_i,
  input  logic [63:0] stream_bytes_i,
  input  logic        beat_valid_i,
  input  logic [511:0] beat_i,
  output logic        header_valid_o,
  output logic        layers_ok_o,
  output logic [6:0]  layers_o,
  input  logic        tag_valid_i,
  input  logic        tag_ok_i,
  output logic        done_o,
  output logic [3:0]  status_o
);
  localparam logic [3:0] StatusOk = 4'd0, StatusBadProgram = 4'd3, StatusProgramTagMismatch = 4'd7;

  function automatic logic [31:0] word(input logic [511:0] beat, input int unsigned i);
    word = beat[32*i+:32];
  endfunction

  // ---------------------------------------------------------------- shapes and windows
  typedef struct packed {
    logic [31:0] c, h, w;
  } shape_t;

  function automatic logic in_range(input logic [31:0] v, input logic [31:0] lo, input logic [31:0] hi);
    in_range = v >= lo && v <= hi;
  endfunction

  // (Functions call no function: Yosys 0.23 cannot size such calls.)
  // C, H, W each in [1, MaxDim] and C*H*W within MaxActivationBytes.
  function automatic logic dims_ok(input logic [95:0] s);  // a shape_t
    dims_ok = s[95:64] >= 32'd1 && s[95:64] <= 32'(modelock_engine_pkg::MaxDim) && s[63:32] >= 32'd1 &&
              s[63:32] <= 32'(modelock_engine_pkg::MaxDim) && s[31:0] >= 32'd1 &&
              s[31:0] <= 32'(modelock_engine_pkg::MaxDim) &&
              {32'd0, s[95:64]} * {32'd0, s[63:32]} * {32'd0, s[31:0]} <= 64'(modelock_engine_pkg::MaxActivationBytes);
  endfunction

  // Output extent of a window along one axis, 0 when the window does not
  // fit the padded input. Its result matters only where kernel, stride and
  // dilation are in range (every use is and-ed with those checks), so the
  // 40-bit arithmetic never wraps where it counts.
  function automatic logic [39:0] window_out(input logic [31:0] in, input logic [31:0] pad_a, input logic [31:0] pad_b,
                                             input logic [4:0] kernel, input logic [4:0] stride,
                                             input logic [4:0] dilation);
    logic [39:0] padded, extent;
    padded = 40'(in) + 40'(pad_a) + 40'(pad_b);
    extent = 40'(dilation) * (40'(kernel) - 40'd1) + 40'd1;
    if (padded < extent || stride == 5'd0) window_out = '0;
    else window_out = (padded - extent) / 40'(stride) + 40'd1;
  endfunction

  // ---------------------------------------------------------------- one record
  // The record's four beats, word i in bits 32*i +: 32.
  logic [2047:0] record_q;

  function automatic logic [31:0] rw(input logic [2047:0] words, input int unsigned i);
    rw = words[32*i+:32];
  endfunction

  function automatic logic zero_words(input logic [2047:0] words, input int unsigned from, input int unsigned to);
    zero_words = 1'b1;
    for (int i = 0; i < 64; i++) begin
      if (i >= from && i < to && words[32*i+:32] != '0) zero_words = 1'b0;
    end
  endfunction

  // A tensor reference: aligned in the blob and ending inside 2^64, inside
  // the key's stream, exactly `length` bytes, a tensor's IV index.
  function automatic logic tensor_ok(input logic [2047:0] words, input int unsigned role, input logic [31:0] length,
                                     input logic [63:0] stream_bytes);
    logic [63:0] blob, stream;
    logic [31:0] len, tag_index;
    int unsigned at;
    at = modelock_engine_pkg::LayerTensors + modelock_engine_pkg::TensorWords * role;
    blob = words[32*at+:64];
    stream = words[32*(at+2)+:64];
    len = words[32*(at+4)+:32];
    tag_index = words[32*(at+5)+:32];
    tensor_ok = blob[5:0] == 6'd0 && len == length && stream <= stream_bytes && {32'd0, len} <= stream_bytes - stream &&
                tag_index != 32'd0 && tag_index != 32'hffff_ffff && blob <= ~{32'd0, len};
  endfunction

  shape_t      shape_q;  // the current layer's input
  shape_t      out;
  logic        layer_ok;
  logic [31:0] op, flags, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, rows, cols;
  logic        no_window, no_gemm, conv_ok, pool_ok;
  logic [63:0] in_volume;

  // The check of a buffered record. Everything it computes is read only in
  // the cycle record_full_q says a record is complete (once per layer), and
  // is zero in every other cycle: the enable folds into the registers that
  // take it, and Verilator does not redo the whole check every cycle.
  always_comb begin
    {op, flags, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, rows, cols} = '0;
    out = '0;
    in_volume = '0;
    {no_window, no_gemm, conv_ok, pool_ok, layer_ok} = '0;
    if (record_full_q) begin
      op = rw(record_q, modelock_engine_pkg::LayerOp);
      flags = rw(record_q, modelock_engine_pkg::LayerFlags);
      kh = rw(record_q, modelock_engine_pkg::LayerKernelH);
      kw = rw(record_q, modelock_engine_pkg::LayerKernelW);
      sh = rw(record_q, modelock_engine_pkg::LayerStrideH);
      sw = rw(record_q, modelock_engine_pkg::LayerStrideW);
      pt = rw(record_q, modelock_engine_pkg::LayerPadTop);
      pl = rw(record_q, modelock_engine_pkg::LayerPadLeft);
      pb = rw(record_q, modelock_engine_pkg::LayerPadBottom);
      pr = rw(record_q, modelock_engine_pkg::LayerPadRight);
      dh = rw(record_q, modelock_engine_pkg::LayerDilationH);
      dw = rw(record_q, modelock_engine_pkg::LayerDilationW);
      rows = rw(record_q, modelock_engine_pkg::LayerRows);
      cols = rw(record_q, modelock_engine_pkg::LayerCols);
      out.c = rw(record_q, modelock_engine_pkg::LayerOutC);
      out.h = rw(record_q, modelock_engine_pkg::LayerOutH);
      out.w = rw(record_q, modelock_engine_pkg::LayerOutW);
      in_volume = {32'd0, shape_q.c} * {32'd0, shape_q.h} * {32'd0, shape_q.w};
      no_window = zero_words(record_q, modelock_engine_pkg::LayerKernelH, modelock_engine_pkg::LayerDilationW + 1);
      no_gemm = rows == '0 && cols == '0 && zero_words(record_q, modelock_engine_pkg::LayerTensors, 64);
      // A window op's kernel and stride in range (conv: dilation too).
      pool_ok = in_range(kh, 1, modelock_engine_pkg::MaxKernel) && in_range(kw, 1, modelock_engine_pkg::MaxKernel) &&
                in_range(sh, 1, modelock_engine_pkg::MaxStride) && in_range(sw, 1, modelock_engine_pkg::MaxStride);
      conv_ok = pool_ok && in_range(dh, 1, modelock_engine_pkg::MaxDilation) &&
                in_range(dw, 1, modelock_engine_pkg::MaxDilation) &&
                // each pad at most dilation * (kernel - 1)
                pt <= dh * (kh - 32'd1) && pb <= dh * (kh - 32'd1) && pl <= dw * (kw - 32'd1) &&
                pr <= dw * (kw - 32'd1) && 64'(cols) == 64'(shape_q.c) * 64'(kh) * 64'(kw) && out.c == rows &&
                40'(out.h) == window_out(shape_q.h, pt, pb, kh[4:0], sh[4:0], dh[4:0]) &&
                40'(out.w) == window_out(shape_q.w, pl, pr, kw[4:0], sw[4:0], dw[4:0]);

      layer_ok = rw(record_q, modelock_engine_pkg::LayerInC) == shape_q.c && rw(record_q, modelock_engine_pkg::LayerInH) == shape_q.h &&
                 rw(record_q, modelock_engine_pkg::LayerInW) == shape_q.w && dims_ok(out) &&
                 zero_words(record_q, 20, modelock_engine_pkg::LayerTensors);
      case (op)
        modelock_engine_pkg::OpGemm, modelock_engine_pkg::OpConv: begin
          layer_ok = layer_ok && (flags & ~modelock_engine_pkg::FlagRelu) == '0 &&
                     in_range(rows, 1, modelock_engine_pkg::MaxRows) && in_range(cols, 1, modelock_engine_pkg::MaxCols) &&
                     (op == modelock_engine_pkg::OpGemm ?
                          no_window && 64'(cols) == in_volume && out.c == rows && out.h == 32'd1 && out.w == 32'd1 :
                          conv_ok) &&
                     // rows * ceil(cols / 64) * 64, 4 rows, 4 rows, rows
                     tensor_ok(record_q, modelock_engine_pkg::RoleWeight, rows * ((cols + 32'd63) & ~32'd63), stream_bytes_i) &&
                     tensor_ok(record_q, modelock_engine_pkg::RoleBias, rows << 2, stream_bytes_i) &&
                     tensor_ok(record_q, modelock_engine_pkg::RoleMultiplier, rows << 2, stream_bytes_i) &&
                     tensor_ok(record_q, modelock_engine_pkg::RoleShift, rows, stream_bytes_i);
        end
        modelock_engine_pkg::OpMaxPool, modelock_engine_pkg::OpAveragePool: begin
          layer_ok = layer_ok && no_gemm && dh == '0 && dw == '0 && pool_ok &&
                     (flags & ~(op == modelock_engine_pkg::OpAveragePool ? modelock_engine_pkg::FlagCountIncludePad : 32'd0)) == '0 &&
                     pt < kh && pb < kh && pl < kw && pr < kw && out.c == shape_q.c &&
                     40'(out.h) == window_out(shape_q.h, pt, pb, kh[4:0], sh[4:0], 5'd1) &&
                     40'(out.w) == window_out(shape_q.w, pl, pr, kw[4:0], sw[4:0], 5'd1);
        end
        modelock_engine_pkg::OpGlobalAveragePool: begin
          layer_ok = layer_ok && flags == '0 && no_gemm && no_window && out.c == shape_q.c && out.h == 32'd1 &&
                     out.w == 32'd1;
        end
        modelock_engine_pkg::OpFlatten: begin
          layer_ok = layer_ok && flags == '0 && no_gemm && no_window && 64'(out.c) == in_volume && out.h == 32'd1 &&
                     out.w == 32'd1;
        end
        default: layer_ok = 1'b0;
      endcase
    end
  end

  // ---------------------------------------------------------------- the program, beat by beat
  typedef enum logic [2:0] {Idle, Header, Records, Trailer, Finish} state_e;
  state_e      state_q;
  logic [8:0]  beats_left_q;   // record beats still to come
  logic [1:0]  beat_in_record_q;
  logic        record_full_q;  // a whole record is buffered: check it this cycle
  logic        fields_ok_q, tag_seen_q, tag_ok_q;
  logic [31:0] classes_q, last_op_q;
  logic [6:0]  layers;
  shape_t      header_shape;

  // The layer count, or 0 when it is outside 1..MaxLayers.
  assign layers = in_range(beat_i[32*modelock_engine_pkg::HeaderLayers+:32], 1, modelock_engine_pkg::MaxLayers) ?
                  beat_i[32*modelock_engine_pkg::HeaderLayers+:7] : 7'd0;
  assign header_shape.c = word(beat_i, modelock_engine_pkg::HeaderInputC);
  assign header_shape.h = word(beat_i, modelock_engine_pkg::HeaderInputH);
  assign header_shape.w = word(beat_i, modelock_engine_pkg::HeaderInputW);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Idle;
      beats_left_q <= '0;
      beat_in_record_q <= '0;
      record_full_q <= 1'b0;
      fields_ok_q <= 1'b0;
      tag_seen_q <= 1'b0;
      tag_ok_q <= 1'b0;
      classes_q <= '0;
      last_op_q <= '0;
      shape_q <= '0;
      record_q <= '0;
      header_valid_o <= 1'b0;
      layers_ok_o <= 1'b0;
      layers_o <= '0;
      done_o <= 1'b0;
      status_o <= StatusOk;
    end else begin
      header_valid_o <= 1'b0;
      done_o <= 1'b0;
      record_full_q <= 1'b0;
      if (tag_valid_i) begin
        tag_seen_q <= 1'b1;
        tag_ok_q <= tag_ok_i;
      end
      if (record_full_q) begin
        fields_ok_q <= fields_ok_q && layer_ok;
        shape_q <= out;
        last_op_q <= op;
      end
      case (state_q)
        Idle: ;
        Header: if (beat_valid_i) begin
          header_valid_o <= 1'b1;
          layers_ok_o <= layers != 7'd0;
          layers_o <= layers;
          beats_left_q <= {layers, 2'b00};
          beat_in_record_q <= '0;
          shape_q <= header_shape;
          classes_q <= word(beat_i, modelock_engine_pkg::HeaderClasses);
          fields_ok_q <= word(beat_i, modelock_engine_pkg::HeaderMagic) == modelock_engine_pkg::ProgramMagic &&
                         word(beat_i, modelock_engine_pkg::HeaderVersion) == modelock_engine_pkg::ProgramVersion &&
                         dims_ok(header_shape) &&
                         in_range(word(beat_i, modelock_engine_pkg::HeaderClasses), 1, modelock_engine_pkg::MaxClasses) &&
                         beat_i[511:32*(modelock_engine_pkg::HeaderClasses+1)] == '0;
          if (layers == 7'd0) begin
            done_o <= 1'b1;
            status_o <= StatusBadProgram;
            state_q <= Idle;
          end else begin
            state_q <= Records;
          end
        end
        Records: if (beat_valid_i) begin
          record_q[512*beat_in_record_q+:512] <= beat_i;
          beat_in_record_q <= beat_in_record_q + 2'd1;
          record_full_q <= beat_in_record_q == 2'd3;
          beats_left_q <= beats_left_q - 9'd1;
          if (beats_left_q == 9'd1) state_q <= Trailer;
        end
        Trailer: if (beat_valid_i) begin
          fields_ok_q <= fields_ok_q && (record_full_q ? layer_ok : 1'b1) && beat_i[511:128] == '0;
          state_q <= Finish;
        end
        Finish: if (tag_seen_q) begin
          // The last record was checked (in the trailer's cycle at the latest).
          done_o <= 1'b1;
          state_q <= Idle;
          if (!tag_ok_q) status_o <= StatusProgramTagMismatch;
          else if (fields_ok_q && (last_op_q == modelock_engine_pkg::OpGemm || last_op_q == modelock_engine_pkg::OpConv) &&
                   shape_q.c == classes_q && shape_q.h == 32'd1 && shape_q.w == 32'd1) status_o <= StatusOk;
          else status_o <= StatusBadProgram;
        end
        default: state_q <= Idle;
      endcase
      if (start_i) begin
        state_q <= Header;
        tag_seen_q <= 1'b0;
        tag_ok_q <= 1'b0;
        end
    end
  end

endmodule
