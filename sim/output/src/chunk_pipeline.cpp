#include "chunk_pipeline.hpp"

#include <libdeflate.h>

#include <algorithm>
#include <bit>
#include <new>
#include <stdexcept>

#include "geosim/core/error.hpp"
#include "workers.hpp"

namespace geosim::output::detail {

// The chunks go to the file as they are in memory; geosim's files are
// little-endian (H5T_IEEE_F64LE, H5T_STD_U16LE, ...).
static_assert(std::endian::native == std::endian::little, "chunks are written in memory order");

namespace {

/// A compressor per thread and level (libdeflate's are not shared between
/// threads; allocating one per chunk would cost more than small chunks).
libdeflate_compressor* compressor(int level) {
  struct Free {
    void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
  };
  thread_local std::unique_ptr<libdeflate_compressor, Free> c;
  thread_local int made_for = -1;
  if (!c || made_for != level) {
    c.reset(libdeflate_alloc_compressor(level));
    if (!c) throw std::bad_alloc();
    made_for = level;
  }
  return c.get();
}

/// HDF5's shuffle filter (H5Zshuffle.c): byte j of element i goes to
/// j * n + i, so that the bytes of equal significance sit together.
Bytes shuffled(const Bytes& data, std::size_t size) {
  const std::size_t n = data.size() / size;
  Bytes out(data.size());
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < size; ++j) out[j * n + i] = data[i * size + j];
  std::copy(data.begin() + static_cast<std::ptrdiff_t>(n * size), data.end(), out.begin() + static_cast<std::ptrdiff_t>(n * size));
  return out;
}

}  // namespace

ChunkPipeline::ChunkPipeline(int threads, std::size_t max_pending, std::string what)
    : max_pending_(max_pending),
      what_(std::move(what)),
      workers_(threads > 1 ? std::make_unique<Workers>(threads) : nullptr) {}

ChunkPipeline::~ChunkPipeline() {
  // Tasks refer to pending_: they must be done before it goes.
  if (workers_) {
    try {
      workers_->cancel();
    } catch (...) {
    }
  }
  for (auto& c : pending_)
    if (c.dataset != H5I_INVALID_HID) H5Idec_ref(c.dataset);
}

void ChunkPipeline::compress(Chunk& c) {
  if (c.compressed) return;
  if (c.filters.level > 0 && !c.filters.skip) {
    if (c.filters.shuffle > 1) c.data = shuffled(c.data, c.filters.shuffle);
    libdeflate_compressor* z = compressor(c.filters.level);
    Bytes out(libdeflate_zlib_compress_bound(z, c.data.size()));
    const std::size_t n = libdeflate_zlib_compress(z, c.data.data(), c.data.size(), out.data(), out.size());
    if (n == 0) throw std::logic_error("ChunkPipeline: compressed chunk larger than its bound");
    out.resize(n);
    c.data = std::move(out);
  }
  if (c.stored != nullptr) *c.stored = c.data.size();
  c.compressed = true;
}

void ChunkPipeline::submit(hid_t dataset, std::vector<hsize_t> offset, Bytes chunk, std::size_t valid,
                           ChunkFilters filters, ValuesCrc& values, std::size_t* stored) {
  if (!pending_.empty() && pending_bytes_ + chunk.size() > max_pending_) write();
  // The values' CRC at once, in the order the chunks come: the caller may
  // then stamp checksums while the last chunks are still being compressed.
  // (libdeflate's CRC-32 is zlib's, about 4 times faster.)
  values.crc = libdeflate_crc32(values.crc, chunk.data(), valid);
  values.bytes += valid;
  pending_bytes_ += chunk.size();
  Chunk& c = pending_.emplace_back(Chunk{H5I_INVALID_HID, std::move(offset), std::move(chunk), filters, stored, false});
  if (H5Iinc_ref(dataset) < 0) {
    pending_.pop_back();
    throw std::logic_error("ChunkPipeline::submit: not an open dataset");
  }
  c.dataset = dataset;
  // Enqueued into the arena, where a worker takes it while this thread
  // goes on with the run; write() waits for what is left.
  if (workers_) workers_->enqueue([&c] { compress(c); });
}

void ChunkPipeline::write() {
  if (workers_)
    workers_->wait();
  else
    for (auto& c : pending_) compress(c);
  for (auto& c : pending_) {
    // Bit i set: the dataset's filter i (shuffle first, if there is one)
    // was not applied to this chunk.
    const auto& f = c.filters;
    const std::uint32_t mask = f.level > 0 && f.skip ? (f.shuffle > 0 ? 0x3u : 0x1u) : 0u;
    h5::check_status(H5Dwrite_chunk(c.dataset, H5P_DEFAULT, mask, c.offset.data(), c.data.size(), c.data.data()), what_);
    H5Idec_ref(c.dataset);
    c.dataset = H5I_INVALID_HID;
  }
  pending_.clear();
  pending_bytes_ = 0;
}

}  // namespace geosim::output::detail
