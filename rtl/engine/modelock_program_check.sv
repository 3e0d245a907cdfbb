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
// 0 (ok). Every beat is checked in the cycle it is taken, so done_o comes
// at the latest one cycle after both the trailer and the tag verdict, as
// when each record was checked whole in the cycle after its last beat:
// the beat-by-beat check adds no cycle to a run. No program makes this
// module take longer or loop.
//
// Beat by beat. A record's fields are checked as its four beats arrive,
// each beat against its own words and the few fields of the record's
// earlier beats it needs, kept narrow: past its range check a field's high
// bits are zero, so C, H and W keep 13 bits (MaxDim 4096), a kernel 5, a
// pad 8 (at most 16 * 15), rows 13. Each check below is and-ed with the
// range checks that make its narrow form exact, and any failed check
// fails the program, so a narrow value matters only where every check
// before it held. No record is buffered, and no check divides: a
// window's output size n along an axis is checked as (n - 1) * stride <=
// padded - extent < n * stride, the tensor lengths from the 13-bit rows
// and the 14-bit cols. (Each record used to be buffered and checked in one
// cycle with 64-bit products and 40-bit divisions: 39,736 LUTs of
// synth_xilinx alone, rtl/doc/theory_of_operation.md.)
// A window's check is split over the record's first two beats (below,
// "a window along one axis"): all in the second made the longest path,
// about 7.3 ns; now about 5.35 ns.
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

  // Narrow widths, each holding its limit.
  localparam int unsigned DimW = $clog2(modelock_engine_pkg::MaxDim + 1);                            // 13
  localparam int unsigned VolumeW = $clog2(modelock_engine_pkg::MaxActivationBytes + 1);             // 17
  localparam int unsigned KernelW = $clog2(modelock_engine_pkg::MaxKernel + 1);                      // 5
  localparam int unsigned StrideW = $clog2(modelock_engine_pkg::MaxStride + 1);                      // 5
  localparam int unsigned DilationW = $clog2(modelock_engine_pkg::MaxDilation + 1);                  // 5
  // A dilated kernel's extent - 1, dilation * (kernel - 1): at most 240, 8 bits.
  localparam int unsigned MaxReach = modelock_engine_pkg::MaxDilation * (modelock_engine_pkg::MaxKernel - 1);
  localparam int unsigned ExtentW = $clog2(MaxReach + 1);
  localparam int unsigned PadW = ExtentW;  // a pad is at most the reach (conv) or below the kernel (pool)
  localparam int unsigned PaddedW = $clog2(modelock_engine_pkg::MaxDim + 2 * MaxReach + 1);  // 13
  localparam int unsigned RowsW = $clog2(modelock_engine_pkg::MaxRows + 1);                          // 13
  localparam int unsigned ColsW = $clog2(modelock_engine_pkg::MaxCols + 1);                          // 14
  localparam int unsigned ColBlocksW = ColsW - 5;                               // ceil(cols / 64) <= 128
  localparam int unsigned WeightW = RowsW + ColBlocksW + 6;                     // rows * ceil(cols / 64) * 64
  localparam int unsigned ConvColsW = DimW + 2 * KernelW;                       // C * kernel_h * kernel_w
  localparam int unsigned ClassesW = $clog2(modelock_engine_pkg::MaxClasses + 1);                    // 13

  function automatic logic [31:0] word(input logic [511:0] beat, input int unsigned i);
    word = beat[32*i+:32];
  endfunction

  function automatic logic in_range(input logic [31:0] v, input logic [31:0] lo, input logic [31:0] hi);
    in_range = v >= lo && v <= hi;
  endfunction

  // Words [from, to) of a beat are zero.
  function automatic logic zero_words(input logic [511:0] beat, input int unsigned from, input int unsigned to);
    zero_words = 1'b1;
    for (int i = 0; i < 16; i++) begin
      if (i >= from && i < to && beat[32*i+:32] != '0) zero_words = 1'b0;
    end
  endfunction

  // (Functions call no function: Yosys 0.23 cannot size such calls.)
  // A tensor's blob offset: 64-aligned, its end (for `length` bytes) inside 2^64.
  function automatic logic blob_ok(input logic [63:0] blob, input logic [31:0] length);
    blob_ok = blob[5:0] == 6'd0 && blob <= ~{32'd0, length};
  endfunction

  // The rest of a tensor reference: exactly `length` bytes, inside the
  // key's stream, a tensor's IV index (neither the header's 0 nor the
  // program's 2^32 - 1). With len == length, stream + length <= stream_bytes
  // is the reader's stream <= stream_bytes && len <= stream_bytes - stream.
  function automatic logic placed_ok(input logic [63:0] stream, input logic [31:0] len, input logic [31:0] tag_index,
                                     input logic [31:0] length, input logic [63:0] stream_bytes);
    placed_ok = len == length && {1'b0, stream} + {33'd0, length} <= {1'b0, stream_bytes} && tag_index != 32'd0 &&
                tag_index != 32'hffff_ffff;
  endfunction

  // ---------------------------------------------------------------- state
  typedef enum logic [2:0] {Idle, Header, Records, Trailer, Finish} state_e;
  state_e      state_q;
  logic [8:0]  beats_left_q;   // record beats still to come
  logic [1:0]  beat_in_record_q;
  logic        fields_ok_q, tag_seen_q, tag_ok_q;
  logic [ClassesW-1:0] classes_q;
  // The current layer's input (the header's, then each record's output)
  // and its C*H*W: taken with a record's first beat.
  logic [DimW-1:0]    shape_c_q, shape_h_q, shape_w_q;
  logic [VolumeW-1:0] volume_q;

  // The fields of the record's earlier beats its later beats need.
  logic               matrix_q, conv_q, window_q;  // gemm or conv; conv; conv or a pool
  logic [DimW-1:0]    in_c_q, out_c_q;
  logic [VolumeW-1:0] in_volume_q;
  logic [KernelW-1:0] kernel_h_q, kernel_w_q;
  logic [PadW-1:0]    pad_t_q, pad_l_q, pad_b_q, pad_r_q;
  logic [RowsW-1:0]   rows_q;
  logic [PaddedW+2*SlackW:0] span_h_q, span_w_q;  // window_span along each axis

  // ---------------------------------------------------------------- C*H*W
  // Of the header's input or of a record's output, each dimension in
  // [1, MaxDim] (checked beside it); C*H beyond the limit already fails.
  logic [DimW-1:0]        volume_c, volume_h, volume_w;
  logic [2*DimW-1:0]      volume_ch;
  logic [VolumeW+DimW-1:0] volume_chw;
  logic [VolumeW-1:0]     volume;
  logic                   volume_ok;

  assign volume_ch = (2 * DimW)'(volume_c) * (2 * DimW)'(volume_h);
  assign volume_chw = (VolumeW + DimW)'(volume_ch[VolumeW-1:0]) * (VolumeW + DimW)'(volume_w);
  assign volume_ok = volume_ch <= (2 * DimW)'(modelock_engine_pkg::MaxActivationBytes) &&
                     volume_chw <= (VolumeW + DimW)'(modelock_engine_pkg::MaxActivationBytes);
  assign volume = volume_chw[VolumeW-1:0];

  function automatic logic dim_ok(input logic [31:0] v);
    dim_ok = v >= 32'd1 && v <= 32'(modelock_engine_pkg::MaxDim);
  endfunction

  // ---------------------------------------------------------------- a window along one axis
  // Pads at most the dilated kernel's extent - 1 = dilation * (kernel - 1)
  // (a pool's dilation is 1: pads below the kernel), and out the output
  // size: (out - 1) * stride <= padded - extent < out * stride, which is
  // out == (padded - extent) / stride + 1 without the division. out >= 1
  // (its range check); kernel, stride, dilation in range.
  //
  // In two halves, one a beat: with reach = extent - 1 and
  // slack = padded - 1 - (out - 1) * stride, the test is
  // slack >= reach > slack - stride. The record's first beat brings in,
  // pads, stride and out: window_span gives padded, slack and slack -
  // stride (signed: slack may be below zero), kept in registers. The
  // second brings the dilation: window_ok only multiplies it into the
  // reach and compares. (Both halves in the second beat's cycle made the
  // module's longest path, 12 LUTs and 7 carry blocks, about 7.3 ns from
  // conv_q, against the 3.33 ns of 300 MHz.)
  localparam int unsigned SlackW = DimW + StrideW + 1;  // (out - 1) * stride < 2^17, signed
  function automatic logic [PaddedW+2*SlackW:0] window_span(input logic [DimW-1:0] in, input logic [PadW-1:0] pad_a,
                                                            input logic [PadW-1:0] pad_b,
                                                            input logic [StrideW-1:0] stride, input logic [DimW-1:0] out);
    logic [PaddedW:0] padded;
    logic [SlackW-1:0] slack;
    padded = (PaddedW + 1)'(in) + (PaddedW + 1)'(pad_a) + (PaddedW + 1)'(pad_b);
    slack = SlackW'(padded) - SlackW'(1) - (SlackW'(out) - SlackW'(1)) * SlackW'(stride);
    window_span = {padded, slack, slack - SlackW'(stride)};
  endfunction

  function automatic logic window_ok(input logic [PaddedW+2*SlackW:0] span, input logic [PadW-1:0] pad_a,
                                     input logic [PadW-1:0] pad_b, input logic [KernelW-1:0] kernel,
                                     input logic [DilationW-1:0] dilation);
    logic [ExtentW-1:0] reach;  // extent - 1
    logic [PaddedW:0] padded;
    logic signed [SlackW-1:0] slack, below;
    reach = ExtentW'(dilation) * (ExtentW'(kernel) - ExtentW'(1));
    {padded, slack, below} = span;
    window_ok = pad_a <= reach && pad_b <= reach && padded > (PaddedW + 1)'(reach) &&
                slack >= $signed(SlackW'(reach)) && below < $signed(SlackW'(reach));
  endfunction

  // ---------------------------------------------------------------- the beat taken
  // Record word i is word i % 16 of beat i / 16; a 64-bit field's two words
  // are in one beat.
  function automatic logic [31:0] field(input logic [511:0] beat, input int unsigned i);
    field = beat[32*(i%16)+:32];
  endfunction

  function automatic logic [63:0] field64(input logic [511:0] beat, input int unsigned i);
    field64 = beat[32*(i%16)+:64];
  endfunction

  // The first word of each tensor reference.
  localparam int unsigned Weight = modelock_engine_pkg::LayerTensors +
                                   modelock_engine_pkg::TensorWords * modelock_engine_pkg::RoleWeight;
  localparam int unsigned Bias = modelock_engine_pkg::LayerTensors +
                                 modelock_engine_pkg::TensorWords * modelock_engine_pkg::RoleBias;
  localparam int unsigned Multiplier = modelock_engine_pkg::LayerTensors +
                                       modelock_engine_pkg::TensorWords * modelock_engine_pkg::RoleMultiplier;
  localparam int unsigned Shift = modelock_engine_pkg::LayerTensors +
                                  modelock_engine_pkg::TensorWords * modelock_engine_pkg::RoleShift;
  localparam int unsigned Blob = modelock_engine_pkg::TensorBlobLo, Stream = modelock_engine_pkg::TensorStreamLo;
  localparam int unsigned Length = modelock_engine_pkg::TensorLength, TagIndex = modelock_engine_pkg::TensorTagIndex;
  localparam int unsigned MaxPad = (1 << PadW) - 1;

  logic [6:0]  layers;
  logic        header_ok, beat_ok, window_op;
  logic [31:0] op, flags, rows, cols;
  logic [WeightW-1:0] weight_bytes, row_words;
  logic [DilationW-1:0] dilation_h, dilation_w;
  logic [ConvColsW-1:0] conv_cols;

  // The layer count, or 0 when it is outside 1..MaxLayers.
  assign layers = in_range(word(beat_i, modelock_engine_pkg::HeaderLayers), 1, modelock_engine_pkg::MaxLayers) ?
                  beat_i[32*modelock_engine_pkg::HeaderLayers+:7] : 7'd0;

  // Everything is computed only in the cycle a beat is taken, and is zero
  // in every other cycle: the enable folds into the registers that take
  // it, and Verilator does not redo the check every cycle.
  always_comb begin
    header_ok = 1'b0;
    beat_ok = 1'b1;
    {op, flags, rows, cols} = '0;
    {volume_c, volume_h, volume_w} = '0;
    {weight_bytes, row_words, conv_cols} = '0;
    {dilation_h, dilation_w} = '0;
    window_op = 1'b0;
    if (state_q == Header && beat_valid_i) begin
      volume_c = beat_i[32*modelock_engine_pkg::HeaderInputC+:DimW];
      volume_h = beat_i[32*modelock_engine_pkg::HeaderInputH+:DimW];
      volume_w = beat_i[32*modelock_engine_pkg::HeaderInputW+:DimW];
      header_ok = word(beat_i, modelock_engine_pkg::HeaderMagic) == modelock_engine_pkg::ProgramMagic &&
                  word(beat_i, modelock_engine_pkg::HeaderVersion) == modelock_engine_pkg::ProgramVersion &&
                  dim_ok(word(beat_i, modelock_engine_pkg::HeaderInputC)) &&
                  dim_ok(word(beat_i, modelock_engine_pkg::HeaderInputH)) &&
                  dim_ok(word(beat_i, modelock_engine_pkg::HeaderInputW)) && volume_ok &&
                  in_range(word(beat_i, modelock_engine_pkg::HeaderClasses), 1, modelock_engine_pkg::MaxClasses) &&
                  zero_words(beat_i, modelock_engine_pkg::HeaderClasses + 1, 16);
    end else if (state_q == Records && beat_valid_i) begin
      case (beat_in_record_q)
        2'd0: begin  // words 0..15: op, flags, in, out, kernel, stride, pads
          op = field(beat_i, modelock_engine_pkg::LayerOp);
          flags = field(beat_i, modelock_engine_pkg::LayerFlags);
          window_op = op == modelock_engine_pkg::OpConv || op == modelock_engine_pkg::OpMaxPool ||
                      op == modelock_engine_pkg::OpAveragePool;
          volume_c = beat_i[32*modelock_engine_pkg::LayerOutC+:DimW];
          volume_h = beat_i[32*modelock_engine_pkg::LayerOutH+:DimW];
          volume_w = beat_i[32*modelock_engine_pkg::LayerOutW+:DimW];
          beat_ok = field(beat_i, modelock_engine_pkg::LayerInC) == 32'(shape_c_q) &&
                    field(beat_i, modelock_engine_pkg::LayerInH) == 32'(shape_h_q) &&
                    field(beat_i, modelock_engine_pkg::LayerInW) == 32'(shape_w_q) &&
                    dim_ok(field(beat_i, modelock_engine_pkg::LayerOutC)) &&
                    dim_ok(field(beat_i, modelock_engine_pkg::LayerOutH)) &&
                    dim_ok(field(beat_i, modelock_engine_pkg::LayerOutW)) && volume_ok &&
                    (window_op ?
                         in_range(field(beat_i, modelock_engine_pkg::LayerKernelH), 1, modelock_engine_pkg::MaxKernel) &&
                         in_range(field(beat_i, modelock_engine_pkg::LayerKernelW), 1, modelock_engine_pkg::MaxKernel) &&
                         in_range(field(beat_i, modelock_engine_pkg::LayerStrideH), 1, modelock_engine_pkg::MaxStride) &&
                         in_range(field(beat_i, modelock_engine_pkg::LayerStrideW), 1, modelock_engine_pkg::MaxStride) &&
                         // each pad narrow; against the kernel and dilation in the next beat
                         field(beat_i, modelock_engine_pkg::LayerPadTop) <= MaxPad &&
                         field(beat_i, modelock_engine_pkg::LayerPadLeft) <= MaxPad &&
                         field(beat_i, modelock_engine_pkg::LayerPadBottom) <= MaxPad &&
                         field(beat_i, modelock_engine_pkg::LayerPadRight) <= MaxPad :
                         zero_words(beat_i, modelock_engine_pkg::LayerKernelH, modelock_engine_pkg::LayerPadRight + 1));
          // (gemm and conv: out.c == rows in the next beat)
          case (op)
            modelock_engine_pkg::OpGemm:
              beat_ok = beat_ok && (flags & ~modelock_engine_pkg::FlagRelu) == '0 &&
                        field(beat_i, modelock_engine_pkg::LayerOutH) == 32'd1 &&
                        field(beat_i, modelock_engine_pkg::LayerOutW) == 32'd1;
            modelock_engine_pkg::OpConv: beat_ok = beat_ok && (flags & ~modelock_engine_pkg::FlagRelu) == '0;
            modelock_engine_pkg::OpMaxPool:
              beat_ok = beat_ok && flags == '0 && field(beat_i, modelock_engine_pkg::LayerOutC) == 32'(shape_c_q);
            modelock_engine_pkg::OpAveragePool:
              beat_ok = beat_ok && (flags & ~modelock_engine_pkg::FlagCountIncludePad) == '0 &&
                        field(beat_i, modelock_engine_pkg::LayerOutC) == 32'(shape_c_q);
            modelock_engine_pkg::OpGlobalAveragePool:
              beat_ok = beat_ok && flags == '0 && field(beat_i, modelock_engine_pkg::LayerOutC) == 32'(shape_c_q) &&
                        field(beat_i, modelock_engine_pkg::LayerOutH) == 32'd1 &&
                        field(beat_i, modelock_engine_pkg::LayerOutW) == 32'd1;
            modelock_engine_pkg::OpFlatten:
              beat_ok = beat_ok && flags == '0 && field(beat_i, modelock_engine_pkg::LayerOutC) == 32'(volume_q) &&
                        field(beat_i, modelock_engine_pkg::LayerOutH) == 32'd1 &&
                        field(beat_i, modelock_engine_pkg::LayerOutW) == 32'd1;
            default: beat_ok = 1'b0;
          endcase
        end
        2'd1: begin  // words 16..31: dilations, rows, cols, reserved, the weight, the bias's blob offset
          dilation_h = beat_i[32*(modelock_engine_pkg::LayerDilationH%16)+:DilationW];
          dilation_w = beat_i[32*(modelock_engine_pkg::LayerDilationW%16)+:DilationW];
          rows = field(beat_i, modelock_engine_pkg::LayerRows);
          cols = field(beat_i, modelock_engine_pkg::LayerCols);
          weight_bytes = (WeightW'(rows[RowsW-1:0]) * ((WeightW'(cols[ColsW-1:0]) + WeightW'(63)) >> 6)) << 6;
          row_words = WeightW'({rows[RowsW-1:0], 2'b00});  // 4 * rows
          conv_cols = ConvColsW'(in_c_q) * ConvColsW'(kernel_h_q) * ConvColsW'(kernel_w_q);
          beat_ok = zero_words(beat_i, (modelock_engine_pkg::LayerCols + 1) % 16, modelock_engine_pkg::LayerTensors % 16) &&
                    (conv_q ?
                         in_range(field(beat_i, modelock_engine_pkg::LayerDilationH), 1, modelock_engine_pkg::MaxDilation) &&
                         in_range(field(beat_i, modelock_engine_pkg::LayerDilationW), 1, modelock_engine_pkg::MaxDilation) :
                         field(beat_i, modelock_engine_pkg::LayerDilationH) == '0 &&
                         field(beat_i, modelock_engine_pkg::LayerDilationW) == '0) &&
                    (!window_q ||
                     window_ok(span_h_q, pad_t_q, pad_b_q, kernel_h_q, conv_q ? dilation_h : DilationW'(1)) &&
                     window_ok(span_w_q, pad_l_q, pad_r_q, kernel_w_q, conv_q ? dilation_w : DilationW'(1))) &&
                    (matrix_q ?
                         in_range(rows, 1, modelock_engine_pkg::MaxRows) && in_range(cols, 1, modelock_engine_pkg::MaxCols) &&
                         rows == 32'(out_c_q) && cols == (conv_q ? 32'(conv_cols) : 32'(in_volume_q)) &&
                         blob_ok(field64(beat_i, Weight + Blob), 32'(weight_bytes)) &&
                         placed_ok(field64(beat_i, Weight + Stream), field(beat_i, Weight + Length),
                                   field(beat_i, Weight + TagIndex), 32'(weight_bytes), stream_bytes_i) &&
                         blob_ok(field64(beat_i, Bias + Blob), 32'(row_words)) :
                         rows == '0 && cols == '0 && zero_words(beat_i, modelock_engine_pkg::LayerTensors % 16, 16));
        end
        2'd2: begin  // words 32..47: the bias's stream offset, length and tag index, the multiplier, the shift
          beat_ok = matrix_q ?
                        placed_ok(field64(beat_i, Bias + Stream), field(beat_i, Bias + Length),
                                  field(beat_i, Bias + TagIndex), 32'({rows_q, 2'b00}), stream_bytes_i) &&
                        blob_ok(field64(beat_i, Multiplier + Blob), 32'({rows_q, 2'b00})) &&
                        placed_ok(field64(beat_i, Multiplier + Stream), field(beat_i, Multiplier + Length),
                                  field(beat_i, Multiplier + TagIndex), 32'({rows_q, 2'b00}), stream_bytes_i) &&
                        blob_ok(field64(beat_i, Shift + Blob), 32'(rows_q)) &&
                        placed_ok(field64(beat_i, Shift + Stream), field(beat_i, Shift + Length),
                                  field(beat_i, Shift + TagIndex), 32'(rows_q), stream_bytes_i) :
                        zero_words(beat_i, 0, 16);
        end
        default: beat_ok = matrix_q || zero_words(beat_i, 0, 16);  // words 48..63: the tags
      endcase
    end
  end

  // ---------------------------------------------------------------- the program, beat by beat
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Idle;
      beats_left_q <= '0;
      beat_in_record_q <= '0;
      fields_ok_q <= 1'b0;
      tag_seen_q <= 1'b0;
      tag_ok_q <= 1'b0;
      classes_q <= '0;
      {shape_c_q, shape_h_q, shape_w_q, volume_q} <= '0;
      {matrix_q, conv_q, window_q} <= '0;
      {in_c_q, out_c_q, in_volume_q} <= '0;
      {kernel_h_q, kernel_w_q, span_h_q, span_w_q} <= '0;
      {pad_t_q, pad_l_q, pad_b_q, pad_r_q} <= '0;
      rows_q <= '0;
      header_valid_o <= 1'b0;
      layers_ok_o <= 1'b0;
      layers_o <= '0;
      done_o <= 1'b0;
      status_o <= StatusOk;
    end else begin
      header_valid_o <= 1'b0;
      done_o <= 1'b0;
      if (tag_valid_i) begin
        tag_seen_q <= 1'b1;
        tag_ok_q <= tag_ok_i;
      end
      case (state_q)
        Idle: ;
        Header: if (beat_valid_i) begin
          header_valid_o <= 1'b1;
          layers_ok_o <= layers != 7'd0;
          layers_o <= layers;
          beats_left_q <= {layers, 2'b00};
          beat_in_record_q <= '0;
          {shape_c_q, shape_h_q, shape_w_q} <= {volume_c, volume_h, volume_w};
          volume_q <= volume;
          classes_q <= beat_i[32*modelock_engine_pkg::HeaderClasses+:ClassesW];
          fields_ok_q <= header_ok;
          if (layers == 7'd0) begin
            done_o <= 1'b1;
            status_o <= StatusBadProgram;
            state_q <= Idle;
          end else begin
            state_q <= Records;
          end
        end
        Records: if (beat_valid_i) begin
          fields_ok_q <= fields_ok_q && beat_ok;
          beat_in_record_q <= beat_in_record_q + 2'd1;
          beats_left_q <= beats_left_q - 9'd1;
          if (beats_left_q == 9'd1) state_q <= Trailer;
          case (beat_in_record_q)
            2'd0: begin
              matrix_q <= op == modelock_engine_pkg::OpGemm || op == modelock_engine_pkg::OpConv;
              conv_q <= op == modelock_engine_pkg::OpConv;
              window_q <= window_op;
              in_c_q <= shape_c_q;
              in_volume_q <= volume_q;
              out_c_q <= volume_c;
              // The next layer's input, whatever this record's verdict.
              {shape_c_q, shape_h_q, shape_w_q} <= {volume_c, volume_h, volume_w};
              volume_q <= volume;
              kernel_h_q <= beat_i[32*modelock_engine_pkg::LayerKernelH+:KernelW];
              kernel_w_q <= beat_i[32*modelock_engine_pkg::LayerKernelW+:KernelW];
              span_h_q <= window_span(shape_h_q, beat_i[32*modelock_engine_pkg::LayerPadTop+:PadW],
                                      beat_i[32*modelock_engine_pkg::LayerPadBottom+:PadW],
                                      beat_i[32*modelock_engine_pkg::LayerStrideH+:StrideW], volume_h);
              span_w_q <= window_span(shape_w_q, beat_i[32*modelock_engine_pkg::LayerPadLeft+:PadW],
                                      beat_i[32*modelock_engine_pkg::LayerPadRight+:PadW],
                                      beat_i[32*modelock_engine_pkg::LayerStrideW+:StrideW], volume_w);
              pad_t_q <= beat_i[32*modelock_engine_pkg::LayerPadTop+:PadW];
              pad_l_q <= beat_i[32*modelock_engine_pkg::LayerPadLeft+:PadW];
              pad_b_q <= beat_i[32*modelock_engine_pkg::LayerPadBottom+:PadW];
              pad_r_q <= beat_i[32*modelock_engine_pkg::LayerPadRight+:PadW];
            end
            2'd1: rows_q <= rows[RowsW-1:0];
            default: ;
          endcase
        end
        Trailer: if (beat_valid_i) begin
          fields_ok_q <= fields_ok_q && beat_i[511:128] == '0;
          state_q <= Finish;
        end
        Finish: if (tag_seen_q) begin
          // Every record was checked as its beats came.
          done_o <= 1'b1;
          state_q <= Idle;
          if (!tag_ok_q) status_o <= StatusProgramTagMismatch;
          else if (fields_ok_q && matrix_q && shape_c_q == DimW'(classes_q) && shape_h_q == DimW'(1) &&
                   shape_w_q == DimW'(1)) status_o <= StatusOk;
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
