// Reads the engine program (engine_program.hpp) from device memory and
// decides whether the engine may run it: the program tag first, then every
// field. A run starts only from a program that passed both; one that fails
// leaves the engine having read nothing but the program.
#ifndef MODELOCK_HLS_PROGRAM_READER_HPP
#define MODELOCK_HLS_PROGRAM_READER_HPP

#include <cstdint>

#include "engine_program.hpp"
#include "lock_engine.hpp"
#include "modelock_hls/counters.hpp"
#include "modelock_hls/gmac_stream.hpp"
#include "modelock_hls/key_state.hpp"
#include "modelock_hls/types.hpp"

namespace modelock_hls {

struct Program {
  std::uint32_t header[program::kWordsPerBeat];
  std::uint32_t record[program::kMaxLayers][program::kLayerWords];
  std::uint32_t trailer[program::kWordsPerBeat];
  std::uint32_t layers;
};

inline std::uint32_t beat_word(const Beat& beat, int word) {
  const int at = 4 * word;
  return std::uint32_t{beat[at]} | std::uint32_t{beat[at + 1]} << 8 | std::uint32_t{beat[at + 2]} << 16 |
         std::uint32_t{beat[at + 3]} << 24;
}

// One tensor reference of a gemm/conv record, with its expected tag.
struct TensorRef {
  std::uint64_t blob_offset;
  std::uint64_t stream_offset;
  std::uint32_t length;
  std::uint32_t tag_index;
  std::uint32_t tag[4];
};

inline TensorRef tensor_ref(const std::uint32_t* record, int role) {
  namespace L = program::layer;
  const std::uint32_t* r = record + L::kTensors + L::kTensorWords * role;
  TensorRef t;
  t.blob_offset = std::uint64_t{r[L::kBlobLo]} | std::uint64_t{r[L::kBlobHi]} << 32;
  t.stream_offset = std::uint64_t{r[L::kStreamLo]} | std::uint64_t{r[L::kStreamHi]} << 32;
  t.length = r[L::kLength];
  t.tag_index = r[L::kTagIndex];
  for (int i = 0; i < 4; ++i) t.tag[i] = record[L::kTags + 4 * role + i];
  return t;
}

// Reads the program at `first_beat` of the blob. The layer count is bounded
// before any record is read, so a hostile header cannot make the engine
// read (or hash) more than program_bytes(kMaxLayers). Returns kStatusOk,
// kStatusBadProgram (layer count) or kStatusProgramTagMismatch; the fields
// are checked afterwards by check_program.
inline std::uint32_t read_program(const Beat* blob, std::uint64_t first_beat, const KeyState& key, bool verify,
                                  Program& p, CycleClock& clock) {
  const Beat head = blob[first_beat];
  clock.tick();
  for (int w = 0; w < program::kWordsPerBeat; ++w) p.header[w] = beat_word(head, w);
  const std::uint32_t layers = p.header[program::header::kLayers];
  if (layers < 1 || layers > program::kMaxLayers) return kStatusBadProgram;
  p.layers = layers;
  Block y = ghash_beats(key.ghash, Block{}, head);
  const std::uint32_t record_beats = program::kLayerBeats * layers;
read_records:
  for (std::uint32_t b = 0; b < record_beats + program::kTrailerBeats; ++b) {
#pragma HLS PIPELINE II = 1
    clock.tick();
    const Beat beat = blob[first_beat + program::kHeaderBeats + b];
    if (b < record_beats) {
      y = ghash_beats(key.ghash, y, beat);
      for (int w = 0; w < program::kWordsPerBeat; ++w) {
        p.record[b / program::kLayerBeats][program::kWordsPerBeat * (b % program::kLayerBeats) + w] = beat_word(beat, w);
      }
    } else {
      for (int w = 0; w < program::kWordsPerBeat; ++w) p.trailer[w] = beat_word(beat, w);
    }
  }
  const bool tag_ok = gmac_finish(y, program::authenticated_bytes(layers), program::kIvIndex, p.trailer, key.mac,
                                  key.ghash, key.nonce);
  return tag_ok || !verify ? kStatusOk : kStatusProgramTagMismatch;
}

// ---------------------------------------------------------------- field checks
struct Shape {
  std::uint32_t c, h, w;
};

inline bool dims_ok(const Shape& s) {
  return s.c >= 1 && s.c <= program::kMaxDim && s.h >= 1 && s.h <= program::kMaxDim && s.w >= 1 &&
         s.w <= program::kMaxDim && std::uint64_t{s.c} * s.h * s.w <= program::kMaxActivationBytes;
}

inline bool in_range(std::uint32_t v, std::uint32_t lo, std::uint32_t hi) { return v >= lo && v <= hi; }

// Output extent of a window op along one axis, or 0 when the window does
// not fit the padded input (the program is then refused).
inline std::uint32_t window_out(std::uint32_t in, std::uint32_t pad_a, std::uint32_t pad_b, std::uint32_t kernel,
                                std::uint32_t stride, std::uint32_t dilation) {
  const std::uint64_t padded = std::uint64_t{in} + pad_a + pad_b;
  const std::uint64_t extent = std::uint64_t{dilation} * (kernel - 1) + 1;
  if (padded < extent) return 0;
  return static_cast<std::uint32_t>((padded - extent) / stride + 1);
}

// A tensor reference is usable: aligned in the blob and ending inside the
// address space, inside the key's stream (written so no sum wraps), exactly
// `length` bytes, a tensor IV index (not 0, the header's, nor the program's).
inline bool tensor_ok(const TensorRef& t, std::uint32_t length, std::uint64_t stream_bytes) {
  return t.blob_offset % kBeatBytes == 0 && t.length == length && t.stream_offset <= stream_bytes &&
         t.length <= stream_bytes - t.stream_offset && t.tag_index != 0 && t.tag_index != program::kIvIndex &&
         t.blob_offset <= ~std::uint64_t{0} - t.length;
}

// Every word of the record from `from` to `to` (exclusive) is zero.
inline bool zero_words(const std::uint32_t* words, int from, int to) {
  bool zero = true;
  for (int i = from; i < to; ++i) zero = zero && words[i] == 0;
  return zero;
}

// Checks layer `record` whose input is `in`; sets `out` to its output.
inline bool check_layer(const std::uint32_t* r, const Shape& in, std::uint64_t stream_bytes, Shape& out) {
  namespace L = program::layer;
  out = {r[L::kOutC], r[L::kOutH], r[L::kOutW]};
  bool ok = r[L::kInC] == in.c && r[L::kInH] == in.h && r[L::kInW] == in.w && dims_ok(out) &&
            zero_words(r, 20, L::kTensors);  // words 20..23 reserved
  const std::uint32_t op = r[L::kOp], flags = r[L::kFlags];
  const std::uint32_t kh = r[L::kKernelH], kw = r[L::kKernelW], sh = r[L::kStrideH], sw = r[L::kStrideW];
  const std::uint32_t pt = r[L::kPadTop], pl = r[L::kPadLeft], pb = r[L::kPadBottom], pr = r[L::kPadRight];
  const std::uint32_t dh = r[L::kDilationH], dw = r[L::kDilationW];
  const std::uint32_t rows = r[L::kRows], cols = r[L::kCols];
  const bool no_window = zero_words(r, L::kKernelH, L::kDilationW + 1);
  const bool no_gemm = rows == 0 && cols == 0 && zero_words(r, L::kTensors, program::kLayerWords);
  const std::uint64_t volume = std::uint64_t{in.c} * in.h * in.w;
  if (op == program::kOpGemm || op == program::kOpConv) {
    ok = ok && (flags & ~program::layer::kFlagRelu) == 0 && in_range(rows, 1, program::kMaxRows) &&
         in_range(cols, 1, program::kMaxCols);
    if (op == program::kOpGemm) {
      ok = ok && no_window && cols == volume && out.c == rows && out.h == 1 && out.w == 1;
    } else {
      // Each pad below the kernel's extent: a window wholly in the padding
      // would see only zeros, which no exported model asks for.
      ok = ok && in_range(kh, 1, program::kMaxKernel) && in_range(kw, 1, program::kMaxKernel) &&
           in_range(sh, 1, program::kMaxStride) && in_range(sw, 1, program::kMaxStride) &&
           in_range(dh, 1, program::kMaxDilation) && in_range(dw, 1, program::kMaxDilation) &&
           pt < dh * (kh - 1) + 1 && pb < dh * (kh - 1) + 1 && pl < dw * (kw - 1) + 1 && pr < dw * (kw - 1) + 1 &&
           std::uint64_t{cols} == std::uint64_t{in.c} * kh * kw && out.c == rows &&
           out.h == window_out(in.h, pt, pb, kh, sh, dh) && out.w == window_out(in.w, pl, pr, kw, sw, dw);
    }
    if (ok) {
      const std::uint32_t lengths[program::layer::kRoles] = {rows * pad64(cols), 4 * rows, 4 * rows, rows};
      for (int role = 0; role < program::layer::kRoles; ++role) {
        ok = ok && tensor_ok(tensor_ref(r, role), lengths[role], stream_bytes);
      }
    }
  } else if (op == program::kOpMaxPool || op == program::kOpAveragePool) {
    const std::uint32_t allowed = op == program::kOpAveragePool ? program::layer::kFlagCountIncludePad : 0;
    ok = ok && (flags & ~allowed) == 0 && no_gemm && dh == 0 && dw == 0 && in_range(kh, 1, program::kMaxKernel) &&
         in_range(kw, 1, program::kMaxKernel) && in_range(sh, 1, program::kMaxStride) &&
         in_range(sw, 1, program::kMaxStride) && pt < kh && pb < kh && pl < kw && pr < kw && out.c == in.c &&
         out.h == window_out(in.h, pt, pb, kh, sh, 1) && out.w == window_out(in.w, pl, pr, kw, sw, 1);
  } else if (op == program::kOpGlobalAveragePool) {
    ok = ok && flags == 0 && no_gemm && no_window && out.c == in.c && out.h == 1 && out.w == 1;
  } else if (op == program::kOpFlatten) {
    ok = ok && flags == 0 && no_gemm && no_window && std::uint64_t{out.c} == volume && out.h == 1 && out.w == 1;
  } else {
    ok = false;
  }
  return ok;
}

// Every field the way the host reader (host/program) checks it: header
// words, limits, reserved words zero, shapes chained from the input to the
// logits, geometry consistent, tensor lengths and alignment, tensors inside
// the key's stream.
inline bool check_program(const Program& p, std::uint64_t stream_bytes) {
  namespace H = program::header;
  Shape shape = {p.header[H::kInputC], p.header[H::kInputH], p.header[H::kInputW]};
  const std::uint32_t classes = p.header[H::kClasses];
  bool ok = p.header[H::kMagicWord] == program::kMagic && p.header[H::kVersionWord] == program::kVersion &&
            dims_ok(shape) && in_range(classes, 1, program::kMaxClasses) &&
            zero_words(p.header, H::kClasses + 1, program::kWordsPerBeat) && zero_words(p.trailer, 4, program::kWordsPerBeat);
check_layers:
  for (std::uint32_t l = 0; l < p.layers; ++l) {
    Shape out = shape;
    ok = ok && check_layer(p.record[l], shape, stream_bytes, out);
    shape = out;
  }
  // The last layer is a gemm or conv whose rows are the logits.
  const std::uint32_t last_op = p.record[p.layers - 1][program::layer::kOp];
  return ok && (last_op == program::kOpGemm || last_op == program::kOpConv) && shape.c == classes && shape.h == 1 &&
         shape.w == 1;
}

}  // namespace modelock_hls

#endif
