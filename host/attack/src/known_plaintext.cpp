#include "modelock/attack/known_plaintext.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <bit>
#include <functional>
#include <limits>
#include <map>
#include <vector>

#include "modelock/common/error.hpp"
#include "modelock/format/dtype.hpp"
#include "modelock/scheme/internal/kdf.hpp"
#include "modelock/scheme/internal/key_schedule.hpp"
#include "modelock/scheme/sbox.hpp"

namespace modelock::attack {

namespace {

// Each candidate costs a walk back to W[0] and a KBKDF; a handful of runs is
// enough to step past a mistyped value without letting a long list of known
// parameters turn into a long computation.
constexpr std::size_t kMaxCandidates = 8;

std::uint32_t load_be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

void wipe_words(std::span<std::uint32_t> words) {
  scheme::secure_wipe({reinterpret_cast<std::uint8_t*>(words.data()), words.size_bytes()});
}

// The container attacked, whole in memory or read at offsets from its file:
// its header, its name for messages, and the stored bytes of an element.
struct Target {
  const format::ContainerHeader& header;
  const std::string& origin;
  std::function<void(std::size_t tensor, std::uint64_t byte, std::span<std::uint8_t> out)> read;
};

// A known parameter, validated and placed in the byte stream.
struct Known {
  std::string tensor;
  std::size_t table_index = 0;
  std::uint64_t index = 0;
  std::uint32_t bits = 0;    // the fp32 bit pattern; its bytes are stored little-endian
  std::uint64_t byte = 0;    // offset of its first byte in the tensor's stored bytes
  std::uint64_t stream = 0;  // stream offset of its first byte
};

// Where element `index` (row-major) sits in the stored bytes. The padded
// layout leaves gaps between rows, so elements adjacent in the matrix need not
// be adjacent in the stream.
std::uint64_t element_byte(const format::TensorRecord& record, std::uint64_t index) {
  if (record.layout == format::kLayoutRowsPadded64 && record.shape.size() == 2) {
    const std::uint64_t columns = record.shape[1];
    const std::uint64_t row_bytes = (4 * columns + 63) / 64 * 64;
    return index / columns * row_bytes + index % columns * 4;
  }
  return 4 * index;  // row-major, the only other layout Container::parse accepts
}

// Keystream bytes learned from the known parameters, by stream word t / 4.
// They are as secret as the key under deeplock, so they are wiped.
struct KeystreamWords {
  struct Word {
    std::array<std::uint8_t, 4> bytes{};
    std::uint8_t known_mask = 0;  // bit b: byte b is known
    [[nodiscard]] bool complete() const { return known_mask == 0x0f; }
  };
  std::map<std::uint64_t, Word> words;

  KeystreamWords() = default;
  KeystreamWords(const KeystreamWords&) = delete;
  KeystreamWords& operator=(const KeystreamWords&) = delete;
  ~KeystreamWords() {
    for (auto& [index, word] : words) scheme::secure_wipe(word.bytes);
  }
};

std::string describe_element(const Known& k) { return fmt::format("'{}'[{}]", k.tensor, k.index); }

// "'a'[3..5], 'b'[0]" for elements sorted by stream offset.
std::string describe_elements(std::span<const Known> elements) {
  std::string out;
  for (std::size_t i = 0; i < elements.size();) {
    std::size_t j = i + 1;
    while (j < elements.size() && elements[j].table_index == elements[i].table_index &&
           elements[j].index == elements[j - 1].index + 1) {
      ++j;
    }
    if (!out.empty()) out += ", ";
    out += j - i == 1 ? describe_element(elements[i])
                      : fmt::format("'{}'[{}..{}]", elements[i].tensor, elements[i].index, elements[j - 1].index);
    i = j;
  }
  return out;
}

Known validate(const Target& container, const KnownParameter& p) {
  const auto& tensors = container.header.tensors;
  const auto what = fmt::format("{}: known parameter '{}'[{}]", container.origin, p.tensor, p.index);
  const auto it = std::find_if(tensors.begin(), tensors.end(), [&](const auto& t) { return t.name == p.tensor; });
  if (it == tensors.end()) throw Error(ErrorKind::usage, fmt::format("{}: no tensor named '{}'", what, p.tensor));
  if (it->dtype != format::DType::f32) {
    throw Error(ErrorKind::usage, fmt::format("{}: tensor '{}' has dtype {}; expected F32", what, p.tensor,
                                              format::dtype_name(it->dtype)));
  }
  if (!it->locked) {
    throw Error(ErrorKind::usage,
                fmt::format("{}: tensor '{}' is stored in plaintext (not locked), so its values reveal no keystream",
                            what, p.tensor));
  }
  // Container::parse has checked that the shape's size does not overflow.
  const std::uint64_t elements = format::tensor_byte_length(it->shape, it->dtype).value_or(0) / 4;
  if (p.index >= elements) {
    throw Error(ErrorKind::usage, fmt::format("{}: index {} is out of range; tensor '{}' has {} elements", what,
                                              p.index, p.tensor, elements));
  }
  Known k;
  k.tensor = p.tensor;
  k.table_index = static_cast<std::size_t>(it - tensors.begin());
  k.index = p.index;
  k.bits = std::bit_cast<std::uint32_t>(p.value);
  k.byte = element_byte(*it, p.index);
  k.stream = it->stream_offset + k.byte;
  return k;
}

// Sorted by stream offset, one entry per element.
std::vector<Known> validate_all(const Target& container, std::span<const KnownParameter> known) {
  std::map<std::uint64_t, Known> by_stream;
  for (const auto& p : known) {
    Known k = validate(container, p);
    const auto [it, inserted] = by_stream.emplace(k.stream, k);
    if (!inserted && it->second.bits != k.bits) {
      throw Error(ErrorKind::usage, fmt::format("{}: known parameter {} is given twice with different values",
                                                container.origin, describe_element(k)));
    }
  }
  std::vector<Known> out;
  for (auto& [stream, k] : by_stream) out.push_back(std::move(k));
  if (out.size() < 4) {
    throw Error(ErrorKind::usage,
                fmt::format("{}: known parameters: need at least 4 distinct fp32 elements (16 keystream bytes), got {}",
                            container.origin, out.size()));
  }
  return out;
}

// KS(t) = S^-1(locked(t)) ^ plain(t); scheme none stores plain(t) itself.
void learn_keystream(const Target& container, std::span<const Known> known, KeystreamWords& ks) {
  const bool sbox = container.header.scheme != scheme::Scheme::none;
  for (const auto& k : known) {
    std::array<std::uint8_t, 4> stored{};
    container.read(k.table_index, k.byte, stored);
    for (unsigned b = 0; b < 4; ++b) {
      const auto plain = static_cast<std::uint8_t>(k.bits >> (8 * b));
      const std::uint64_t t = k.stream + b;
      auto& word = ks.words[t / 4];
      word.bytes[t % 4] = static_cast<std::uint8_t>((sbox ? scheme::kInverseSbox[stored[b]] : stored[b]) ^ plain);
      word.known_mask |= static_cast<std::uint8_t>(1u << (t % 4));
    }
  }
}

// Stream words s such that words s..s+3 are all fully known, in stream order.
std::vector<std::uint64_t> candidate_runs(const KeystreamWords& ks) {
  std::vector<std::uint64_t> starts;
  std::uint64_t run = 0;
  std::uint64_t previous = 0;
  for (const auto& [index, word] : ks.words) {
    if (!word.complete()) {
      run = 0;
      continue;
    }
    run = (run != 0 && index == previous + 1) ? run + 1 : 1;
    previous = index;
    if (run >= 4) starts.push_back(index - 3);
  }
  return starts;
}

[[noreturn]] void fail_no_run(const Target& container, std::span<const Known> known) {
  // The longest chain of elements adjacent in the stream says what to add.
  std::size_t best_begin = 0, best_length = 1;
  for (std::size_t i = 0; i < known.size();) {
    std::size_t j = i + 1;
    while (j < known.size() && known[j].stream == known[j - 1].stream + 4) ++j;
    if (j - i > best_length) best_begin = i, best_length = j - i;
    i = j;
  }
  const auto run = known.subspan(best_begin, best_length);
  const auto& first = run.front();
  std::string why;
  if (best_length >= 4) {
    const auto& record = container.header.tensors[first.table_index];
    why = fmt::format(
        "{} are {} consecutive elements, but they start at stream offset {} (tensor '{}' starts at stream offset {}), "
        "which is not a multiple of 4, so they straddle keystream words and fill only {} whole ones; add the element "
        "before or after them",
        describe_elements(run), best_length, first.stream, first.tensor, record.stream_offset, best_length - 1);
  } else {
    why = fmt::format("the longest run of consecutive elements has {}: {}", best_length, describe_elements(run));
  }
  throw Error(ErrorKind::usage,
              fmt::format("{}: known parameters: need 4 consecutive fp32 elements forming 16 keystream bytes at a "
                          "stream offset that is a multiple of 4; {}",
                          container.origin, why));
}

std::array<std::uint32_t, 4> schedule_words(const KeystreamWords& ks, std::uint64_t start) {
  std::array<std::uint32_t, 4> w{};
  for (std::uint64_t i = 0; i < 4; ++i) w[i] = load_be32(ks.words.at(start + i).bytes.data());
  return w;
}

// Elements among `known` with a byte in the run starting at stream word s: bytes [4s, 4s + 16).
std::vector<Known> elements_in_run(std::span<const Known> known, std::uint64_t start) {
  std::vector<Known> out;
  for (const auto& k : known) {
    if (k.stream + 4 > 4 * start && k.stream < 4 * start + 16) out.push_back(k);
  }
  return out;
}

// How many known elements the recovered key's keystream contradicts.
std::size_t count_disagreements(const scheme::MasterKey& key, const KeystreamWords& ks) {
  const scheme::KeySchedule schedule(key.bytes());
  std::size_t disagreeing_words = 0;
  std::array<std::uint8_t, 4> expected{};
  for (const auto& [index, word] : ks.words) {
    schedule.keystream(4 * index, expected);
    for (unsigned b = 0; b < 4; ++b) {
      if ((word.known_mask >> b & 1) && word.bytes[b] != expected[b]) {
        ++disagreeing_words;
        break;
      }
    }
  }
  scheme::secure_wipe(expected);
  return disagreeing_words;
}

}  // namespace

scheme::MasterKey invert_key_schedule(std::uint64_t first, std::span<const std::uint32_t, 4> words) {
  if (first > std::numeric_limits<std::uint64_t>::max() - 3) {
    throw Error(ErrorKind::usage, fmt::format("invert_key_schedule: first word index {} is too large", first));
  }
  std::array<std::uint32_t, 4> w{words[0], words[1], words[2], words[3]};
  // w holds W[k..k+3]; W[k-1] = W[k+3] ^ T_{k+3}(W[k+2]).
  for (std::uint64_t k = first; k > 0; --k) {
    const std::uint32_t previous = w[3] ^ scheme::schedule_transform(k + 3, w[2]);
    w = {previous, w[0], w[1], w[2]};
  }
  std::array<std::uint8_t, scheme::kKeyBytes> bytes{};
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t b = 0; b < 4; ++b) bytes[4 * i + b] = static_cast<std::uint8_t>(w[i] >> (24 - 8 * b));
  }
  scheme::MasterKey key(bytes);
  scheme::secure_wipe(bytes);
  wipe_words(w);
  return key;
}

namespace {

KnownPlaintextResult attack(const Target& container, std::span<const KnownParameter> known) {
  const auto& header = container.header;
  const std::vector<Known> elements = validate_all(container, known);
  KeystreamWords ks;
  learn_keystream(container, elements, ks);
  const std::vector<std::uint64_t> runs = candidate_runs(ks);
  if (runs.empty()) fail_no_run(container, elements);

  KnownPlaintextResult result;
  const std::size_t tries = std::min(runs.size(), kMaxCandidates);
  std::vector<std::string> tried;
  std::size_t matched_run = tries;
  for (std::size_t i = 0; i < tries && !result.recovered; ++i) {
    auto words = schedule_words(ks, runs[i]);
    // Stream word s is schedule word W[4 + s]: round 0 is the key and never keystream.
    scheme::MasterKey candidate = invert_key_schedule(4 + runs[i], words);
    wipe_words(words);
    tried.push_back(fmt::format("bytes [{}, {}) from {}", 4 * runs[i], 4 * runs[i] + 16,
                                describe_elements(elements_in_run(elements, runs[i]))));
    if (scheme::derive_keys(candidate, header.nonce).kcv == header.kcv) {
      result.recovered = true;
      result.key.emplace(std::move(candidate));
      matched_run = i;
    }
  }
  const std::string more =
      runs.size() > tries ? fmt::format(" (the first {} of {} usable runs)", tries, runs.size()) : std::string();

  switch (header.scheme) {
    case scheme::Scheme::deeplock:
      if (result.recovered) {
        const std::uint64_t j = 4 + runs[matched_run];
        const std::size_t disagreeing = count_disagreements(*result.key, ks);
        result.explanation = fmt::format(
            "scheme deeplock: the keystream is the AES-128 key schedule of the master key. Known parameters gave "
            "keystream {} (KS = S^-1(locked) ^ plain), which are schedule words W[{}..{}]; running the schedule back "
            "{} steps to W[0..3] gave a candidate master key that matches the file's key check value, so it is the "
            "master key.{}{} Unlocking with it checks every tag and restores every weight.",
            tried[matched_run], j, j + 3, j,
            matched_run == 0 ? std::string()
                             : fmt::format(" {} earlier candidate(s) did not match: a known value in them is wrong.",
                                           matched_run),
            disagreeing == 0
                ? fmt::format(" Its keystream agrees with all {} known parameters.", elements.size())
                : fmt::format(" Its keystream contradicts {} keystream word(s) of the known parameters: those values "
                              "are not the stored ones.",
                              disagreeing));
      } else {
        result.explanation = fmt::format(
            "scheme deeplock: tried {} candidate key(s){} by running the key schedule back from keystream {}; none "
            "matches the file's key check value. The inversion is exact, so in each run at least one known value is "
            "not the stored fp32 (the bit pattern must match exactly).",
            tries, more, fmt::join(tried, "; "));
      }
      break;
    case scheme::Scheme::ctr:
      result.explanation = fmt::format(
          "scheme ctr: {}. The deeplock inversion was run on keystream {}{}, but this keystream is AES-128 under "
          "K_enc, a per-file key derived from the master key and the nonce, so known plaintext reveals the keystream "
          "at the known positions only.",
          result.recovered ? "a candidate key unexpectedly matches the key check value"
                           : "16 keystream bytes of AES-128-CTR do not determine the key; the candidate does not match "
                             "the key check value",
          fmt::join(tried, "; "), more);
      break;
    case scheme::Scheme::none:
      result.explanation = fmt::format(
          "scheme none: nothing to attack. The tensors are stored in plaintext and there is no keystream; the master "
          "key only guards the tags. The deeplock inversion run on locked ^ plain at {}{} gives a candidate that {} "
          "the key check value.",
          fmt::join(tried, "; "), more, result.recovered ? "unexpectedly matches" : "does not match");
      break;
  }
  return result;
}

}  // namespace

KnownPlaintextResult known_plaintext(const format::Container& container, std::span<const KnownParameter> known) {
  return attack(Target{container.header(), container.origin(),
                       [&](std::size_t tensor, std::uint64_t byte, std::span<std::uint8_t> out) {
                         const auto stored = container.tensor_bytes(tensor).subspan(byte, out.size());
                         std::copy(stored.begin(), stored.end(), out.begin());
                       }},
                known);
}

KnownPlaintextResult known_plaintext(const format::ContainerFile& container, std::span<const KnownParameter> known) {
  return attack(Target{container.header(), container.origin(),
                       [&](std::size_t tensor, std::uint64_t byte, std::span<std::uint8_t> out) {
                         container.read_tensor(tensor, byte, out);
                       }},
                known);
}

}  // namespace modelock::attack
