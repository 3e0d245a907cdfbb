#include "modelock/locking/streaming.hpp"

#include <algorithm>
#include <array>
#include <mutex>
#include <optional>

#include <fmt/format.h>

#include "chunk_pipeline.hpp"
#include "engine_program.hpp"
#include "lock_records.hpp"
#include "modelock/common/error.hpp"
#include "opening.hpp"

namespace modelock::locking {

namespace {

constexpr std::array<std::uint8_t, format::kBlobAlignment> kZeros{};

// The longest engine program: one of the engine's most layers.
constexpr std::uint64_t kMaxEngineProgramBytes =
    modelock_hls::program::program_bytes(modelock_hls::program::kMaxLayers);

std::vector<std::uint64_t> lengths_of(std::span<const format::TensorRecord> tensors) {
  std::vector<std::uint64_t> lengths;
  lengths.reserve(tensors.size());
  for (const auto& t : tensors) lengths.push_back(t.length);
  return lengths;
}

// The zero bytes between a tensor's end and the next 64-byte boundary: the
// reader requires them, and a file written at offsets need not have them.
void write_padding_after(OutputFile& out, std::uint64_t blob_offset, const format::TensorRecord& t) {
  const std::uint64_t end = t.offset + t.length;
  const std::uint64_t padding = (format::kBlobAlignment - end % format::kBlobAlignment) % format::kBlobAlignment;
  out.write_at(blob_offset + end, std::span(kZeros).first(static_cast<std::size_t>(padding)));
}

// Verify's chunks: it looks at the bytes in place (mapped, no buffers), so
// a chunk need not fit a cache; 4 MiB makes the map, populate and unmap per
// chunk a small cost (measured on a 2 GiB file, GMAC over maps of 512 KiB
// took 0.42 s of CPU, of 4 MiB 0.37 s, of 16 MiB 0.36 s, against 0.47 s
// copying 512 KiB chunks with pread), and keeps what the maps hold in the
// resident set to 4 MiB per worker.
constexpr std::uint64_t kViewChunkBytes = std::uint64_t{4} << 20;

// The key check value and the header tag, before any tensor.
void check_header(const format::ContainerFile& container, const scheme::OpeningCipher& cipher) {
  detail::check_key_value(container.origin(), container.header().kcv, cipher);
  if (!cipher.tag_matches(detail::kHeaderTagIndex, container.authenticated_prefix(), container.header_tag())) {
    throw detail::header_tag_failure(container.origin());
  }
}

// The engine program's own checks, after every tensor tag verified. Small by
// construction (program_bytes of the engine's layer limit).
void check_engine_program(const format::ContainerFile& container, const scheme::OpeningCipher& cipher) {
  detail::check_engine_program(container.origin(), container.header().tensors, cipher, [&](std::size_t index) {
    return container.small_tensor(index, kMaxEngineProgramBytes);
  });
}

}  // namespace

std::uint64_t lock_to_file(const format::ModelSource& model, const scheme::MasterKey& key, OutputFile& out,
                           const LockOptions& options) {
  if (options.engine_program) {
    throw Error(ErrorKind::usage, "lock_to_file: an engine program is built in memory (lock_model), not streamed");
  }
  scheme::LockingCipher cipher(options.scheme, key, options.backend);
  format::ContainerHeader header = detail::new_header(cipher, model.source, model.graph);
  for (std::size_t i = 0; i < model.tensors.size(); ++i) {
    const auto& t = model.tensors[i];
    detail::check_lockable(t, t.length, options.origin);
    header.tensors.push_back(detail::record_for(t, t.length));
  }
  const format::ContainerPlan plan = format::plan_container(header, options.origin);

  // Stream offsets in table order, as the reader derives them; then each
  // chunk's own piece of its tensor's range, so that chunks lock in parallel.
  const auto chunks = detail::cut_into_chunks(lengths_of(header.tensors));
  std::vector<std::optional<scheme::StreamRange>> ranges(chunks.size());
  {
    std::optional<scheme::StreamRange> tensor_range;
    for (const auto& c : chunks) {
      if (!header.tensors[c.tensor].locked) continue;
      if (c.first) tensor_range = cipher.reserve_stream(header.tensors[c.tensor].length);
      ranges[c.index] = tensor_range->take(c.length);
    }
  }
  std::vector<std::optional<scheme::TagWriter>> tags(header.tensors.size());
  std::mutex cipher_mutex;  // start_tag records the index it hands out
  detail::run_chunks(chunks, {
      .work = [&](const detail::Chunk& c, const detail::ChunkBuffers& b) {
        const auto& t = model.tensors[c.tensor];
        t.bytes->read_at(t.offset + c.offset, b.in);
        if (ranges[c.index]) ranges[c.index]->lock(b.in, b.in);
      },
      .commit = [&](const detail::Chunk& c, const detail::ChunkBuffers& b) {
        auto& record = header.tensors[c.tensor];
        if (c.first) {
          const std::lock_guard lock(cipher_mutex);
          tags[c.tensor] = cipher.start_tag(detail::tensor_tag_index(c.tensor));
        }
        tags[c.tensor]->update(b.in);
        const std::uint64_t at = plan.blob_offset + record.offset + c.offset;
        out.write_at(at, b.in);
        out.start_write_back(at, b.in.size());
        if (c.last) {
          record.tag = tags[c.tensor]->finish();
          tags[c.tensor].reset();
          write_padding_after(out, plan.blob_offset, record);
        }
      }});

  const std::vector<std::uint8_t> prefix = format::encode_header(header, plan);
  out.write_at(0, prefix);
  const scheme::Tag header_tag = cipher.tag(detail::kHeaderTagIndex, prefix);
  out.write_at(plan.file_size - scheme::kTagBytes, header_tag);
  return plan.file_size;
}

void verify_file(const format::ContainerFile& container, const scheme::MasterKey& key, const OpenOptions& options) {
  // unlock_to_files' checks with nowhere to write: each chunk's GMAC reads
  // the file's bytes where they are (a map of the page cache, FileView)
  // instead of a copy. The map of a chunk is made (and its pages brought in)
  // in `work`, on any worker; the GMAC, in chunk order, in `commit`, which
  // then unmaps it.
  const auto& header = container.header();
  const scheme::OpeningCipher cipher(header.scheme, key, header.nonce, options.backend);
  check_header(container, cipher);
  const auto chunks = detail::cut_into_chunks(lengths_of(header.tensors), kViewChunkBytes);
  // One per chunk, each touched only by the worker that holds the chunk.
  std::vector<std::optional<FileView>> views(chunks.size());
  std::vector<std::optional<scheme::TagChecker>> checks(header.tensors.size());
  detail::run_chunks(chunks, {
      .work = [&](const detail::Chunk& c, const detail::ChunkBuffers&) {
        views[c.index] = container.view_tensor(c.tensor, c.offset, c.length);
      },
      .commit = [&](const detail::Chunk& c, const detail::ChunkBuffers&) {
        if (c.first) checks[c.tensor] = cipher.start_check(detail::tensor_tag_index(c.tensor));
        checks[c.tensor]->update(views[c.index]->bytes());
        views[c.index].reset();
        if (c.last) {
          const bool ok = checks[c.tensor]->matches(header.tensors[c.tensor].tag);
          checks[c.tensor].reset();
          if (!ok) throw detail::tensor_tag_failure(container.origin(), header.tensors[c.tensor].name);
        }
      },
      .buffers = false});
  check_engine_program(container, cipher);
}

void unlock_to_files(const format::ContainerFile& container, const scheme::MasterKey& key,
                     std::span<const TensorDestination> destinations, const OpenOptions& options) {
  const auto& header = container.header();
  const std::string& origin = container.origin();
  if (!destinations.empty() && destinations.size() != header.tensors.size()) {
    throw Error(ErrorKind::usage, fmt::format("unlock_to_files: expected {} destinations, one per tensor, got {}",
                                              header.tensors.size(), destinations.size()));
  }
  const auto writes = [&](std::size_t tensor) {
    return !destinations.empty() && (destinations[tensor].file != nullptr || !destinations[tensor].memory.empty());
  };
  for (std::size_t i = 0; i < destinations.size(); ++i) {
    const auto& d = destinations[i];
    if (d.file == nullptr && !d.memory.empty() && d.memory.size() != header.tensors[i].length) {
      throw Error(ErrorKind::usage, fmt::format("unlock_to_files: tensor '{}': expected a buffer of {} bytes, got {}",
                                                header.tensors[i].name, header.tensors[i].length, d.memory.size()));
    }
  }
  const scheme::OpeningCipher cipher(header.scheme, key, header.nonce, options.backend);
  check_header(container, cipher);
  const auto chunks = detail::cut_into_chunks(lengths_of(header.tensors));
  std::vector<std::optional<scheme::TagChecker>> checks(header.tensors.size());
  detail::run_chunks(chunks, {
      .work = [&](const detail::Chunk& c, const detail::ChunkBuffers& b) {
        container.read_tensor(c.tensor, c.offset, b.in);
        const auto& record = header.tensors[c.tensor];
        if (!writes(c.tensor)) return;
        if (record.locked) {
          cipher.unlock(record.stream_offset + c.offset, b.in, b.out);
        } else {
          std::copy(b.in.begin(), b.in.end(), b.out.begin());
        }
      },
      .commit = [&](const detail::Chunk& c, const detail::ChunkBuffers& b) {
        const auto& record = header.tensors[c.tensor];
        if (c.first) checks[c.tensor] = cipher.start_check(detail::tensor_tag_index(c.tensor));
        checks[c.tensor]->update(b.in);
        if (writes(c.tensor)) {
          const auto& d = destinations[c.tensor];
          if (d.file != nullptr) {
            // Write-back of plaintext before every tag verified is safe:
            // the file has no name until the caller commits it.
            d.file->write_at(d.offset + c.offset, b.out);
            d.file->start_write_back(d.offset + c.offset, b.out.size());
          } else {
            std::copy(b.out.begin(), b.out.end(), d.memory.begin() + static_cast<std::ptrdiff_t>(c.offset));
          }
        }
        if (c.last) {
          const bool ok = checks[c.tensor]->matches(record.tag);
          checks[c.tensor].reset();
          if (!ok) throw detail::tensor_tag_failure(origin, record.name);
        }
      }});
  check_engine_program(container, cipher);
}

}  // namespace modelock::locking
