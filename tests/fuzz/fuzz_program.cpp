// Fuzzes the engine program reader: any byte string must either parse into
// a program that holds every rule of check_program, or be refused with
// modelock::Error. A parsed program must encode back to exactly the input
// (the reader accepts one spelling of each program), its tag is checked
// under a fixed key, and when its work is small it runs on a zero blob, so
// mutations reach the runner's reads by reference.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <array>
#include <cstdlib>
#include <span>
#include <vector>

#include "modelock/common/error.hpp"
#include "modelock/locking/locking.hpp"
#include "modelock/program/reader.hpp"
#include "modelock/program/runner.hpp"

namespace {

using modelock::program::Layer;
using modelock::program::Op;
using modelock::program::Program;

const modelock::scheme::OpeningCipher& fixed_cipher() {
  static const modelock::scheme::OpeningCipher cipher = [] {
    std::array<std::uint8_t, 16> bytes{};
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i);
    return modelock::scheme::OpeningCipher(modelock::scheme::Scheme::ctr, modelock::scheme::MasterKey(bytes),
                                           modelock::scheme::Nonce{});
  }();
  return cipher;
}

// Multiply-accumulates and window reads of one image, saturating: the
// runner is the golden model, not fast, so only small programs run.
std::uint64_t work(const Program& p) {
  std::uint64_t total = 0;
  for (const Layer& l : p.layers) {
    const std::uint64_t out = std::uint64_t{l.out.c} * l.out.h * l.out.w;
    if (l.op == Op::gemm || l.op == Op::conv) total += out * l.cols;
    else if (l.op == Op::max_pool || l.op == Op::average_pool) total += out * l.kernel_h * l.kernel_w;
    else total += std::uint64_t{l.in.c} * l.in.h * l.in.w;
  }
  return total;
}

constexpr std::uint64_t kMaxRunWork = 1'000'000;
constexpr std::uint64_t kMaxRunBlob = 1 << 20;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  try {
    const auto parsed = modelock::program::parse_program(bytes, "fuzz.program");
    const auto encoded = modelock::program::encode_program(parsed.program, parsed.tag);
    if (encoded.size() != size || !std::equal(encoded.begin(), encoded.end(), data)) std::abort();
    (void)modelock::locking::program_tag_verifies(fixed_cipher(), bytes);
    std::uint64_t blob_end = 0;
    for (const Layer& l : parsed.program.layers) {
      for (const auto& t : l.tensors) blob_end = std::max(blob_end, t.blob_offset + t.length);
    }
    if (blob_end <= kMaxRunBlob && work(parsed.program) <= kMaxRunWork) {
      const std::vector<std::uint8_t> blob(blob_end, 0x5a);
      const auto& in = parsed.program.input;
      modelock::runtime::Int8Tensor image({1, in.c, in.h, in.w});
      const auto logits = modelock::program::run_program(parsed.program, blob, image);
      if (logits.data.size() != parsed.program.classes) std::abort();
    }
  } catch (const modelock::Error&) {
    // Refused with a clear error: the expected outcome for most inputs.
  }
  return 0;
}
