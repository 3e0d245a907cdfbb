#include "axi_memory.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace modelock::sim {

namespace {
constexpr std::uint64_t kPage = 4096;  // AXI: no burst crosses a 4 KiB boundary
constexpr unsigned kMaxWrites = 16;    // write bursts accepted and not yet answered
constexpr std::uint8_t kSize512 = 6;
constexpr std::uint8_t kBurstIncr = 1;
constexpr std::uint8_t kFaultData = 0xde;  // what a beat answered with an error carries
}  // namespace

AxiMemory::AxiMemory(std::string name, MemoryTiming timing)
    : name_(std::move(name)), timing_(timing), rng_(timing.seed) {}

std::uint64_t AxiMemory::add_buffer(std::size_t bytes) {
  const std::uint64_t address = next_address_;
  const std::size_t whole = (bytes + kAxiBeatBytes - 1) / kAxiBeatBytes * kAxiBeatBytes;
  regions_.push_back({address, std::vector<std::uint8_t>(whole, 0)});
  // A guard page between buffers: an engine reading past one buffer's end
  // meets no other buffer's bytes but a violation.
  next_address_ = (address + whole + 2 * kPage - 1) / kPage * kPage;
  return address;
}

std::span<std::uint8_t> AxiMemory::buffer(std::uint64_t address) {
  for (auto& r : regions_) {
    if (r.address == address) return r.bytes;
  }
  throw std::out_of_range(fmt::format("{}: no buffer at 0x{:x}", name_, address));
}

std::uint8_t* AxiMemory::at(std::uint64_t address) {
  for (auto& r : regions_) {
    if (address >= r.address && address - r.address < r.bytes.size()) return r.bytes.data() + (address - r.address);
  }
  return nullptr;
}

bool AxiMemory::check(const char* channel, std::uint64_t address, unsigned beats, std::uint8_t size,
                      std::uint8_t burst) {
  std::string problem;
  if (size != kSize512) {
    problem = fmt::format("size {} (expected 6: 64-byte beats)", size);
  } else if (burst != kBurstIncr) {
    problem = fmt::format("burst type {} (expected 1: INCR)", burst);
  } else if (address % kAxiBeatBytes != 0) {
    problem = "an address not 64-byte aligned";
  } else if (address % kPage + std::uint64_t{beats} * kAxiBeatBytes > kPage) {
    problem = "a burst crossing a 4 KiB boundary";
  } else {
    const std::uint64_t last = address + std::uint64_t{beats} * kAxiBeatBytes - 1;
    const std::uint8_t* first = at(address);
    if (first == nullptr || at(last) != first + (last - address)) problem = "an access outside every buffer";
  }
  if (problem.empty()) return true;
  violations_.push_back(
      fmt::format("{}: {} burst of {} beats at 0x{:x} at cycle {}: {}", name_, channel, beats, address, cycle_, problem));
  return false;
}

void AxiMemory::inject(Burst& b, MemoryFault::Access access) {
  if (!b.ok) return;
  const std::uint64_t end = b.address + std::uint64_t{b.beats} * kAxiBeatBytes;
  for (LiveFault& live : faults_) {
    const MemoryFault& f = live.fault;
    if (f.access != access || f.buffer >= regions_.size() || (f.bursts != 0 && live.spoiled == f.bursts)) continue;
    const std::uint64_t first = regions_[f.buffer].address + f.offset, last = first + f.bytes;
    if (last <= b.address || first >= end) continue;
    b.fault = f.resp;
    b.fault_first = static_cast<unsigned>((std::max(first, b.address) - b.address) / kAxiBeatBytes);
    b.fault_end = static_cast<unsigned>((std::min(last, end) - b.address + kAxiBeatBytes - 1) / kAxiBeatBytes);
    ++live.spoiled;
    ++stats_.faulted_bursts;
    return;
  }
}

bool AxiMemory::refreshing() const {
  return timing_.refresh_period != 0 && cycle_ % timing_.refresh_period < timing_.refresh_cycles;
}

bool AxiMemory::gap(double chance) {
  if (chance <= 0.0) return false;
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < chance;
}

bool AxiMemory::busy() const { return !reads_.empty() || !writes_.empty() || !responses_.empty(); }

void AxiMemory::drive(AxiSlaveOut& out) {
  out = AxiSlaveOut{};
  const bool quiet = refreshing();
  // READY may drop at any time; VALID, once raised, must stay until its
  // handshake (AXI A3.2.1), whatever a gap or a refresh window says.
  if (!quiet) {
    out.arready = reads_.size() < timing_.max_reads && !gap(timing_.ready_gap);
    out.awready = writes_.size() < kMaxWrites && !gap(timing_.ready_gap);
    // W beats go to the oldest write burst (writes_ holds those still
    // taking data; a finished one waits in responses_).
    out.wready = !writes_.empty() && !gap(timing_.ready_gap);
  }
  if (!reads_.empty() && (r_held_ || (!quiet && reads_.front().ready_at <= cycle_ && !gap(timing_.valid_gap)))) {
    const Burst& b = reads_.front();
    out.rvalid = true;
    out.rid = b.id;
    out.rlast = b.done + 1 == b.beats;
    const bool faulted = b.fault != kAxiOkay && b.done >= b.fault_first && b.done < b.fault_end;
    out.rresp = !b.ok ? kAxiSlvErr : faulted ? b.fault : kAxiOkay;
    if (faulted) {
      out.rdata.fill(kFaultData);
    } else if (b.ok) {
      std::copy_n(at(b.address + std::uint64_t{b.done} * kAxiBeatBytes), kAxiBeatBytes, out.rdata.begin());
    }
  }
  if (!responses_.empty() &&
      (b_held_ || (!quiet && responses_.front().ready_at <= cycle_ && !gap(timing_.valid_gap)))) {
    out.bvalid = true;
    out.bid = responses_.front().id;
    const Burst& b = responses_.front();
    out.bresp = !b.ok ? kAxiSlvErr : b.fault;
  }
  driven_ = out;
}

void AxiMemory::sample(const AxiMasterOut& in) {
  if (in.arvalid && driven_.arready) {
    const unsigned beats = unsigned{in.arlen} + 1;
    const bool ok = check("read", in.araddr, beats, in.arsize, in.arburst);
    reads_.push_back({in.araddr, beats, 0, in.arid, cycle_ + timing_.read_latency, ok});
    inject(reads_.back(), MemoryFault::Access::read);
    ++stats_.read_bursts;
    stats_.max_reads_in_flight = std::max(stats_.max_reads_in_flight, static_cast<unsigned>(reads_.size()));
  }
  if (driven_.rvalid && in.rready) {
    ++stats_.read_beats;
    if (++reads_.front().done == reads_.front().beats) reads_.pop_front();
  }
  if (in.awvalid && driven_.awready) {
    const unsigned beats = unsigned{in.awlen} + 1;
    const bool ok = check("write", in.awaddr, beats, in.awsize, in.awburst);
    writes_.push_back({in.awaddr, beats, 0, in.awid, 0, ok});
    inject(writes_.back(), MemoryFault::Access::write);
    ++stats_.write_bursts;
  }
  if (in.wvalid && driven_.wready) {
    Burst& b = writes_.front();
    if (in.wlast != (b.done + 1 == b.beats)) {
      violations_.push_back(fmt::format("{}: write burst at 0x{:x}: WLAST {} on beat {} of {} at cycle {}", name_,
                                        b.address, in.wlast ? "set" : "missing", b.done + 1, b.beats, cycle_));
      b.ok = false;
    }
    if (b.ok && b.fault == kAxiOkay) {
      std::uint8_t* dst = at(b.address + std::uint64_t{b.done} * kAxiBeatBytes);
      for (std::size_t i = 0; i < kAxiBeatBytes; ++i) {
        if (in.wstrb >> i & 1) dst[i] = in.wdata[i];
      }
    }
    ++stats_.write_beats;
    if (++b.done == b.beats) {
      b.ready_at = cycle_ + timing_.write_latency;
      responses_.push_back(b);
      writes_.pop_front();
    }
  }
  if (driven_.bvalid && in.bready) responses_.pop_front();
  r_held_ = driven_.rvalid && !in.rready;
  b_held_ = driven_.bvalid && !in.bready;
  ++cycle_;
}

}  // namespace modelock::sim
