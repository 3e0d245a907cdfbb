// modelock_program_check against the host reader: the programs of random
// int8 networks (tests/program's generator), then random one-word edits of
// them, each refused by the RTL (status 3) exactly when parse_program
// refuses it; a layer count outside 1..64 refused right after the header;
// the tag verdict first (status 7 whatever the fields); and the engine's
// own rule, every tensor inside the key's stream; every bit and every
// limit of every word; shapes at the limits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <random>
#include <vector>

#include "Vmodelock_program_check.h"
#include "clocked_model.hpp"
#include "engine_program.hpp"
#include "int8_networks.hpp"
#include "lock_engine.hpp"
#include "modelock/common/error.hpp"
#include "modelock/program/container_program.hpp"
#include "modelock/program/reader.hpp"
#include "test_models.hpp"

namespace modelock::sim {
namespace {

namespace P = modelock_hls::program;

using Bytes = std::vector<std::uint8_t>;

struct Verdict {
  bool header_seen = false;
  bool layers_ok = false;
  std::uint32_t status = 0xff;
};

// Feeds `bytes` as the engine's program reader would: the header, then as
// many beats as the header's layer count asks for (zeros past the end of
// `bytes`), with random gaps; the tag verdict arrives at a random time.
Verdict check(ClockedModel<Vmodelock_program_check>& dut, const Bytes& bytes, std::uint64_t stream_bytes, bool tag_ok,
              std::mt19937_64& rng) {
  auto& m = *dut;
  m.stream_bytes_i = stream_bytes;
  m.start_i = 1;
  dut.tick();
  m.start_i = 0;
  Verdict v;
  std::size_t beat = 0, beats = 1;  // beats to send: the header, until it is seen
  bool tag_sent = false;
  for (int cycle = 0; cycle < 2000; ++cycle) {
    m.beat_valid_i = beat < beats && rng() % 3 != 0;
    if (m.beat_valid_i) {
      for (int w = 0; w < 16; ++w) {
        std::uint32_t word = 0;
        for (int i = 0; i < 4; ++i) {
          const std::size_t at = 64 * beat + 4 * static_cast<std::size_t>(w) + static_cast<std::size_t>(i);
          word |= std::uint32_t{at < bytes.size() ? bytes[at] : std::uint8_t{0}} << (8 * i);
        }
        m.beat_i[w] = word;
      }
      ++beat;
    }
    m.tag_valid_i = !tag_sent && beat == beats && beats > 1 && rng() % 4 == 0;
    m.tag_ok_i = tag_ok;
    tag_sent = tag_sent || m.tag_valid_i;
    dut.tick();
    m.beat_valid_i = 0;
    m.tag_valid_i = 0;
    if (m.header_valid_o) {
      v.header_seen = true;
      v.layers_ok = m.layers_ok_o;
      if (m.layers_ok_o) beats = 2 + 4 * std::size_t{m.layers_o};
    }
    if (m.done_o) {
      v.status = m.status_o;
      return v;
    }
  }
  ADD_FAILURE() << "no verdict in 2000 cycles";
  return v;
}

bool host_accepts(const Bytes& bytes) {
  try {
    (void)program::parse_program(bytes, "edited");
    return true;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input);
    return false;
  }
}

std::uint32_t load(const Bytes& b, std::size_t word) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= std::uint32_t{b[4 * word + static_cast<std::size_t>(i)]} << (8 * i);
  return v;
}
void store(Bytes& b, std::size_t word, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[4 * word + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
}

// The engine programs of random int8 networks, as the owner's lock makes them.
std::vector<Bytes> random_programs(int count) {
  const auto key = testing::key_from_seed(41);
  std::vector<Bytes> programs;
  for (std::uint64_t seed = 1; programs.size() < static_cast<std::size_t>(count); ++seed) {
    testing::RandomInt8Network generator(seed * 17);
    const format::Model model = generator.build();
    const auto q = quant::QuantizedNetwork::from_model(model, "check.mlk");
    const auto container = testing::lock_with_program(model, q, key, scheme::Scheme::none);
    const auto parsed = program::container_program(container);
    programs.push_back(program::encode_program(parsed.program, parsed.tag));
  }
  return programs;
}

constexpr std::uint64_t kAnyStream = ~std::uint64_t{0};

TEST(ProgramCheck, RefusesExactlyWhatTheHostReaderRefuses) {
  ClockedModel<Vmodelock_program_check> dut;
  std::mt19937_64 rng(42);
  int refused = 0, accepted = 0;
  for (const Bytes& original : random_programs(15)) {
    ASSERT_EQ(check(dut, original, kAnyStream, true, rng).status, std::uint32_t{modelock_hls::kStatusOk});
    const std::size_t words = original.size() / 4;
    for (int trial = 0; trial < 60; ++trial) {
      Bytes b = original;
      std::size_t at = rng() % words;
      if (at == P::header::kLayers) at = P::header::kClasses;  // layer counts: the test below
      const std::uint32_t old = load(b, at);
      const std::uint32_t values[] = {0, 1, 2, old + 1, old - 1, old + 64, 0xffff'ffffu, static_cast<std::uint32_t>(rng()),
                                      2 * old};
      store(b, at, values[rng() % std::size(values)]);
      const bool host = host_accepts(b);
      const Verdict v = check(dut, b, kAnyStream, true, rng);
      ASSERT_EQ(v.status, host ? std::uint32_t{modelock_hls::kStatusOk} : std::uint32_t{modelock_hls::kStatusBadProgram})
          << "word " << at << " (" << (at < 16 ? "header" : at >= words - 16 ? "trailer" : "record") << " word "
          << (at < 16 ? at : (at - 16) % P::kLayerWords) << ") " << old << " -> " << load(b, at);
      (host ? accepted : refused) += 1;
    }
  }
  // Both kinds of edit happen often enough to mean something.
  EXPECT_GT(accepted, 100);
  EXPECT_GT(refused, 300);
}

// Every bit of every word flipped, and every word set to the values around
// each limit (kMaxDim, kMaxActivationBytes, kMaxRows, kMaxCols, kMaxKernel,
// the widest pad 16 * 15, the widths past them): the RTL keeps each field
// in as few bits as its limit needs once its range check holds, so a value
// that agrees with a good one in those bits must still be refused exactly
// when parse_program refuses it. Programs until every op has been edited.
TEST(ProgramCheck, EveryBitAndEveryLimitOfEveryWord) {
  ClockedModel<Vmodelock_program_check> dut;
  std::mt19937_64 rng(46);
  const std::uint32_t limits[] = {0u,     1u,     2u,     15u,    16u,    17u,    31u,    32u,    33u,
                                  63u,    64u,    65u,    239u,   240u,   241u,   255u,   256u,   257u,
                                  4095u,  4096u,  4097u,  8191u,  8192u,  8193u,  16383u, 16384u, 65535u,
                                  65536u, 65537u, 0x7fff'ffffu, 0x8000'0000u, 0xffff'fffeu, 0xffff'ffffu};
  bool edited[7] = {};  // by op
  int refused = 0, accepted = 0;
  for (const Bytes& original : random_programs(8)) {
    const auto parsed = program::parse_program(original, "program");
    bool new_op = false;
    for (const auto& l : parsed.program.layers) new_op = new_op || !edited[static_cast<std::size_t>(l.op)];
    if (!new_op) continue;
    for (const auto& l : parsed.program.layers) edited[static_cast<std::size_t>(l.op)] = true;
    const std::size_t words = original.size() / 4;
    for (std::size_t at = 0; at < words; ++at) {
      if (at == P::header::kLayers) continue;  // the beat count: the test below
      const std::uint32_t old = load(original, at);
      std::vector<std::uint32_t> values(std::begin(limits), std::end(limits));
      values.push_back(old + 1);
      values.push_back(old - 1);
      for (int bit = 0; bit < 32; ++bit) values.push_back(old ^ (std::uint32_t{1} << bit));
      for (const std::uint32_t value : values) {
        if (value == old) continue;
        Bytes b = original;
        store(b, at, value);
        const bool host = host_accepts(b);
        ASSERT_EQ(check(dut, b, kAnyStream, true, rng).status,
                  host ? std::uint32_t{modelock_hls::kStatusOk} : std::uint32_t{modelock_hls::kStatusBadProgram})
            << "word " << at << " (" << (at < 16 ? "header" : at >= words - 16 ? "trailer" : "record") << " word "
            << (at < 16 ? at : (at - 16) % P::kLayerWords) << ") " << old << " -> " << value;
        (host ? accepted : refused) += 1;
      }
    }
  }
  for (int op = 1; op <= 6; ++op) EXPECT_TRUE(edited[op]) << "no program with op " << op;
  EXPECT_GT(accepted, 100);
  EXPECT_GT(refused, 10000);
}

// Shapes at the limits, which no one-word edit reaches (a layer's output
// is also the next layer's input): activations of exactly
// kMaxActivationBytes and one row or column more, C * H already over it,
// gemm cols at kMaxCols, the widest dilated kernel with the widest pads.
namespace shapes {

using program::ActivationShape;
using program::Layer;
using program::Op;

struct Builder {
  program::Program p;
  std::uint64_t blob = 0, stream = 0;
  std::uint32_t tag = 0;

  explicit Builder(ActivationShape input) { p.input = input; }
  ActivationShape at() const { return p.layers.empty() ? p.input : p.layers.back().out; }

  void tensors(Layer& l) {
    const std::uint32_t lengths[] = {l.rows * ((l.cols + 63) / 64 * 64), 4 * l.rows, 4 * l.rows, l.rows};
    for (std::size_t r = 0; r < program::kRoles; ++r) {
      l.tensors[r] = {blob, stream, lengths[r], ++tag, {}};
      blob += (lengths[r] + 63) / 64 * 64;
      stream += lengths[r];
    }
  }
  Builder& gemm(std::uint32_t rows) {
    const ActivationShape x = at();
    Layer l{.op = Op::gemm, .in = x, .out = {rows, 1, 1}, .rows = rows, .cols = x.c * x.h * x.w};
    tensors(l);
    p.layers.push_back(l);
    p.classes = rows;
    return *this;
  }
  Builder& conv(std::uint32_t rows, std::uint32_t kernel, std::uint32_t stride, std::uint32_t pad,
                std::uint32_t dilation) {
    const ActivationShape x = at();
    const std::uint32_t extent = dilation * (kernel - 1) + 1;
    const auto size = [&](std::uint32_t in) { return (in + 2 * pad - extent) / stride + 1; };
    Layer l{.op = Op::conv, .in = x, .out = {rows, size(x.h), size(x.w)}, .kernel_h = kernel, .kernel_w = kernel,
            .stride_h = stride, .stride_w = stride, .pad_top = pad, .pad_left = pad, .pad_bottom = pad,
            .pad_right = pad, .dilation_h = dilation, .dilation_w = dilation, .rows = rows,
            .cols = x.c * kernel * kernel};
    tensors(l);
    p.layers.push_back(l);
    return *this;
  }
  Builder& global_average_pool() {
    const ActivationShape x = at();
    p.layers.push_back(Layer{.op = Op::global_average_pool, .in = x, .out = {x.c, 1, 1}});
    return *this;
  }
  Bytes bytes() const { return program::encode_program(p, {}); }
};

}  // namespace shapes

TEST(ProgramCheck, ShapesAtTheLimits) {
  using shapes::Builder;
  ClockedModel<Vmodelock_program_check> dut;
  std::mt19937_64 rng(47);
  const struct {
    const char* what;
    Bytes program;
    bool ok;
  } cases[] = {
      {"input of 65536", Builder({1, 256, 256}).global_average_pool().gemm(2).bytes(), true},
      {"input of 65792", Builder({1, 256, 257}).global_average_pool().gemm(2).bytes(), false},
      {"conv output of 65536", Builder({1, 64, 64}).conv(16, 1, 1, 0, 1).global_average_pool().gemm(2).bytes(), true},
      {"conv output of 69632", Builder({1, 64, 64}).conv(17, 1, 1, 0, 1).global_average_pool().gemm(2).bytes(), false},
      {"C * H of 65536", Builder({1, 16, 1}).conv(4096, 1, 1, 0, 1).global_average_pool().gemm(2).bytes(), true},
      {"C * H of 69632", Builder({1, 17, 1}).conv(4096, 1, 1, 0, 1).global_average_pool().gemm(2).bytes(), false},
      {"gemm cols 8192", Builder({2, 64, 64}).gemm(3).bytes(), true},
      {"gemm cols 8320", Builder({2, 64, 65}).gemm(3).bytes(), false},
      {"kernel 16, dilation 16, pads 240, stride 16",
       Builder({1, 16, 16}).conv(2, 16, 16, 240, 16).global_average_pool().gemm(2).bytes(), true},
      {"kernel 16, dilation 16, pads 240, stride 1",
       Builder({1, 16, 16}).conv(1, 16, 1, 240, 16).global_average_pool().gemm(2).bytes(), true},
  };
  for (const auto& c : cases) {
    const bool host = host_accepts(c.program);
    EXPECT_EQ(host, c.ok) << c.what;
    EXPECT_EQ(check(dut, c.program, kAnyStream, true, rng).status,
              host ? std::uint32_t{modelock_hls::kStatusOk} : std::uint32_t{modelock_hls::kStatusBadProgram})
        << c.what;
  }
}

TEST(ProgramCheck, ALayerCountOutsideTheLimitIsRefusedAfterTheHeader) {
  ClockedModel<Vmodelock_program_check> dut;
  std::mt19937_64 rng(43);
  Bytes b = random_programs(1)[0];
  for (const std::uint32_t layers : {0u, P::kMaxLayers + 1, 0xffff'ffffu, 0x8000'0001u}) {
    store(b, P::header::kLayers, layers);
    const Verdict v = check(dut, b, kAnyStream, true, rng);
    EXPECT_TRUE(v.header_seen);
    EXPECT_FALSE(v.layers_ok);
    EXPECT_EQ(v.status, std::uint32_t{modelock_hls::kStatusBadProgram}) << layers;
  }
}

TEST(ProgramCheck, TheTagVerdictComesBeforeTheFields) {
  ClockedModel<Vmodelock_program_check> dut;
  std::mt19937_64 rng(44);
  Bytes b = random_programs(1)[0];
  EXPECT_EQ(check(dut, b, kAnyStream, false, rng).status, std::uint32_t{modelock_hls::kStatusProgramTagMismatch});
  store(b, P::header::kMagicWord, 0);
  EXPECT_EQ(check(dut, b, kAnyStream, false, rng).status, std::uint32_t{modelock_hls::kStatusProgramTagMismatch});
  EXPECT_EQ(check(dut, b, kAnyStream, true, rng).status, std::uint32_t{modelock_hls::kStatusBadProgram});
}

TEST(ProgramCheck, EveryTensorLiesInsideTheKeysStream) {
  ClockedModel<Vmodelock_program_check> dut;
  std::mt19937_64 rng(45);
  for (const Bytes& b : random_programs(5)) {
    const auto parsed = program::parse_program(b, "program");
    std::uint64_t end = 0;  // the end of the furthest tensor in the stream
    for (const auto& l : parsed.program.layers) {
      for (const auto& t : l.tensors) end = std::max(end, t.stream_offset + t.length);
    }
    EXPECT_EQ(check(dut, b, end, true, rng).status, std::uint32_t{modelock_hls::kStatusOk});
    EXPECT_EQ(check(dut, b, end - 1, true, rng).status, std::uint32_t{modelock_hls::kStatusBadProgram});
  }
}

}  // namespace
}  // namespace modelock::sim
