// The HDF5 observer. The file follows the netCDF-4 data model so that
// netCDF-C, xarray (h5netcdf) and plain h5py all read it: every dimension is
// a 1-D coordinate dataset marked as an HDF5 dimension scale, data variables
// attach their scales in dimension order, and link and attribute creation
// order are tracked on every group and dataset (netCDF-C requires it).
#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include <zlib.h>

#include "geosim/core/error.hpp"
#include "geosim/output/hdf5.hpp"
#include "checkpoint_io.hpp"
#include "chunk_pipeline.hpp"
#include "h5.hpp"
#include "netcdf.hpp"
#include "readers.hpp"
#include "writer_tasks.hpp"

namespace geosim::output {

namespace {

using engine::Dim;
namespace H = h5;

enum class Filters : bool { deflate, shuffle_deflate };

/// The chunk dimensions of a dataset of extent `dims`: `chunk` clamped to
/// the extent, or none (contiguous) when the dataset is empty, since HDF5
/// rejects chunks larger than a fixed extent.
std::vector<hsize_t> chunk_shape(const std::vector<hsize_t>& dims, const std::vector<hsize_t>& chunk) {
  const bool empty = std::any_of(dims.begin(), dims.end(), [](hsize_t n) { return n == 0; });
  if (empty || dims.empty()) return {};
  std::vector<hsize_t> c(dims.size());
  for (std::size_t i = 0; i < dims.size(); ++i) c[i] = std::clamp<hsize_t>(chunk[i], 1, dims[i]);
  return c;
}

/// Chunks of `shape` (chunk_shape; none: contiguous) and deflate, after
/// shuffle if asked.
void set_layout(hid_t dcpl, const std::vector<hsize_t>& shape, int compression, Filters filters) {
  if (shape.empty()) return;
  H::check_status(H5Pset_chunk(dcpl, static_cast<int>(shape.size()), shape.data()), "cannot set chunking");
  if (compression > 0) {
    if (filters == Filters::shuffle_deflate) H::check_status(H5Pset_shuffle(dcpl), "cannot enable the shuffle filter");
    H::check_status(H5Pset_deflate(dcpl, static_cast<unsigned>(compression)), "cannot enable deflate compression");
  }
}

/// After a chunk that deflate shrank by less than a third, this many of the
/// variable's next chunks are stored unfiltered; then one is compressed
/// again, to see whether deflate pays by then. Dense float64 records (trade
/// values and quantities, shares, dependence, leverage: a quarter of the
/// baseline's record bytes) deflate only to 77-87 % of their size;
/// compressing them was half of the compression's CPU and most of what the
/// writer took from a 10^4-firm run (docs/output-schema.md, "Storage").
constexpr int unfiltered_run = 3;

/// A variable of the monthly records. The writer's tasks (WriterTasks)
/// own all but `info`, `dims`, `chunk` and `row`.
struct Variable {
  engine::VariableInfo info;
  std::vector<hsize_t> dims;   ///< full extent, time first
  std::vector<hsize_t> chunk;  ///< chunk_shape (empty: contiguous, nothing to write)
  std::size_t row = 1;         ///< elements per time step
  H::Handle dset;
  detail::KnownDataset* known = nullptr;  ///< CRC of the values written so far, and the rest of the checksum
  std::size_t stored = 0;  ///< size of the last chunk as written
  bool compressed = false;  ///< the last chunk was: `stored` tells whether deflate paid
  int unfiltered = 0;      ///< chunks still to store unfiltered

  /// Whether the next chunk, of `bytes`, is stored without deflate. Decided
  /// from chunks already written (ChunkPipeline::write has returned since),
  /// so the same for every thread count.
  bool skip_deflate(std::size_t bytes) {
    if (compressed && stored * 3 > bytes * 2) unfiltered = unfiltered_run;
    const bool skip = unfiltered > 0;
    if (skip) --unfiltered;
    compressed = !skip;
    return skip;
  }
};

/// What the file's layout takes from the run; taken in begin(), since the
/// writer's tasks create the file's objects after begin() has returned.
struct Layout {
  Attributes global;
  std::vector<std::size_t> dim_sizes;
  std::vector<bool> used;  ///< by Dim: has a coordinate
  std::vector<std::string> states, sectors, currencies;
};

/// The values of a block's records, by step, then in catalogue order.
using Block = std::vector<std::vector<std::vector<double>>>;

/// A snapshot's datasets, for the tasks that write their chunks.
struct SnapshotDatasets {
  H::Handle group;
  std::vector<H::Handle> columns;  ///< `firm` first
  std::vector<detail::KnownDataset*> known;  ///< by column
};

class Hdf5Writer final : public engine::Observer {
 public:
  explicit Hdf5Writer(const WriterOptions& options);
  ~Hdf5Writer() override = default;

  void begin(const engine::RunInfo& info) override;
  void record(engine::StepRecord&& record) override;
  void snapshot(const engine::FirmSnapshot& snap) override;
  void checkpoint(const engine::Checkpoint& cp) override {
    if (tasks_) tasks_->drain();
    checkpointed_ = true;
    detail::write_checkpoint(file_.get(), cp, scenario_, options_.compression, options_.path);
  }
  void end(const engine::RunSummary& summary) override;

 private:
  // In the writer's tasks:
  void write_coordinates(const Layout& layout);
  H::Handle write_labels(const char* name, const std::vector<std::string>& labels, const char* long_name);
  void create_variable(Variable& v);
  void write_block(hsize_t start, const Block& block);
  // On the run's thread:
  void flush_block();
  std::string where(const std::string& what) const { return options_.path + ": " + what; }

  WriterOptions options_;
  H::Handle file_;
  std::array<H::Handle, std::size(engine::all_dims)> scales_;  ///< open until the variables are attached
  std::vector<Variable> vars_;
  Month start_;                  ///< month of time index 0
  std::string scenario_;         ///< the resolved scenario, for a checkpoint
  std::size_t steps_ = 0;        ///< time extent
  std::size_t block_start_ = 0;  ///< time index of the block's first step
  /// The records since the last block: a block of time_chunk steps is one
  /// chunk of every variable. The run hands its records over (Observer::
  /// record), so the values go to the writer's tasks without a copy.
  Block block_;
  std::size_t record_bytes_ = 0;  ///< the values of a record, in bytes
  bool ended_ = false;
  bool checkpointed_ = false;  ///< a checkpoint is in the file
  H::Handle snapshots_;
  /// CRCs of the values written (variables and snapshot columns) and the
  /// dimensions attached, so that the checksums at the end need not read
  /// them back.
  detail::KnownDatasets known_;
  std::unique_ptr<detail::ChunkPipeline> pipeline_;  ///< compresses the chunks
  /// Runs the HDF5 calls of begin, the blocks and the snapshots while the
  /// run goes on; last, so that it stops before what its tasks use goes.
  std::unique_ptr<detail::WriterTasks> tasks_;
};

Hdf5Writer::Hdf5Writer(const WriterOptions& options) : options_(options) {
  if (options_.time_chunk < 1)
    throw InputError({}, "time_chunk", std::to_string(options_.time_chunk) + " is not a positive number of steps");
  if (options_.compression < 0 || options_.compression > 9)
    throw InputError({}, "compression", std::to_string(options_.compression) + " is outside [0, 9]");
  H::silence_errors();
  // Create the file now so that an unwritable path fails before a long run.
  H::Handle fcpl = group_props(H5P_FILE_CREATE);
  H::Handle fapl = H::plist(H5Pcreate(H5P_FILE_ACCESS), where("cannot create file access properties"));
  // Objects readable by HDF5 1.8 (and so by every netCDF-C >= 4.1).
  H::check_status(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_EARLIEST, H5F_LIBVER_V18),
                  where("cannot set library version bounds"));
  file_ = H::file(H5Fcreate(options_.path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
                  where("cannot create output file"));
}

void Hdf5Writer::begin(const engine::RunInfo& info) {
  assert(info.spec != nullptr);
  assert(info.dim_sizes.size() == std::size(engine::all_dims));
  if (info.spec == nullptr || info.dim_sizes.size() != std::size(engine::all_dims))
    throw std::logic_error("Hdf5Writer::begin: RunInfo without spec or dim_sizes");
  const auto& spec = *info.spec;
  steps_ = info.dim_sizes[static_cast<std::size_t>(Dim::time)];
  start_ = spec.start;
  scenario_ = spec.resolved_yaml;

  Layout layout;
  layout.global = run_attributes(info, options_.history);
  layout.dim_sizes = info.dim_sizes;
  layout.used.assign(std::size(engine::all_dims), false);
  for (Dim d : {Dim::time, Dim::state, Dim::partner, Dim::sector, Dim::currency})
    layout.used[static_cast<std::size_t>(d)] = true;
  for (const auto& v : info.variables)
    for (Dim d : v.dims) layout.used[static_cast<std::size_t>(d)] = true;
  for (const auto& s : spec.states) layout.states.push_back(s.code);
  for (const auto& s : spec.sectors) layout.sectors.push_back(s.code);
  for (const auto& c : spec.currencies) layout.currencies.push_back(c.code);

  vars_.reserve(info.variables.size());
  for (const auto& vi : info.variables) {
    assert(!vi.dims.empty() && vi.dims.front() == Dim::time);
    if (vi.dims.empty() || vi.dims.front() != Dim::time)
      throw std::logic_error("Hdf5Writer: variable '" + vi.name + "' does not start with the time dimension");
    Variable v;
    v.info = vi;
    std::vector<hsize_t> chunk;
    for (Dim d : vi.dims) {
      v.dims.push_back(info.dim_sizes[static_cast<std::size_t>(d)]);
      chunk.push_back(d == Dim::time ? static_cast<hsize_t>(options_.time_chunk) : v.dims.back());
      if (d != Dim::time) v.row *= info.dim_sizes[static_cast<std::size_t>(d)];
    }
    v.chunk = chunk_shape(v.dims, chunk);
    record_bytes_ += v.row * sizeof(double);
    vars_.push_back(std::move(v));
  }

  pipeline_ = std::make_unique<detail::ChunkPipeline>(info.threads, options_.pending_bytes, where("cannot write data"));
  // One thread runs a run: its HDF5 calls stay on it.
  tasks_ = std::make_unique<detail::WriterTasks>(info.threads, options_.pending_bytes);
  tasks_->post(
      [this, layout = std::move(layout)] {
        write_attributes(file_.get(), layout.global);
        write_coordinates(layout);
      },
      0);
  // A task per variable: a worker that takes one holds up the run's next
  // parallel loop no longer than that.
  for (auto& v : vars_) tasks_->post([this, &v] { create_variable(v); }, 0);
  // Then everything in the root group is final but the variables' values:
  // the rest of each dataset's checksum is taken now, beside the run,
  // instead of at its end.
  tasks_->post(
      [this] {
        for (auto& s : scales_) s.reset();
        detail::take_parts(file_.get(), "", known_, options_.path);
      },
      0);
}

H::Handle Hdf5Writer::write_labels(const char* name, const std::vector<std::string>& labels,
                                   const char* long_name) {
  const std::string what = where(std::string("cannot write coordinate '") + name + "'");
  H::Handle type = H::vlen_utf8_type();
  const hsize_t n = labels.size();
  H::Handle space = H::dataspace(H5Screate_simple(1, &n, nullptr), what);
  H::Handle dcpl = dataset_props();
  H::Handle ds = H::dataset(H5Dcreate2(file_.get(), name, type.get(), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), what);
  std::vector<const char*> ptrs;
  ptrs.reserve(labels.size());
  for (const auto& l : labels) ptrs.push_back(l.c_str());
  if (n > 0) H::check_status(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), what);
  H::check_status(H5DSset_scale(ds.get(), name), what);
  H::write_attr(ds.get(), "long_name", std::string(long_name));
  return ds;
}

void Hdf5Writer::write_coordinates(const Layout& layout) {
  const auto size_of = [&](Dim d) { return layout.dim_sizes[static_cast<std::size_t>(d)]; };

  // time: days since the first day of the start month, CF style, with the
  // month each step stands for as its bounds.
  {
    const std::string what = where("cannot write coordinate 'time'");
    const hsize_t n = steps_;
    const std::vector<double> days = time_values(start_, steps_);
    H::Handle space = H::dataspace(H5Screate_simple(1, &n, nullptr), what);
    H::Handle dcpl = dataset_props();
    H::Handle ds = H::dataset(H5Dcreate2(file_.get(), "time", H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), what);
    if (n > 0) H::check_status(H5Dwrite(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, days.data()), what);
    H::check_status(H5DSset_scale(ds.get(), "time"), what);
    write_attributes(ds.get(), time_attributes(start_, true));
    write_time_bounds(file_.get(), ds.get(), start_, steps_, where(std::string("cannot write '") + time_bounds_name + "'"));
    scales_[static_cast<std::size_t>(Dim::time)] = std::move(ds);
  }

  std::vector<std::string> routes;
  for (const char* r : engine::route_labels) routes.emplace_back(r);

  const auto labels_of = [&](Dim d) -> const std::vector<std::string>& {
    switch (d) {
      case Dim::state:
      case Dim::partner: return layout.states;
      case Dim::sector: return layout.sectors;
      case Dim::currency: return layout.currencies;
      default: return routes;
    }
  };
  for (Dim d : engine::all_dims) {
    if (d == Dim::time || !layout.used[static_cast<std::size_t>(d)]) continue;
    const auto& labels = labels_of(d);
    assert(labels.size() == size_of(d));
    if (labels.size() != size_of(d))
      throw std::logic_error(std::string("Hdf5Writer: dim_sizes of '") + engine::to_string(d) +
                             "' does not match the scenario's labels");
    scales_[static_cast<std::size_t>(d)] = write_labels(engine::to_string(d), labels, dim_long_name(d));
  }
}

void Hdf5Writer::create_variable(Variable& v) {
  const auto& vi = v.info;
  const std::string what = where("cannot create variable '" + vi.name + "'");
  H::Handle space = H::dataspace(H5Screate_simple(static_cast<int>(v.dims.size()), v.dims.data(), nullptr), what);
  H::Handle dcpl = dataset_props();
  // Deflate alone: shuffling bytes made the monthly records' chunks larger
  // and slower to compress (3.63 against 3.47 MB for the baseline's).
  set_layout(dcpl.get(), v.chunk, options_.compression, Filters::deflate);
  // Steps that were never recorded (an aborted run) read as NaN, not 0.
  const double fill = std::numeric_limits<double>::quiet_NaN();
  H::check_status(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &fill), what);
  v.dset = H::dataset(H5Dcreate2(file_.get(), vi.name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), what);
  H::write_attr(v.dset.get(), "_FillValue", fill);
  write_attributes(v.dset.get(), variable_attributes(vi));
  for (std::size_t i = 0; i < vi.dims.size(); ++i)
    H::check_status(H5DSattach_scale(v.dset.get(), scales_[static_cast<std::size_t>(vi.dims[i])].get(), static_cast<unsigned>(i)),
                    what + ": cannot attach dimension '" + engine::to_string(vi.dims[i]) + "'");
  v.known = &known_[vi.name];
}

void Hdf5Writer::record(engine::StepRecord&& rec) {
  const std::size_t step = block_start_ + block_.size();
  assert(rec.values.size() == vars_.size());
  if (step >= steps_ || rec.values.size() != vars_.size())
    throw std::logic_error("Hdf5Writer::record: more steps than the time dimension, or wrong number of variables");
  // Records fill time slots in arrival order; a skipped month would shift every later one.
  assert(rec.month == start_ + static_cast<int>(step));
  if (rec.month != start_ + static_cast<int>(step))
    throw std::logic_error("Hdf5Writer::record: got " + rec.month.str() + ", expected " +
                           (start_ + static_cast<int>(step)).str());
  for (std::size_t i = 0; i < vars_.size(); ++i) {
    assert(rec.values[i].size() == vars_[i].row);
    if (rec.values[i].size() != vars_[i].row)
      throw std::logic_error("Hdf5Writer::record: variable '" + vars_[i].info.name + "' has the wrong number of values");
  }
  block_.push_back(std::move(rec.values));
  if (block_.size() == static_cast<std::size_t>(options_.time_chunk)) flush_block();
}

/// The block goes to the writer's tasks as it is; write_block makes the
/// chunks there.
void Hdf5Writer::flush_block() {
  if (block_.empty()) return;
  const hsize_t start = block_start_;
  block_start_ += block_.size();
  const std::size_t bytes = block_.size() * record_bytes_;
  tasks_->post([this, start, block = std::move(block_)] { write_block(start, block); }, bytes);
  block_ = Block();
  block_.reserve(static_cast<std::size_t>(options_.time_chunk));
}

/// A block of records makes one chunk of every variable, in the file's byte
/// order (little-endian doubles). The pipeline compresses them while the
/// run goes on; the previous block's chunks, compressed meanwhile, are
/// written first.
void Hdf5Writer::write_block(hsize_t start, const Block& block) {
  pipeline_->write();
  const double fill = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t i = 0; i < vars_.size(); ++i) {
    auto& v = vars_[i];
    if (v.chunk.empty()) continue;
    assert(block.size() <= static_cast<std::size_t>(v.chunk.front()));
    const std::size_t row = v.row * sizeof(double);
    detail::Bytes chunk(static_cast<std::size_t>(v.chunk.front()) * row);
    for (std::size_t t = 0; t < block.size(); ++t) std::memcpy(chunk.data() + t * row, block[t][i].data(), row);
    // A whole chunk, also past the last step (HDF5 stores edge chunks
    // whole); readers never see the padding.
    const std::size_t valid = block.size() * row;
    for (std::size_t at = valid; at < chunk.size(); at += sizeof fill) std::memcpy(chunk.data() + at, &fill, sizeof fill);
    std::vector<hsize_t> offset(v.dims.size(), 0);
    offset[0] = start;
    const bool skip = options_.compression > 0 && v.skip_deflate(chunk.size());
    pipeline_->submit(v.dset.get(), std::move(offset), std::move(chunk), valid, {options_.compression, 0, skip},
                      v.known->values, &v.stored);
    // Its last values are in the CRC now, so its checksum can be written,
    // while the last chunks are compressed.
    if (start + block.size() == steps_) detail::stamp_dataset(v.dset.get(), v.info.name, *v.known, options_.path);
  }
}

constexpr std::size_t column_chunk = std::size_t{1} << 16;  ///< firms per chunk of a snapshot column

/// A column of a snapshot, as the run's thread hands it over.
struct Column {
  const char* name;
  hid_t type;            ///< file type; its size is the values' (the chunks are their bytes)
  const std::byte* data;  ///< the values, valid during snapshot()
  std::size_t size;      ///< bytes per value
  bool floating;
  const char* units;  ///< null: none
  const char* long_name;
};

template <class T>
Column column(const char* name, hid_t type, std::span<const T> values, const char* units, const char* long_name) {
  return {name, type, reinterpret_cast<const std::byte*>(values.data()), sizeof(T), std::is_floating_point_v<T>, units,
          long_name};
}

void Hdf5Writer::snapshot(const engine::FirmSnapshot& snap) {
  const std::size_t n = snap.state.size();
  assert(snap.sector.size() == n && snap.role.size() == n && snap.size.size() == n &&
         snap.exposure.size() == n && snap.cautious.size() == n && snap.trade.size() == n);
  // firm: the coordinate, the firm's index in the engine's columns; made
  // chunk by chunk below.
  const std::vector<Column> columns = {
      column("firm", H5T_STD_U32LE, std::span<const std::uint32_t>(), nullptr, "firm index in the engine's firm columns"),
      column("state", H5T_STD_U16LE, snap.state, nullptr, "state of the firm, 0-based index into the root 'state' coordinate"),
      column("sector", H5T_STD_U16LE, snap.sector, nullptr, "sector of the firm, 0-based index into the root 'sector' coordinate"),
      column("role", H5T_STD_U8LE, snap.role, nullptr, "role of the firm"),
      column("size", H5T_IEEE_F64LE, snap.size, "1", "relative size of the firm"),
      column("exposure", H5T_IEEE_F64LE, snap.exposure, "1", "Western exposure of the firm"),
      column("cautious", H5T_STD_U8LE, snap.cautious, nullptr, "1 if the firm avoids sanctioned trade this month, else 0"),
      column("trade", H5T_IEEE_F64LE, snap.trade, "USD month-1", "the firm's sales or purchases"),
  };
  // The float64 columns (sizes, exposures, trade: drawn or computed, with
  // random low-order bits) are stored without filters: shuffled and
  // deflated they came out 14-17 % smaller at about 55 ms a million values,
  // most of what the writer cost at 10^6 firms. The integer columns
  // deflate to almost nothing.
  const auto level = [compression = options_.compression](const Column& c) { return c.floating ? 0 : compression; };
  const std::string month = snap.month.str();
  const std::string what = where("cannot write snapshot " + month);
  const std::string path = "snapshots/" + month;
  const int step = snap.step;

  auto made = std::make_shared<SnapshotDatasets>();
  tasks_->post(
      [this, made, columns, level, month, what, path, n, step] {
        if (!snapshots_) {
          H::Handle gcpl = group_props(H5P_GROUP_CREATE);
          snapshots_ = H::group(H5Gcreate2(file_.get(), "snapshots", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), what);
          H::write_attr(snapshots_.get(), "long_name", std::string("per-firm snapshots, one group per month (YYYY-MM)"));
        }
        H::Handle gcpl = group_props(H5P_GROUP_CREATE);
        made->group = H::group(H5Gcreate2(snapshots_.get(), month.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), what);
        const hid_t g = made->group.get();
        H::write_attr(g, "step", static_cast<std::int32_t>(step));
        H::write_attr(g, "month", month);
        const hsize_t hn = n;
        H::Handle space = H::dataspace(H5Screate_simple(1, &hn, nullptr), what);
        for (const auto& c : columns) {
          const std::string cwhat = what + "/" + c.name;
          assert(H5Tget_size(c.type) == c.size);
          H::Handle dcpl = dataset_props();
          set_layout(dcpl.get(), chunk_shape({hn}, {column_chunk}), level(c), Filters::shuffle_deflate);
          H::Handle ds = H::dataset(H5Dcreate2(g, c.name, c.type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), cwhat);
          auto& known = known_[path + "/" + c.name];
          if (made->columns.empty())
            H::check_status(H5DSset_scale(ds.get(), "firm"), cwhat);
          else
            H::check_status(H5DSattach_scale(ds.get(), made->columns.front().get(), 0), cwhat + ": cannot attach dimension 'firm'");
          if (c.units != nullptr) H::write_attr(ds.get(), "units", std::string(c.units));
          H::write_attr(ds.get(), "long_name", std::string(c.long_name));
          if (std::string_view(c.name) == "role") {
            H::write_attr(ds.get(), "flag_values", std::vector<std::uint8_t>{0, 1, 2});
            H::write_attr(ds.get(), "flag_meanings", std::string("exporter importer intermediary"));
          }
          made->columns.push_back(std::move(ds));
          made->known.push_back(&known);
        }
        detail::take_parts(g, path + "/", known_, options_.path);
        detail::stamp_group(g, path, options_.path);
        if (n == 0)  // no values to come
          for (std::size_t k = 0; k < columns.size(); ++k)
            detail::stamp_dataset(made->columns[k].get(), path + "/" + columns[k].name, *made->known[k], options_.path);
      },
      0);
  // The values, chunk by chunk (the last padded with zeros, the fill
  // value): copied here, while they are the engine's, and handed over as
  // the writer's tasks have room for them.
  const std::size_t chunk = std::min(column_chunk, n);
  for (std::size_t k = 0; k < columns.size(); ++k) {
    const Column& c = columns[k];
    for (std::size_t at = 0; at < n; at += chunk) {
      const std::size_t m = std::min(chunk, n - at);
      detail::Bytes buf(chunk * c.size);
      std::fill(buf.begin() + static_cast<std::ptrdiff_t>(m * c.size), buf.end(), std::byte{0});  // past the last firm
      if (k == 0) {
        for (std::size_t i = 0; i < m; ++i) {
          const auto index = static_cast<std::uint32_t>(at + i);
          std::memcpy(buf.data() + i * sizeof index, &index, sizeof index);
        }
      } else {
        std::memcpy(buf.data(), c.data + at * c.size, m * c.size);
      }
      const std::size_t bytes = buf.size();
      tasks_->post(
          [this, made, k, at, m, n, path, l = level(c), size = c.size, name = c.name, buf = std::move(buf)]() mutable {
            const hid_t ds = made->columns[k].get();
            pipeline_->submit(ds, {static_cast<hsize_t>(at)}, std::move(buf), m * size, {l, size, false},
                              made->known[k]->values);
            if (at + m == n) detail::stamp_dataset(ds, path + "/" + name, *made->known[k], options_.path);
          },
          bytes);
    }
  }
}

void Hdf5Writer::end(const engine::RunSummary& summary) {
  if (ended_) return;
  ended_ = true;
  flush_block();
  tasks_->drain();
  write_attributes(file_.get(), end_attributes(summary));
  // Every group and dataset carries a CRC-32 of what readers see, as sweep
  // files do (check.cpp): a flipped byte in a contiguous dataset or an
  // attribute is then found by `geosim info` and the readers. The writer's
  // tasks wrote each dataset's as soon as its last values were handed over
  // (the values' CRCs are taken then; the last chunks may still be being
  // compressed), and each snapshot's group's once made; left are the groups
  // whose links and attributes changed last.
  if (block_start_ == steps_ && !checkpointed_) {
    if (snapshots_) detail::stamp_group(snapshots_.get(), "snapshots", options_.path);
    detail::stamp_group(file_.get(), "/", options_.path);
  } else {
    // A run that ended before the last step leaves months that readers see
    // as the fill value, which the CRCs taken as chunks were handed over do
    // not cover: its variables are read back, once written. A checkpoint's
    // objects were written without checksums. Either way the whole file is
    // walked.
    pipeline_->write();
    if (block_start_ < steps_)
      for (const auto& v : vars_) known_.erase(v.info.name);
    detail::stamp_checksums(file_.get(), options_.path, known_);
  }
  vars_.clear();
  snapshots_.reset();
  pipeline_->write();
  // Closing the file is where HDF5 writes its metadata: a full disk shows here.
  H::check_status(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), where("cannot flush output file"));
  file_.close(where("cannot close output file"));
}

}  // namespace

std::unique_ptr<engine::Observer> make_hdf5_writer(const WriterOptions& options) {
  return std::make_unique<Hdf5Writer>(options);
}

}  // namespace geosim::output
