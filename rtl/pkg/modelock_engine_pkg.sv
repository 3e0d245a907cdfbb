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

  // The lanes of a row's or a tensor's last beat that hold its bytes, for
  // a byte count whose low six bits are `tail`: lane l when l < tail, every
  // lane when the count fills whole beats (tail 0). The MAC array, the
  // operand rows and the tensor stream mask that beat by it.
  function automatic logic [63:0] tail_lanes(input logic [5:0] tail);
    for (int l = 0; l < 64; l++) tail_lanes[l] = tail == 6'd0 || 6'(l) < tail;
  endfunction

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

  // The rest of requantization on the product p, given s (1..62). Not
  // the 64-bit add and 64-bit shift the formula writes (a 64-bit adder and
  // barrel shifter a lane: 510 LUTs, 9 LUTs and 21 carry cells deep by
  // Yosys), but the same value from ten bits of 2p (87 LUTs, 6 LUTs and 2
  // carry cells deep):
  //
  //   t = 2p >>> s = p >>> (s-1) (floor(p / 2^(s-1))); with
  //   p = t * 2^(s-1) + f, 0 <= f < 2^(s-1),
  //   (p + 2^(s-1)) / 2^s = (t + 1) / 2 + f / 2^s, and f / 2^s < 1/2 never
  //   reaches the next integer, so y = (t + 1) >>> 1.
  //
  // y is in [-128, 127] exactly when t is in [-257, 254]. t is in
  // [-512, 511] when bits s+9 and up of 2p all equal its sign (`fits`);
  // then t is the ten bits (2p)[s+9:s] and y comes from a 10-bit increment.
  // Else |t| >= 512, so y <= -256 or y >= 256, and the sign alone gives the
  // clamp. The ten bits are three levels of 4-way choices, by s[5:4],
  // s[3:2], s[1:0] (one LUT6 a bit: 25 + 13 + 10); `fits` is, for each
  // level, whether the bits its choice drops above the window are all the
  // sign, taken from the same three choices: 4 + 4 + 4 signals, each an
  // AND of a few bits onto the one above it, picked by the same s bits.
  // (2p rather than p: the shift is s itself, no s - 1 to subtract.)
  function automatic logic [7:0] requantize_round(input logic signed [63:0] p, input logic [5:0] s,
                                                 input logic relu);
    logic sign;
    logic [72:0] ext;      // 2p sign-extended: level 1 reads up to bit 48 + 24
    logic [24:0] level1;   // ext[16*s[5:4] +: 25]
    logic [12:0] level2;   // level1[4*s[3:2] +: 13]
    logic [9:0] t;         // level2[s[1:0] +: 10] = (2p)[s+9:s]
    // above_k[c]: the bits above the window that level k's choice c drops
    // all equal the sign (ext from bit 16c+25, level1 from 4c+13, level2
    // from c+9)
    logic [3:0] above1, above2, above3;
    logic fits;
    logic signed [10:0] y;
    sign = p[63];
    ext = {{8{sign}}, p, 1'b0};
    above1[3] = 1'b1;
    above1[2] = ext[72:57] == {16{sign}};
    above1[1] = above1[2] && ext[56:41] == {16{sign}};
    above1[0] = above1[1] && ext[40:25] == {16{sign}};
    case (s[5:4])
      2'd0: level1 = ext[24:0];
      2'd1: level1 = ext[40:16];
      2'd2: level1 = ext[56:32];
      default: level1 = ext[72:48];
    endcase
    above2[3] = 1'b1;
    above2[2] = level1[24:21] == {4{sign}};
    above2[1] = above2[2] && level1[20:17] == {4{sign}};
    above2[0] = above2[1] && level1[16:13] == {4{sign}};
    case (s[3:2])
      2'd0: level2 = level1[12:0];
      2'd1: level2 = level1[16:4];
      2'd2: level2 = level1[20:8];
      default: level2 = level1[24:12];
    endcase
    above3[3] = level2[12] == sign;
    above3[2] = above3[3] && level2[11] == sign;
    above3[1] = above3[2] && level2[10] == sign;
    above3[0] = above3[1] && level2[9] == sign;
    case (s[1:0])
      2'd0: t = level2[9:0];
      2'd1: t = level2[10:1];
      2'd2: t = level2[11:2];
      default: t = level2[12:3];
    endcase
    fits = above1[s[5:4]] && above2[s[3:2]] && above3[s[1:0]];
    y = (11'($signed(t)) + 11'sd1) >>> 1;
    if (!fits) requantize_round = sign ? (relu ? 8'd0 : 8'h80) : 8'd127;
    else if (y > 11'sd127) requantize_round = 8'd127;
    else if (relu && y < 11'sd0) requantize_round = 8'd0;
    else if (y < -11'sd128) requantize_round = 8'h80;
    else requantize_round = y[7:0];
  endfunction

endpackage
