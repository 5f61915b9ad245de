#include <catch2/catch.hpp>

#include <hdf5.h>
#include <hdf5_hl.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <future>
#include <random>
#include <numeric>
#include <filesystem>
#include <unistd.h>
#include <string>
#include <vector>

#include "geosim/core/error.hpp"
#include "geosim/output/check.hpp"
#include "geosim/output/hdf5.hpp"
#include "output_sample.hpp"
#include "writer_tasks.hpp"

using namespace geosim;
namespace fs = std::filesystem;

namespace {

/// Closes an HDF5 id at scope exit.
struct Id {
  hid_t id;
  herr_t (*close)(hid_t);
  Id(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) { REQUIRE(id >= 0); }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  ~Id() { close(id); }
  operator hid_t() const { return id; }
};

// Per process, since ctest runs test cases in parallel and several build
// directories may run the suite at once; removed when the process exits.
struct TempDir {
  fs::path path = fs::temp_directory_path() / ("geosim_output_test." + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

fs::path temp_dir() {
  static const TempDir dir;
  return dir.path;
}

/// A fresh sample file written with the given time_chunk.
std::string sample_file(const std::string& name, int time_chunk = 2, int recorded = sample::steps,
                        int compression = 4) {
  const std::string path = (temp_dir() / name).string();
  sample::write(path, time_chunk, 1, recorded, compression);
  return path;
}

Id open_file(const std::string& path) { return Id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose); }

std::vector<double> read_doubles(hid_t file, const char* name) {
  Id ds(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose);
  Id space(H5Dget_space(ds), H5Sclose);
  std::vector<double> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  REQUIRE(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) >= 0);
  return out;
}

std::vector<hsize_t> extent(hid_t ds) {
  Id space(H5Dget_space(ds), H5Sclose);
  std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

std::string string_attr(hid_t obj, const char* name) {
  Id attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  Id type(H5Aget_type(attr), H5Tclose);
  REQUIRE(H5Tget_class(type) == H5T_STRING);
  REQUIRE(H5Tis_variable_str(type) > 0);
  REQUIRE(H5Tget_cset(type) == H5T_CSET_UTF8);
  char* p = nullptr;
  REQUIRE(H5Aread(attr, type, &p) >= 0);
  std::string out = p;
  H5free_memory(p);
  return out;
}

template <class T>
T number_attr(hid_t obj, const char* name, hid_t mem_type) {
  Id attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  T value{};
  REQUIRE(H5Aread(attr, mem_type, &value) >= 0);
  return value;
}

std::vector<std::string> labels(hid_t file, const char* name) {
  Id ds(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose);
  Id type(H5Dget_type(ds), H5Tclose);
  REQUIRE(H5Tget_class(type) == H5T_STRING);
  REQUIRE(H5Tis_variable_str(type) > 0);
  REQUIRE(H5Tget_cset(type) == H5T_CSET_UTF8);
  Id space(H5Dget_space(ds), H5Sclose);
  std::vector<char*> ptrs(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  REQUIRE(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) >= 0);
  std::vector<std::string> out(ptrs.begin(), ptrs.end());
  H5Dvlen_reclaim(type, space, H5P_DEFAULT, ptrs.data());
  return out;
}

const char* dim_name(engine::Dim d) {
  static const char* names[] = {"time", "state", "partner", "sector", "currency", "route"};
  return names[static_cast<int>(d)];
}

}  // namespace

TEST_CASE("the writer stores every recorded value at its step across partial blocks", "[output]") {
  const auto path = sample_file("values.h5", 2);  // blocks of 2, 2 and 1 steps
  Id file = open_file(path);
  const auto vars = sample::variables();
  for (std::size_t v = 0; v < vars.size(); ++v) {
    INFO(vars[v].name);
    const auto data = read_doubles(file, vars[v].name.c_str());
    const std::size_t row = sample::row_size(vars[v]);
    REQUIRE(data.size() == row * sample::steps);
    for (std::size_t t = 0; t < sample::steps; ++t)
      for (std::size_t i = 0; i < row; ++i) CHECK(data[t * row + i] == sample::value(v, t, i));
  }
}

TEST_CASE("a time chunk longer than the run still writes every step", "[output]") {
  const auto path = sample_file("long_chunk.h5", 12);
  Id file = open_file(path);
  const auto data = read_doubles(file, "energy_revenue");
  REQUIRE(data.size() == 3 * sample::steps);
  CHECK(data.back() == sample::value(1, 4, 2));
}

TEST_CASE("steps that were never recorded read as NaN", "[output]") {
  const auto path = sample_file("partial.h5", 2, 3);
  Id file = open_file(path);
  const auto data = read_doubles(file, "energy_revenue");
  CHECK(data[2 * 3] == sample::value(1, 2, 0));
  CHECK(std::isnan(data[3 * 3]));
  CHECK(std::isnan(data.back()));
  CHECK(number_attr<std::int32_t>(file, "steps", H5T_NATIVE_INT32) == 3);
  // The checksums cover the months never written, as readers see them.
  const auto check = output::check_readable(path);
  CHECK(check.ok());
  INFO(check.message());
}

/// The filter mask of each chunk of a dataset, in the order HDF5 lists them
/// (by offset, for a dataset chunked along time only).
std::vector<unsigned> chunk_masks(hid_t file, const char* name) {
  Id ds(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose);
  Id space(H5Dget_space(ds), H5Sclose);
  hsize_t n = 0;
  REQUIRE(H5Dget_num_chunks(ds, space, &n) >= 0);
  std::vector<unsigned> masks;
  for (hsize_t i = 0; i < n; ++i) {
    std::vector<hsize_t> offset(extent(ds).size());
    unsigned mask = 0;
    haddr_t addr = 0;
    hsize_t size = 0;
    REQUIRE(H5Dget_chunk_info(ds, space, i, offset.data(), &mask, &addr, &size) >= 0);
    masks.push_back(mask);
  }
  return masks;
}

TEST_CASE("chunks that deflate shrinks by less than a third are stored unfiltered, one in four compressed again",
          "[output]") {
  // One chunk a step (time_chunk 1): 18 random doubles in [1, 2), which
  // deflate cannot shrink by a third, and 18 zeros, which it can.
  using engine::Dim;
  const auto s = sample::spec();
  const std::vector<engine::VariableInfo> vars = {
      {"noise", "1", "random doubles", {Dim::time, Dim::state, Dim::partner, Dim::sector}},
      {"zeros", "1", "zeros", {Dim::time, Dim::state, Dim::partner, Dim::sector}}};
  std::mt19937_64 bits(7);
  std::vector<double> noise;
  for (int i = 0; i < sample::steps * 18; ++i)
    noise.push_back(std::bit_cast<double>((bits() >> 12) | 0x3ff0000000000000u));
  for (int threads : {1, 2}) {
    INFO("threads " << threads);
    const std::string path = (temp_dir() / ("unfiltered_" + std::to_string(threads) + ".h5")).string();
    output::WriterOptions options;
    options.path = path;
    options.time_chunk = 1;
    auto writer = output::make_hdf5_writer(options);
    engine::RunInfo info;
    info.spec = &s;
    info.threads = threads;
    info.variables = vars;
    info.dim_sizes = sample::dim_sizes();
    writer->begin(info);
    for (int t = 0; t < sample::steps; ++t) {
      engine::StepRecord r;
      r.step = t;
      r.month = s.start + t;
      r.values = {std::vector<double>(noise.begin() + t * 18, noise.begin() + (t + 1) * 18), std::vector<double>(18, 0.0)};
      writer->record(std::move(r));
    }
    writer->end({});
    writer.reset();
    {
      Id file = open_file(path);
      // Bit 0 set: deflate (the records' only filter) skipped.
      CHECK(chunk_masks(file, "noise") == std::vector<unsigned>{0, 1, 1, 1, 0});
      CHECK(chunk_masks(file, "zeros") == std::vector<unsigned>{0, 0, 0, 0, 0});
      CHECK(read_doubles(file, "noise") == noise);
      CHECK(read_doubles(file, "zeros") == std::vector<double>(noise.size(), 0.0));
    }
    const auto check = output::check_readable(path);
    CHECK(check.ok());
    INFO(check.message());
  }
}

TEST_CASE("the time coordinate counts days from the first day of the start month", "[output]") {
  const auto path = sample_file("time.h5");
  Id file = open_file(path);
  CHECK(read_doubles(file, "time") == std::vector<double>{0, 31, 60, 91, 121});  // 2020 is a leap year
  Id ds(H5Dopen2(file, "time", H5P_DEFAULT), H5Dclose);
  CHECK(string_attr(ds, "units") == "days since 2020-01-01");
  CHECK(string_attr(ds, "calendar") == "standard");
  CHECK(H5DSis_scale(ds) > 0);
}

TEST_CASE("label coordinates are variable-length UTF-8 strings", "[output]") {
  const auto path = sample_file("labels.h5");
  Id file = open_file(path);
  CHECK(labels(file, "state") == std::vector<std::string>{"RUS", "CHN", "TÜR"});
  CHECK(labels(file, "partner") == std::vector<std::string>{"RUS", "CHN", "TÜR"});
  CHECK(labels(file, "sector") == std::vector<std::string>{"crude", "chips"});
  CHECK(labels(file, "currency") == std::vector<std::string>{"USD", "CNY"});
  CHECK(labels(file, "route") == std::vector<std::string>{"direct", "via_hub"});
  for (const char* name : {"state", "partner", "sector", "currency", "route"}) {
    Id ds(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose);
    CHECK(H5DSis_scale(ds) > 0);
    CHECK(!string_attr(ds, "long_name").empty());
  }
}

TEST_CASE("every variable has its dimension scales attached in catalogue order", "[output]") {
  const auto path = sample_file("scales.h5");
  Id file = open_file(path);
  for (const auto& v : sample::variables()) {
    INFO(v.name);
    Id ds(H5Dopen2(file, v.name.c_str(), H5P_DEFAULT), H5Dclose);
    const auto dims = extent(ds);
    REQUIRE(dims.size() == v.dims.size());
    for (std::size_t k = 0; k < v.dims.size(); ++k) {
      CHECK(dims[k] == sample::dim_sizes()[static_cast<std::size_t>(v.dims[k])]);
      Id scale(H5Dopen2(file, dim_name(v.dims[k]), H5P_DEFAULT), H5Dclose);
      CHECK(H5DSis_attached(ds, scale, static_cast<unsigned>(k)) > 0);
      CHECK(H5DSget_num_scales(ds, static_cast<unsigned>(k)) == 1);
    }
  }
}

TEST_CASE("variables carry units and long_name from the catalogue", "[output]") {
  const auto path = sample_file("attrs.h5");
  Id file = open_file(path);
  for (const auto& v : sample::variables()) {
    Id ds(H5Dopen2(file, v.name.c_str(), H5P_DEFAULT), H5Dclose);
    CHECK(string_attr(ds, "units") == v.units);
    CHECK(string_attr(ds, "long_name") == v.long_name);
    CHECK(std::isnan(number_attr<double>(ds, "_FillValue", H5T_NATIVE_DOUBLE)));
  }
}

TEST_CASE("global attributes describe the run", "[output]") {
  const auto path = sample_file("globals.h5");
  Id file = open_file(path);
  Id root(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose);
  CHECK(string_attr(root, "Conventions") == "geosim-1.0");
  CHECK(string_attr(root, "scenario") == sample::spec().resolved_yaml);
  CHECK(string_attr(root, "scenario_name") == "sample");
  CHECK(string_attr(root, "geosim_version") == geosim::version());
  CHECK(string_attr(root, "git_commit") == geosim::git_commit());
  CHECK(string_attr(root, "title").find("sample") != std::string::npos);
  CHECK(string_attr(root, "created").size() == 20);  // 2024-01-02T03:04:05Z
  CHECK(number_attr<std::uint64_t>(root, "seed", H5T_NATIVE_UINT64) == sample::seed);
  CHECK(number_attr<std::uint32_t>(root, "run", H5T_NATIVE_UINT32) == sample::run);
  CHECK(number_attr<std::int32_t>(root, "threads", H5T_NATIVE_INT32) == 1);
  CHECK(number_attr<double>(root, "wall_time_seconds", H5T_NATIVE_DOUBLE) == 1.5);
}

TEST_CASE("variables are chunked by time_chunk steps and compressed with deflate", "[output]") {
  const auto path = sample_file("chunks.h5", 2);
  Id file = open_file(path);
  Id ds(H5Dopen2(file, "discount", H5P_DEFAULT), H5Dclose);
  Id dcpl(H5Dget_create_plist(ds), H5Pclose);
  REQUIRE(H5Pget_layout(dcpl) == H5D_CHUNKED);
  hsize_t chunk[4] = {};
  REQUIRE(H5Pget_chunk(dcpl, 4, chunk) == 4);
  CHECK(chunk[0] == 2);
  CHECK(chunk[1] == 3);
  CHECK(chunk[2] == 3);
  CHECK(chunk[3] == 2);
  // Deflate alone: shuffled, the monthly records compressed worse.
  REQUIRE(H5Pget_nfilters(dcpl) == 1);
  unsigned flags = 0;
  std::size_t n = 1;
  unsigned level = 0;
  CHECK(H5Pget_filter2(dcpl, 0, &flags, &n, &level, 0, nullptr, nullptr) == H5Z_FILTER_DEFLATE);
  CHECK(level == 4);
  Id type(H5Dget_type(ds), H5Tclose);
  CHECK(H5Tequal(type, H5T_IEEE_F64LE) > 0);
  // The snapshot's integer columns: shuffle, then deflate; its float64
  // columns: none (deflate gained too little on them for its time).
  Id column(H5Dopen2(file, "snapshots/2020-03/state", H5P_DEFAULT), H5Dclose);
  Id column_dcpl(H5Dget_create_plist(column), H5Pclose);
  REQUIRE(H5Pget_nfilters(column_dcpl) == 2);
  n = 1;
  CHECK(H5Pget_filter2(column_dcpl, 0, &flags, &n, &level, 0, nullptr, nullptr) == H5Z_FILTER_SHUFFLE);
  n = 1;
  CHECK(H5Pget_filter2(column_dcpl, 1, &flags, &n, &level, 0, nullptr, nullptr) == H5Z_FILTER_DEFLATE);
  Id doubles(H5Dopen2(file, "snapshots/2020-03/size", H5P_DEFAULT), H5Dclose);
  Id doubles_dcpl(H5Dget_create_plist(doubles), H5Pclose);
  CHECK(H5Pget_layout(doubles_dcpl) == H5D_CHUNKED);
  CHECK(H5Pget_nfilters(doubles_dcpl) == 0);
}

TEST_CASE("chunks compressed beside the run hold what was recorded, on any number of threads", "[output]") {
  // 150,001 firms: two whole chunks of a snapshot column and a padded third;
  // five steps in chunks of two: a padded last chunk of every variable.
  sample::Firms firms;
  const std::size_t n = 150'001;
  firms.state.resize(n);
  firms.sector.resize(n);
  firms.role.resize(n);
  firms.size.resize(n);
  firms.exposure.resize(n);
  firms.cautious.resize(n);
  firms.trade.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    firms.state[i] = static_cast<std::uint16_t>(i % 3);
    firms.sector[i] = static_cast<std::uint16_t>(i % 2);
    firms.role[i] = static_cast<std::uint8_t>(i % 3);
    firms.size[i] = 1.0 + static_cast<double>(i) * 1e-3;
    firms.exposure[i] = static_cast<double>(i % 1000) / 1000.0;
    firms.cautious[i] = static_cast<std::uint8_t>(i % 7 == 0);
    firms.trade[i] = 1e6 / (1.0 + static_cast<double>(i));
  }
  const auto vars = sample::variables();
  for (int threads : {1, 3})
    for (std::size_t pending : {std::size_t{32} << 20, std::size_t{1}}) {
      INFO("threads " << threads << ", pending bytes " << pending);
      const std::string path = (temp_dir() / ("pipeline_" + std::to_string(threads) + "_" + std::to_string(pending) + ".h5")).string();
      sample::write(path, 2, threads, sample::steps, 4, firms, pending);
      // The checksums, made from the values as they were handed over, match
      // the values read back.
      const auto check = output::check_readable(path);
      CHECK(check.ok());
      INFO(check.message());
      Id file = open_file(path);
      for (std::size_t v = 0; v < vars.size(); ++v) {
        const auto data = read_doubles(file, vars[v].name.c_str());
        const std::size_t row = sample::row_size(vars[v]);
        REQUIRE(data.size() == row * sample::steps);
        bool same = true;
        for (std::size_t t = 0; t < sample::steps; ++t)
          for (std::size_t i = 0; i < row; ++i) same = same && data[t * row + i] == sample::value(v, t, i);
        CHECK(same);
      }
      Id g(H5Gopen2(file, "snapshots/2020-03", H5P_DEFAULT), H5Gclose);
      CHECK(read_doubles(g, "size") == firms.size);
      CHECK(read_doubles(g, "exposure") == firms.exposure);
      CHECK(read_doubles(g, "trade") == firms.trade);
      const auto state = read_doubles(g, "state");
      REQUIRE(state.size() == n);
      CHECK(state[n - 1] == static_cast<double>(firms.state[n - 1]));
      CHECK(state[65'536] == static_cast<double>(firms.state[65'536]));
      const auto firm = read_doubles(g, "firm");
      REQUIRE(firm.size() == n);
      CHECK(firm[n - 1] == static_cast<double>(n - 1));
    }
}

TEST_CASE("compression level 0 writes chunks without filters", "[output]") {
  const auto path = sample_file("uncompressed.h5", 2, sample::steps, 0);
  Id file = open_file(path);
  Id ds(H5Dopen2(file, "discount", H5P_DEFAULT), H5Dclose);
  Id dcpl(H5Dget_create_plist(ds), H5Pclose);
  CHECK(H5Pget_layout(dcpl) == H5D_CHUNKED);
  CHECK(H5Pget_nfilters(dcpl) == 0);
  CHECK(read_doubles(file, "discount")[5] == sample::value(2, 0, 5));
}

TEST_CASE("link and attribute creation order are tracked as netCDF-4 requires", "[output]") {
  const auto path = sample_file("order.h5");
  Id file = open_file(path);
  // The root group's properties, not H5Fget_create_plist: HDF5 1.10 does not
  // report the root group's creation order through the file's plist.
  Id root(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose);
  Id fcpl(H5Gget_create_plist(root), H5Pclose);
  unsigned flags = 0;
  REQUIRE(H5Pget_link_creation_order(fcpl, &flags) >= 0);
  CHECK(flags == (H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED));
  REQUIRE(H5Pget_attr_creation_order(fcpl, &flags) >= 0);
  CHECK(flags == (H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED));
  for (const char* name : {"time", "state", "trade_share", "snapshots/2020-03/size"}) {
    INFO(name);
    Id ds(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose);
    Id dcpl(H5Dget_create_plist(ds), H5Pclose);
    REQUIRE(H5Pget_attr_creation_order(dcpl, &flags) >= 0);
    CHECK(flags == (H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED));
  }
  Id g(H5Gopen2(file, "snapshots/2020-03", H5P_DEFAULT), H5Gclose);
  Id gcpl(H5Gget_create_plist(g), H5Pclose);
  REQUIRE(H5Pget_link_creation_order(gcpl, &flags) >= 0);
  CHECK(flags == (H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED));
}

TEST_CASE("a firm snapshot is written to snapshots/YYYY-MM along a firm dimension", "[output]") {
  const auto path = sample_file("snapshot.h5");
  Id file = open_file(path);
  Id g(H5Gopen2(file, "snapshots/2020-03", H5P_DEFAULT), H5Gclose);
  CHECK(number_attr<std::int32_t>(g, "step", H5T_NATIVE_INT32) == sample::snapshot_step);
  const sample::Firms f;
  CHECK(read_doubles(g, "size") == f.size);
  CHECK(read_doubles(g, "exposure") == f.exposure);
  CHECK(read_doubles(g, "trade") == f.trade);
  CHECK(read_doubles(g, "state") == std::vector<double>{0, 0, 1, 2});
  CHECK(read_doubles(g, "sector") == std::vector<double>{0, 1, 0, 1});
  CHECK(read_doubles(g, "role") == std::vector<double>{0, 0, 1, 2});
  CHECK(read_doubles(g, "cautious") == std::vector<double>{0, 1, 0, 1});
  Id firm(H5Dopen2(g, "firm", H5P_DEFAULT), H5Dclose);
  CHECK(H5DSis_scale(firm) > 0);
  for (const char* name : {"state", "sector", "role", "size", "exposure", "cautious", "trade"}) {
    INFO(name);
    Id ds(H5Dopen2(g, name, H5P_DEFAULT), H5Dclose);
    CHECK(H5DSis_attached(ds, firm, 0) > 0);
    CHECK(!string_attr(ds, "long_name").empty());
  }
}

TEST_CASE("a scenario attribute larger than 64 KiB is stored whole", "[output]") {
  auto s = sample::spec();
  s.resolved_yaml = std::string(200000, 'x');
  const auto vars = sample::variables();
  const std::string path = (temp_dir() / "big_attr.h5").string();
  auto writer = output::make_hdf5_writer({path, 2, 4, ""});
  engine::RunInfo info;
  info.spec = &s;
  info.variables = vars;
  info.dim_sizes = sample::dim_sizes();
  writer->begin(info);
  writer->end({});
  Id file = open_file(path);
  Id root(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose);
  CHECK(string_attr(root, "scenario") == s.resolved_yaml);
}

TEST_CASE("describe summarises the run, dimensions, variables and headline numbers", "[output]") {
  const auto path = sample_file("describe.h5");
  const std::string text = output::describe(path);
  INFO(text);
  CHECK_THAT(text, Catch::Contains("scenario    sample"));
  CHECK_THAT(text, Catch::Contains("seed        42"));
  CHECK_THAT(text, Catch::Contains("run         3"));
  CHECK_THAT(text, Catch::Contains("threads     1"));
  CHECK_THAT(text, Catch::Contains(std::string("geosim      ") + geosim::version() + " (commit " + geosim::git_commit() + ")"));
  CHECK_THAT(text, Catch::Contains("wall time   1.5 s"));
  CHECK_THAT(text, Catch::Contains("steps       5 (2020-01 .. 2020-05)"));
  CHECK_THAT(text, Catch::Contains("  state     3  RUS CHN TÜR"));
  CHECK_THAT(text, Catch::Contains("  currency  2  USD CNY"));
  CHECK_THAT(text, Catch::Contains("  route     2  direct via_hub"));
  CHECK_THAT(text, Catch::Contains("discount          (time, state, partner, sector)"));
  CHECK_THAT(text, Catch::Contains("energy_revenue    (time, state)                     USD month-1"));
  CHECK_THAT(text, Catch::Contains("snapshots   2020-03"));
  CHECK_THAT(text, Catch::Contains("headline numbers (2020-05)"));
  // The headline sentence, worded as the report and the explorer word it.
  CHECK_THAT(text, Catch::Contains("headline    China's share of Russia's trade, 2020-05: 4.0 %\n"));
  // Values encode (variable, step, flat index); see output_sample.hpp.
  CHECK_THAT(text, Catch::Contains("trade_share RUS -> CHN     0.0401"));
  CHECK_THAT(text, Catch::Contains("trade_share CHN -> RUS     0.0403"));
  CHECK_THAT(text, Catch::Contains("energy_revenue RUS         1400.25 USD bn/yr"));
  CHECK_THAT(text, Catch::Contains("discount RUS crude -> CHN  0.2402 of world price (mean of last 5 months: 0.2202)"));
}

TEST_CASE("describe leaves out headline numbers whose labels are absent", "[output]") {
  const std::string path = (temp_dir() / "no_rus.h5").string();
  auto s = sample::spec();
  s.states[0].code = "USA";
  const auto vars = sample::variables();
  auto writer = output::make_hdf5_writer({path, 2, 4, ""});
  engine::RunInfo info;
  info.spec = &s;
  info.variables = vars;
  info.dim_sizes = sample::dim_sizes();
  writer->begin(info);
  for (int t = 0; t < sample::steps; ++t) writer->record(sample::record(s, vars, t));
  writer->end({});
  const std::string text = output::describe(path);
  CHECK_THAT(text, !Catch::Contains("headline"));
  CHECK_THAT(text, !Catch::Contains("RUS"));
}

TEST_CASE("describe on a missing file throws InputError naming the file", "[output]") {
  const std::string path = (temp_dir() / "does_not_exist.h5").string();
  CHECK_THROWS_MATCHES(output::describe(path), InputError, Catch::Message(path + ": no such file"));
}

TEST_CASE("describe on a directory throws InputError saying it is not a regular file", "[output]") {
  const std::string path = temp_dir().string();
  CHECK_THROWS_MATCHES(output::describe(path), InputError, Catch::Message(path + ": not a regular file"));
}

TEST_CASE("describe on a file that is not HDF5 throws InputError", "[output]") {
  const std::string path = (temp_dir() / "text.h5").string();
  { std::FILE* f = std::fopen(path.c_str(), "w"); std::fputs("hello\n", f); std::fclose(f); }
  CHECK_THROWS_MATCHES(output::describe(path), InputError,
                       Catch::Message(path + ": not an HDF5 file (is it a geosim file, or was it cut short?)"));
}

TEST_CASE("describe on an HDF5 file without geosim attributes throws InputError", "[output]") {
  const std::string path = (temp_dir() / "plain.h5").string();
  { Id f(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose); }
  CHECK_THROWS_MATCHES(output::describe(path), InputError,
                       Catch::Message(path + ": not a geosim output file (no 'geosim_version' attribute)"));
}

TEST_CASE("creating a writer in a missing directory throws EnvironmentError naming the path", "[output]") {
  const std::string path = (temp_dir() / "no_such_dir" / "out.h5").string();
  try {
    output::make_hdf5_writer({path, 2, 4, ""});
    FAIL("no exception");
  } catch (const EnvironmentError& e) {
    const std::string msg = e.what();
    INFO(msg);
    CHECK(msg == path + ": cannot create output file: unable to create file: No such file or directory");
  }
}

TEST_CASE("a writer with a non-positive time chunk is rejected", "[output]") {
  const std::string path = (temp_dir() / "bad_chunk.h5").string();
  CHECK_THROWS_MATCHES(output::make_hdf5_writer({path, 0, 4, ""}), InputError,
                       Catch::Message("time_chunk: 0 is not a positive number of steps"));
}

TEST_CASE("the same records give identical datasets whatever the time chunk", "[output]") {
  const auto a = sample_file("chunk_a.h5", 1);
  const auto b = sample_file("chunk_b.h5", 3);
  Id fa = open_file(a);
  Id fb = open_file(b);
  for (const auto& v : sample::variables()) CHECK(read_doubles(fa, v.name.c_str()) == read_doubles(fb, v.name.c_str()));
}

TEST_CASE("the writer's tasks run in order beside the caller, inline on one thread", "[output]") {
  for (const int threads : {2, 1}) {
    INFO("threads: " << threads);
    output::detail::WriterTasks tasks(threads, 1000);
    std::promise<void> open;
    std::shared_future<void> gate = open.get_future().share();
    std::vector<int> ran;
    if (threads > 1) tasks.post([gate] { gate.wait(); }, 1);  // the caller goes on meanwhile
    for (int i = 0; i < 50; ++i) {
      tasks.post([&, i] { ran.push_back(i); }, 10);
      if (threads == 1) CHECK(ran.size() == static_cast<std::size_t>(i + 1));
    }
    open.set_value();
    tasks.drain();  // `ran` is the caller's again
    std::vector<int> expected(50);
    std::iota(expected.begin(), expected.end(), 0);
    CHECK(ran == expected);
  }
}

TEST_CASE("the writer's tasks hold no more than their bytes queued", "[output]") {
  output::detail::WriterTasks tasks(2, 100);
  std::promise<void> open;
  std::shared_future<void> gate = open.get_future().share();
  tasks.post([gate] { gate.wait(); }, 60);
  // 60 held, 60 more would pass 100: this post waits for the first task.
  auto second = std::async(std::launch::async, [&] { tasks.post([] {}, 60); });
  CHECK(second.wait_for(std::chrono::milliseconds(200)) == std::future_status::timeout);
  open.set_value();
  second.get();
  tasks.drain();
  // A task larger than the bound alone is taken when nothing is held.
  tasks.post([] {}, 1000);
  tasks.drain();
}

TEST_CASE("the writer's tasks hand the first error to the caller and drop the tasks after it", "[output]") {
  output::detail::WriterTasks tasks(2, 1000);
  bool later_ran = false;
  tasks.post([] { throw EnvironmentError("out.h5: cannot write data: No space left on device"); }, 1);
  try {
    tasks.post([&] { later_ran = true; }, 1);  // queued and dropped, or refused
  } catch (const EnvironmentError&) {
  }
  CHECK_THROWS_MATCHES(tasks.drain(), EnvironmentError,
                       Catch::Message("out.h5: cannot write data: No space left on device"));
  CHECK_THROWS_AS(tasks.post([&] { later_ran = true; }, 1), EnvironmentError);
  CHECK_FALSE(later_ran);
}
