#pragma once
// Private: compresses the chunks of chunked datasets on worker threads while
// the run goes on, and writes them into the file (H5Dwrite_chunk) on the
// caller's thread or in the writer's tasks (writer_tasks.hpp), in the order
// they were handed over.
//
// Why not HDF5's own filter pipeline: HDF5 compresses a chunk inside
// H5Dwrite, or when its chunk cache evicts the chunk, always on the calling
// thread and under the library's one lock (Debian's build is thread-safe,
// so calls from several threads take turns). A small run then spent
// more time in zlib than in the model (docs/reliability.md has the figures).
// Here the chunk is compressed with libdeflate (the zlib stream format that
// HDF5's deflate filter reads, about twice zlib's speed at the same level)
// by TBB tasks, and only the finished bytes go through HDF5.
#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <string>
#include <vector>

#include "readers.hpp"

namespace geosim::output::detail {

struct Workers;  // workers.hpp

/// std::allocator, but a vector's new elements are left uninitialised: a
/// chunk is written whole before it is read, and zeroing each new block
/// first was most of what handing a block over cost the run's thread (1.2
/// of 2.2 ms a 10^4-firm run; std::vector has no resize without it).
template <class T>
struct Uninitialised : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = Uninitialised<U>;
  };
  Uninitialised() = default;
  template <class U>
  Uninitialised(const Uninitialised<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    std::allocator_traits<std::allocator<T>>::construct(*this, p, std::forward<Args>(args)...);
  }
};
/// A chunk's bytes.
using Bytes = std::vector<std::byte, Uninitialised<std::byte>>;

/// How a chunk is stored: the filters of its dataset, and whether this
/// chunk goes without them.
struct ChunkFilters {
  /// 1..9: the dataset was created with H5Pset_deflate(level), after
  /// H5Pset_shuffle when `shuffle` (the element size in bytes) is not 0;
  /// 0: without filters.
  int level = 0;
  std::size_t shuffle = 0;
  /// Store this chunk as it is: H5Dwrite_chunk's filter mask marks the
  /// dataset's filters as not applied to it, and HDF5 does not undo them
  /// when it reads the chunk. Nothing to skip without filters.
  bool skip = false;
};

class ChunkPipeline {
 public:
  /// `threads` <= 1 compresses on the caller's thread when it writes; more
  /// lets up to that many threads compress while the caller goes on. Past
  /// `max_pending` bytes handed over, submit() writes what it holds first.
  /// `what` begins the message of a failed write ("FILE: cannot write ...").
  ChunkPipeline(int threads, std::size_t max_pending, std::string what);
  ~ChunkPipeline();
  ChunkPipeline(const ChunkPipeline&) = delete;
  ChunkPipeline& operator=(const ChunkPipeline&) = delete;

  /// Hands over one whole chunk of `dataset` (its chunk dimensions, in the
  /// file's byte order; padding past the dataset's extent included) at
  /// element `offset`. The first `valid` bytes are the values inside the
  /// extent, in the order readers see them: they are added to the CRC of
  /// `values` before submit() returns (hand over a dataset's chunks in its
  /// row-major order). The pipeline holds a reference to `dataset` until
  /// the chunk is written. When `stored` is not null, the chunk's size as
  /// written is put there, by the time write() returns.
  void submit(hid_t dataset, std::vector<hsize_t> offset, Bytes chunk, std::size_t valid, ChunkFilters filters,
              ValuesCrc& values, std::size_t* stored = nullptr);

  /// Waits for every chunk handed over and writes them, in order. Throws
  /// EnvironmentError when HDF5 cannot write one.
  void write();

 private:
  struct Chunk {
    hid_t dataset;
    std::vector<hsize_t> offset;
    Bytes data;  ///< raw, then compressed
    ChunkFilters filters;
    std::size_t* stored;
    bool compressed = false;  ///< data holds the bytes to write
  };
  static void compress(Chunk& c);  ///< once: shuffle and deflate, unless skipped

  std::size_t max_pending_;
  std::size_t pending_bytes_ = 0;  ///< raw bytes handed over since the last write
  std::string what_;
  std::unique_ptr<Workers> workers_;  ///< null: compress in write()
  std::deque<Chunk> pending_;         ///< stable addresses while tasks run
};

}  // namespace geosim::output::detail
