// The engine's key state in RTL (modelock_key_state: load_key and
// clear_key) against the HLS kernel's (hls/include/modelock_hls/
// key_state.hpp) after every command of a sequence that covers each way in
// and out: loads of every scheme with random keys, deeplock tables longer
// and shorter than the one before (the entries beyond a shorter one wiped
// by writes), refused loads (unknown scheme, a stream over 64 MiB) and
// clear_key. Every output is compared: K_enc's round keys, H..H^4,
// nonce, scheme, stream length, loaded, status, and the checkpoint table
// read back entry by entry, including entries past the last one in use
// (which must read zero), and the table's read data right after clear_key,
// with no new read, which must be zero too (a run's last read of a
// checkpoint must not outlive the clear). K_mac stays inside (its AES core computes the
// round keys on the fly): H = E(K_mac, 0) shows it, and the tag checks
// (sim/tests/gmac, sim/tests/lock_engine) use it. And each command's cycles, exactly: the timing
// of docs/engine.md's load_key (a schedule round a cycle, the longer of
// the MAC half and the table build) and the wipe of one entry a cycle.
// A 64 MiB stream fills the whole table (65,536 checkpoints, the
// segment count at its widest), read back across it and wiped.
#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "Vmodelock_key_state.h"
#include "clocked_model.hpp"
#include "lock_engine.hpp"
#include "modelock_hls/key_state.hpp"
#include "wide_bits.hpp"

namespace {

using modelock::sim::Block;
using modelock::sim::ClockedModel;
using modelock::sim::get_block;
using modelock::sim::words;

constexpr std::uint64_t kRounds = modelock_hls::kEngineCheckpointRounds;
// Table entries read back after each command: past the longest table the
// sequence builds, so that a missed wipe shows.
constexpr std::uint32_t kEntriesRead = 48;
// The MAC half of load_key: done 76 cycles after its start (modelock_mac_key).
constexpr std::uint64_t kMacCycles = 76;

struct Reference {
  modelock_hls::KeyState key{};
  modelock_hls::CheckpointTable table{};
};

Block bytes_of(const modelock_hls::Block& b) {
  Block out{};
  modelock_hls::block_to_bytes(b, out.data());
  return out;
}

Block round_key(const modelock_hls::RoundKeys& rk, int r) {
  Block out{};
  std::copy_n(rk.bytes[r], 16, out.begin());
  return out;
}

class KeyState : public ::testing::Test {
 protected:
  ClockedModel<Vmodelock_key_state> m_;
  std::unique_ptr<Reference> ref_ = std::make_unique<Reference>();
  std::mt19937_64 rng_{11};
  std::uint64_t used_ = 0;  // checkpoints the last successful deeplock load built

  // Issues one command (load_i or clear_i for a cycle) and runs to done_o;
  // the cycles from the edge that took it to the one that raised done_o.
  std::uint64_t command(bool load, std::uint64_t limit = 100'000) {
    (load ? m_->load_i : m_->clear_i) = 1;
    m_.tick();
    m_->load_i = 0;
    m_->clear_i = 0;
    std::uint64_t cycles = 1;
    while (!m_->done_o) {
      EXPECT_TRUE(m_->busy_o);
      if (cycles > limit) {
        ADD_FAILURE() << "no done_o";
        return cycles;
      }
      m_.tick();
      ++cycles;
    }
    m_.tick();  // done_o's cycle; the module is idle again
    EXPECT_FALSE(m_->busy_o);
    return cycles;
  }

  // load_key with random key registers, in the RTL and in the reference;
  // expects the same status and the cycles of load_key's timing.
  void load(std::uint32_t scheme, std::uint64_t stream_bytes, std::uint64_t limit = 100'000) {
    std::array<std::uint32_t, 4> key{}, mac{};
    std::array<std::uint32_t, 2> nonce{};
    for (auto& w : key) w = static_cast<std::uint32_t>(rng_());
    for (auto& w : mac) w = static_cast<std::uint32_t>(rng_());
    for (auto& w : nonce) w = static_cast<std::uint32_t>(rng_());
    m_->scheme_i = scheme;
    m_->stream_bytes_i = stream_bytes;
    std::copy(key.begin(), key.end(), words(m_->key_i).begin());
    std::copy(mac.begin(), mac.end(), words(m_->mac_i).begin());
    m_->nonce_i = std::uint64_t{nonce[1]} << 32 | nonce[0];
    const std::uint32_t status =
        modelock_hls::load_key(ref_->key, ref_->table, scheme, stream_bytes, key.data(), mac.data(), nonce.data());
    const std::uint64_t cycles = command(true, limit);
    EXPECT_EQ(m_->status_o, status);

    // A refused load (like clear_key) wipes every entry in use, one a
    // cycle, after two cycles of start and one to end. A good one starts
    // its units two cycles in, waits for the longer of the MAC half and the
    // table (one round a cycle), takes two cycles to see them done and end,
    // and wipes between those the entries it did not overwrite.
    std::uint64_t expected = 3 + used_;
    if (status == modelock_hls::kStatusOk) {
      const bool deeplock = scheme == modelock_hls::kSchemeDeeplock;
      const std::uint64_t segments = deeplock ? ref_->key.checkpoint_count : 0;
      expected = 5 + std::max(kMacCycles, segments * kRounds) + (used_ > segments ? used_ - segments : 0);
      used_ = segments;
    } else {
      used_ = 0;
    }
    EXPECT_EQ(cycles, expected) << "scheme " << scheme << ", stream " << stream_bytes;
    expect_reference("load_key scheme " + std::to_string(scheme) + " stream " + std::to_string(stream_bytes));
  }

  void clear() {
    if (used_ > 0) expect_entry(used_ - 1);  // a checkpoint in the read register, as a run leaves it
    modelock_hls::clear_key_state(ref_->key, ref_->table);
    EXPECT_EQ(command(false, used_ + 100), 3 + used_);
    for (const std::uint32_t w : words(m_->table_rd_data_o)) EXPECT_EQ(w, 0u) << "the table's read data after clear_key";
    EXPECT_EQ(m_->status_o, modelock_hls::kStatusOk);
    used_ = 0;
    expect_reference("clear_key");
  }

  void expect_reference(const std::string& after) {
    SCOPED_TRACE(after);
    const modelock_hls::KeyState& k = ref_->key;
    EXPECT_EQ(m_->loaded_o, k.loaded ? 1 : 0);
    EXPECT_EQ(m_->scheme_o, k.scheme);
    EXPECT_EQ(m_->stream_bytes_o, k.stream_bytes);
    EXPECT_EQ(m_->nonce_o, k.nonce);
    for (int r = 0; r < 11; ++r) {
      EXPECT_EQ(get_block(words(m_->enc_round_keys_o), 128 * static_cast<std::size_t>(r)), round_key(k.enc, r))
          << "K_enc round key " << r;
    }
    for (int p = 0; p < 4; ++p) {
      EXPECT_EQ(get_block(words(m_->h_powers_o), 128 * static_cast<std::size_t>(p)), bytes_of(k.ghash.h[p]))
          << "H^" << p + 1;
    }
    for (std::uint32_t j = 0; j < kEntriesRead; ++j) expect_entry(j);
  }

  // Table entry j as the reference has it.
  void expect_entry(std::uint32_t j) {
    m_->table_rd_en_i = 1;
    m_->table_rd_addr_i = j;
    m_.tick();
    m_->table_rd_en_i = 0;
    const modelock_hls::EngineScheduleState& e = ref_->table[j];
    Block w{};
    std::copy_n(e.w, 16, w.begin());
    EXPECT_EQ(get_block(words(m_->table_rd_data_o), 8), w) << "checkpoint " << j;
    EXPECT_EQ(words(m_->table_rd_data_o)[0] & 0xffu, e.rcon) << "checkpoint " << j;
  }

  // Entries at the ends and in the middle of every 4,096 of the table (one
  // UltraRAM's depth, where Yosys splits it), read in an order that moves
  // to another 4,096 at every read.
  void expect_across_the_table() {
    constexpr std::uint32_t kBank = 4096;
    for (const std::uint32_t row : {0u, 1u, 1234u, kBank - 1}) {
      for (std::uint32_t b = 0; b < modelock_hls::kMaxCheckpoints / kBank; ++b) expect_entry(b * kBank + row);
    }
  }
};

TEST_F(KeyState, EveryLoadAndClearLeavesWhatTheHlsKernelLeavesInItsCycles) {
  constexpr std::uint64_t kSegment = 16 * kRounds;
  load(modelock_hls::kSchemeCtr, 1000);
  load(modelock_hls::kSchemeDeeplock, 40 * kSegment - 5);  // 40 entries
  load(modelock_hls::kSchemeDeeplock, 3 * kSegment + 1);   // 4: 36 wiped
  load(modelock_hls::kSchemeNone, 0);                      // all 4 wiped
  load(modelock_hls::kSchemeDeeplock, 0);                  // one entry
  load(modelock_hls::kSchemeDeeplock, 20 * kSegment);
  load(modelock_hls::kSchemeDeeplock, modelock_hls::kMaxDeeplockStream + 1);  // refused: all wiped
  load(modelock_hls::kSchemeDeeplock, 7 * kSegment - 16);
  load(3, 100);  // unknown scheme: refused, all wiped
  load(modelock_hls::kSchemeDeeplock, 30 * kSegment + 100);
  clear();
  load(modelock_hls::kSchemeCtr, 1 << 20);
  load(modelock_hls::kSchemeDeeplock, 5 * kSegment);
  load(modelock_hls::kSchemeCtr, 64);  // the table's 5 entries wiped
  load(modelock_hls::kSchemeDeeplock, 2 * kSegment);
  clear();
  clear();
}

TEST_F(KeyState, AFullTableOf64MiBThenWipedByClearKey) {
  constexpr std::uint64_t kFull = modelock_hls::kMaxDeeplockStream;
  load(modelock_hls::kSchemeDeeplock, kFull, kFull / 16 + 100);
  ASSERT_EQ(used_, modelock_hls::kMaxCheckpoints);
  expect_across_the_table();
  clear();
  expect_across_the_table();
}

}  // namespace
