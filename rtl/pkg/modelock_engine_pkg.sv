// modelock_engine_pkg: the kernel interface and the engine program layout
// of docs/engine.md, for the RTL engine's compute and control modules.
// Every name and value here is the one of hls/kernel/engine_program.hpp
// (program layout, limits) and hls/kernel/lock_engine.hpp (commands,
// status codes, counters): one contract, three implementations. The
// testbenches (sim/tests) drive the modules with values from the C++
// headers and compare them with the host code, so a constant that drifts
// from its C++ twin fails a test.
//
// Also here: the arithmetic the datapath modules share (requantization,
// the window output size), as functions, so that each rule is written once
// in the RTL.
package modelock_engine_pkg;

  // ---------------------------------------------------------------- build parameters
  // Images a run takes (MODELOCK_BATCH); each module that depends on it
  // takes its own parameter B defaulting to this.
  localparam int unsigned Batch = 8;
  // The device identity register in a build without device DNA.
  localparam logic [63:0] DeviceId = 64'h6d6f_6465_6c6f_636b;  // "modelock"

  localparam int unsigned BeatBytes = 64;  // one AXI4 beat: 512 bits
  localparam int unsigned BeatBits = 8 * BeatBytes;

  // ---------------------------------------------------------------- commands (`command` register)
  localparam logic [31:0] CommandLoadKey = 32'd1;
  localparam logic [31:0] CommandRun = 32'd2;
  localparam logic [31:0] CommandClearKey = 32'd3;
  localparam logic [31:0] CommandNoVerify = 32'h100;  // experiment flag with run

  localparam logic [31:0] SchemeNone = 32'd0;
  localparam logic [31:0] SchemeDeeplock = 32'd1;
  localparam logic [31:0] SchemeCtr = 32'd2;

  // ---------------------------------------------------------------- status codes
  typedef enum logic [3:0] {
    StatusOk = 4'd0,
    StatusTagMismatch = 4'd1,
    StatusNoKey = 4'd2,
    StatusBadProgram = 4'd3,
    StatusBadCommand = 4'd4,
    StatusBadKey = 4'd5,
    StatusKeyRegistersSet = 4'd6,
    StatusProgramTagMismatch = 4'd7,
    StatusBadRun = 4'd8,
    StatusMemoryError = 4'd9
  } status_e;

  // ---------------------------------------------------------------- program layout
  localparam logic [31:0] ProgramMagic = 32'h5250_4c4d;  // "MLPR" in memory
  localparam logic [31:0] ProgramVersion = 32'd1;
  localparam logic [31:0] ProgramIvIndex = 32'hffff_ffff;

  localparam int unsigned WordsPerBeat = 16;
  localparam int unsigned HeaderBeats = 1;
  localparam int unsigned LayerBeats = 4;
  localparam int unsigned TrailerBeats = 1;
  localparam int unsigned LayerWords = LayerBeats * WordsPerBeat;

  // Limits (program::kMax*): they size the on-chip buffers.
  localparam int unsigned MaxLayers = 64;
  localparam int unsigned MaxRows = 4096;
  localparam int unsigned MaxCols = 8192;
  localparam int unsigned MaxActivationBytes = 65536;
  localparam int unsigned MaxDim = 4096;
  localparam int unsigned MaxKernel = 16;
  localparam int unsigned MaxStride = 16;
  localparam int unsigned MaxDilation = 16;
  localparam int unsigned MaxClasses = MaxRows;

  // Header words (beat 0).
  localparam int unsigned HeaderMagic = 0;
  localparam int unsigned HeaderVersion = 1;
  localparam int unsigned HeaderLayers = 2;
  localparam int unsigned HeaderInputC = 3;
  localparam int unsigned HeaderInputH = 4;
  localparam int unsigned HeaderInputW = 5;
  localparam int unsigned HeaderClasses = 6;

  // Layer ops (record word LayerOp).
  localparam logic [31:0] OpGemm = 32'd1;
  localparam logic [31:0] OpConv = 32'd2;
  localparam logic [31:0] OpMaxPool = 32'd3;
  localparam logic [31:0] OpAveragePool = 32'd4;
  localparam logic [31:0] OpGlobalAveragePool = 32'd5;
  localparam logic [31:0] OpFlatten = 32'd6;

  // Layer record words.
  localparam int unsigned LayerOp = 0;
  localparam int unsigned LayerFlags = 1;
  localparam int unsigned LayerInC = 2, LayerInH = 3, LayerInW = 4;
  localparam int unsigned LayerOutC = 5, LayerOutH = 6, LayerOutW = 7;
  localparam int unsigned LayerKernelH = 8, LayerKernelW = 9;
  localparam int unsigned LayerStrideH = 10, LayerStrideW = 11;
  localparam int unsigned LayerPadTop = 12, LayerPadLeft = 13, LayerPadBottom = 14, LayerPadRight = 15;
  localparam int unsigned LayerDilationH = 16, LayerDilationW = 17;
  localparam int unsigned LayerRows = 18;
  localparam int unsigned LayerCols = 19;
  localparam int unsigned LayerTensors = 24;
  localparam int unsigned LayerTags = 48;
  // Tensor reference fields (word offsets inside a reference).
  localparam int unsigned TensorBlobLo = 0, TensorBlobHi = 1;
  localparam int unsigned TensorStreamLo = 2, TensorStreamHi = 3;
  localparam int unsigned TensorLength = 4;
  localparam int unsigned TensorTagIndex = 5;
  localparam int unsigned TensorWords = 6;
  // Tensor roles, in reference and tag order.
  localparam int unsigned RoleWeight = 0, RoleBias = 1, RoleMultiplier = 2, RoleShift = 3;
  localparam int unsigned Roles = 4;
  // Flags.
  localparam logic [31:0] FlagRelu = 32'd1;
  localparam logic [31:0] FlagCountIncludePad = 32'd2;

  // ---------------------------------------------------------------- counters
  localparam int unsigned CounterRunWords = 32;
  localparam int unsigned CounterLayerWords = 16;
  localparam int unsigned CounterWords = CounterRunWords + CounterLayerWords * MaxLayers;
  localparam logic [31:0] CounterNoLayer = 32'hffff_ffff;
  // Run block.
  localparam int unsigned RunStatus = 0;
  localparam int unsigned RunLayersRun = 1;
  localparam int unsigned RunFailedLayer = 2;
  localparam int unsigned RunImages = 3;
  localparam int unsigned RunStampStart = 4;
  localparam int unsigned RunStampEnd = 6;
  localparam int unsigned RunCyclesBusy = 8;
  localparam int unsigned RunStalledMemory = 10;
  localparam int unsigned RunStalledKeystream = 12;
  localparam int unsigned RunStalledOutput = 14;
  localparam int unsigned RunFirstLogit = 16;
  localparam int unsigned RunProgramCycles = 18;
  // Layer block.
  localparam int unsigned LayerCountOp = 0;
  localparam int unsigned LayerCountTagStatus = 1;
  localparam int unsigned LayerCountStampStart = 2;
  localparam int unsigned LayerCountCyclesBusy = 4;
  localparam int unsigned LayerCountStalledMemory = 6;
  localparam int unsigned LayerCountStalledKeystream = 8;
  localparam int unsigned LayerCountStalledOutput = 10;
  localparam int unsigned LayerCountFirstOutput = 12;
  localparam int unsigned LayerCountBlobBeats = 14;

  // ---------------------------------------------------------------- AXI4 bursts
  // Beats of the next burst of an access at beat address `beat_addr` (byte
  // address / 64) with `beats_left` beats to go: at most 64 (AXI4's 256-beat
  // limit is never needed: 64 beats of 64 bytes are one 4 KiB page) and
  // never past the end of the page, which AXI4 forbids a burst to cross.
  // With 64-aligned addresses a burst thus ends at its page's end or at the
  // access's end. beats_left must be at least 1.
  function automatic logic [6:0] burst_beats(input logic [5:0] beat_addr, input logic [31:0] beats_left);
    logic [6:0] page_room;
    page_room = 7'd64 - {1'b0, beat_addr};
    burst_beats = beats_left < 32'(page_room) ? beats_left[6:0] : page_room;
  endfunction

  // ---------------------------------------------------------------- arithmetic
  // Requantization (docs/engine.md, "The GEMM job"): the shift byte is read
  // as an int8 and clamped to [1, 62]; y = (acc * M0 + 2^(s-1)) >> s with an
  // arithmetic shift (round half up), clamped to [relu ? 0 : -128, 127].
  // (Functions assign their name rather than `return`: Yosys 0.23's subset.)
  function automatic logic [5:0] clamp_shift(input logic [7:0] shift);
    if ($signed(shift) < 8'sd1) clamp_shift = 6'd1;
    else if ($signed(shift) > 8'sd62) clamp_shift = 6'd62;
    else clamp_shift = shift[5:0];
  endfunction

  // The product acc * M0 of two int32, as int64: it never overflows.
  function automatic logic signed [63:0] requantize_product(input logic [31:0] acc, input logic [31:0] m0);
    requantize_product = $signed({{32{acc[31]}}, acc}) * $signed({{32{m0[31]}}, m0});
  endfunction

  // The rest of requantization on the product: adding 2^(s-1) stays below
  // 2^63 (docs/engine.md), so 64 bits hold it.
  function automatic logic [7:0] requantize_round(input logic signed [63:0] product, input logic [5:0] s,
                                                 input logic relu);
    logic signed [63:0] y;
    y = (product + (64'sd1 <<< (s - 6'd1))) >>> s;
    if (y > 64'sd127) requantize_round = 8'd127;
    else if (relu && y < 64'sd0) requantize_round = 8'd0;
    else if (y < -64'sd128) requantize_round = 8'h80;
    else requantize_round = y[7:0];
  endfunction

endpackage
