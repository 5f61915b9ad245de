// `geosim info`: a text summary of an output file. Reads only what it needs
// (attributes, coordinates and a few time series), so it is quick on big files.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>

#include "geosim/core/error.hpp"
#include "geosim/core/month.hpp"
#include "geosim/output/hdf5.hpp"
#include "h5.hpp"
#include "readers.hpp"

namespace geosim::output {

namespace {

namespace H = h5;

struct Dimension {
  std::string name;
  hsize_t size = 0;
  std::vector<std::string> labels;  ///< empty unless the coordinate holds strings
};

struct VarMeta {
  std::string name;
  std::vector<std::string> dims;
  std::vector<hsize_t> shape;
  std::string units;
};

herr_t collect_link(hid_t /*group*/, const char* name, const H5L_info_t* /*info*/, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

herr_t scale_name(hid_t /*did*/, unsigned /*dim*/, hid_t scale, void* data) {
  const ssize_t n = H5DSget_scale_name(scale, nullptr, 0);
  if (n <= 0) return 0;
  std::string name(static_cast<std::size_t>(n) + 1, '\0');
  H5DSget_scale_name(scale, name.data(), name.size());
  name.resize(static_cast<std::size_t>(n));
  // A dimension without a coordinate variable (nv of time_bnds) carries
  // netCDF's marker as its scale name; its dataset's name is the dimension's.
  if (name.rfind("This is a netCDF dimension but not a netCDF variable", 0) == 0) {
    const ssize_t m = H5Iget_name(scale, nullptr, 0);
    if (m > 0) {
      std::string path(static_cast<std::size_t>(m) + 1, '\0');
      H5Iget_name(scale, path.data(), path.size());
      path.resize(static_cast<std::size_t>(m));
      name = path.substr(path.rfind('/') + 1);
    }
  }
  *static_cast<std::string*>(data) = name;
  return 1;  // the first attached scale names the dimension
}

/// Root links in creation order (name order for files that do not track it).
std::vector<std::string> root_links(hid_t file) {
  std::vector<std::string> names;
  hsize_t idx = 0;
  if (H5Literate(file, H5_INDEX_CRT_ORDER, H5_ITER_INC, &idx, collect_link, &names) < 0) {
    H::take_error_stack();
    names.clear();
    idx = 0;
    H::check_status(H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_link, &names),
                    "cannot list the root group");
  }
  return names;
}

// Howard Hinnant's civil_from_days: days since 1970-01-01 -> (y, m, d).
Date civil_from_days(long z) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const long doe = z - era * 146097;
  const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long mp = (5 * doy + 2) / 153;
  const long d = doy - (153 * mp + 2) / 5 + 1;
  const long m = mp < 10 ? mp + 3 : mp - 9;
  return Date{static_cast<int>(yoe + era * 400 + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

class FileView {
 public:
  FileView(hid_t file) : file_(file) {
    for (const auto& name : root_links(file)) {
      H5O_info_t info;
      if (H5Oget_info_by_name(file, name.c_str(), &info, H5P_DEFAULT) < 0 || info.type != H5O_TYPE_DATASET) {
        H::take_error_stack();
        continue;
      }
      H::Handle ds = H::dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT), "cannot open dataset '" + name + "'");
      if (H5DSis_scale(ds.get()) > 0) {
        Dimension d{name, 0, {}};
        const auto s = H::shape(ds.get(), "cannot read dimension '" + name + "'");
        d.size = s.empty() ? 0 : s[0];
        H::Handle type = H::datatype(H5Dget_type(ds.get()), "cannot read dimension '" + name + "'");
        if (H5Tget_class(type.get()) == H5T_STRING) d.labels = H::read_strings(ds.get(), "cannot read labels of '" + name + "'");
        if (name == "time") time_ = read_time(ds.get());
        dims_.push_back(std::move(d));
        continue;
      }
      VarMeta v{name, {}, H::shape(ds.get(), "cannot read variable '" + name + "'"), {}};
      for (unsigned i = 0; i < v.shape.size(); ++i) {
        std::string dim = "dim" + std::to_string(i);
        if (H5DSget_num_scales(ds.get(), i) > 0) H5DSiterate_scales(ds.get(), i, nullptr, scale_name, &dim);
        H::take_error_stack();
        v.dims.push_back(dim);
      }
      v.units = H::read_string_attr(ds.get(), "units").value_or("");
      vars_.push_back(std::move(v));
    }
  }

  const std::vector<Dimension>& dims() const { return dims_; }
  const std::vector<VarMeta>& vars() const { return vars_; }
  const std::vector<Month>& months() const { return time_; }

  const Dimension* dim(const std::string& name) const {
    for (const auto& d : dims_)
      if (d.name == name) return &d;
    return nullptr;
  }

  const VarMeta* var(const std::string& name) const {
    for (const auto& v : vars_)
      if (v.name == name) return &v;
    return nullptr;
  }

  /// The time series of `var` at fixed labels of its other dimensions; nothing
  /// when the variable, a dimension or a label is missing.
  std::optional<std::vector<double>> series(const std::string& name,
                                            const std::map<std::string, std::string>& at) const {
    const VarMeta* v = var(name);
    if (v == nullptr || v->dims.empty() || v->dims[0] != "time" || v->dims.size() != at.size() + 1) return std::nullopt;
    std::vector<hsize_t> start(v->dims.size(), 0), count(v->dims.size(), 1);
    count[0] = v->shape[0];
    for (std::size_t i = 1; i < v->dims.size(); ++i) {
      const auto it = at.find(v->dims[i]);
      const Dimension* d = dim(v->dims[i]);
      if (it == at.end() || d == nullptr) return std::nullopt;
      const auto pos = std::find(d->labels.begin(), d->labels.end(), it->second);
      if (pos == d->labels.end()) return std::nullopt;
      start[i] = static_cast<hsize_t>(pos - d->labels.begin());
    }
    if (count[0] == 0) return std::nullopt;
    const std::string what = "cannot read variable '" + name + "'";
    H::Handle ds = H::dataset(H5Dopen2(file_, name.c_str(), H5P_DEFAULT), what);
    H::Handle fs = H::dataspace(H5Dget_space(ds.get()), what);
    H::check_status(H5Sselect_hyperslab(fs.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr), what);
    H::Handle ms = H::dataspace(H5Screate_simple(1, &count[0], nullptr), what);
    std::vector<double> out(count[0]);
    H::check_status(H5Dread(ds.get(), H5T_NATIVE_DOUBLE, ms.get(), fs.get(), H5P_DEFAULT, out.data()), what);
    return out;
  }

 private:
  /// Months of the time coordinate, decoded from "days since YYYY-MM-DD".
  static std::vector<Month> read_time(hid_t ds) {
    const auto units = H::read_string_attr(ds, "units");
    const std::string prefix = "days since ";
    if (!units || units->rfind(prefix, 0) != 0) return {};
    const auto origin = parse_date(units->substr(prefix.size(), 10));
    if (!origin) return {};
    const long origin_days = days_since_epoch(origin->as_month()) + (origin->day - 1);
    const auto s = H::shape(ds, "cannot read the time coordinate");
    if (s.size() != 1 || s[0] == 0) return {};
    std::vector<double> days(s[0]);
    H::check_status(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, days.data()),
                    "cannot read the time coordinate");
    std::vector<Month> out;
    for (double d : days) out.push_back(civil_from_days(origin_days + std::lround(d)).as_month());
    return out;
  }

  hid_t file_;
  std::vector<Dimension> dims_;
  std::vector<VarMeta> vars_;
  std::vector<Month> time_;
};

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += sep;
    out += items[i];
  }
  return out;
}

std::string labels_line(const std::vector<std::string>& labels) {
  constexpr std::size_t shown = 24;
  std::vector<std::string> head(labels.begin(), labels.begin() + static_cast<std::ptrdiff_t>(std::min(shown, labels.size())));
  std::string out = join(head, " ");
  if (labels.size() > shown) out += " ... (" + std::to_string(labels.size() - shown) + " more)";
  return out;
}

double mean_of_last(const std::vector<double>& v, std::size_t n) {
  double sum = 0.0;
  std::size_t k = 0;
  for (std::size_t i = v.size() - std::min(n, v.size()); i < v.size(); ++i)
    if (std::isfinite(v[i])) sum += v[i], ++k;
  return k ? sum / static_cast<double>(k) : std::nan("");
}

void headlines(std::ostringstream& out, const FileView& f) {
  std::vector<std::pair<std::string, std::string>> lines;
  for (const auto& [a, b] : {std::pair{"RUS", "CHN"}, std::pair{"CHN", "RUS"}}) {
    if (auto s = f.series("trade_share", {{"state", a}, {"partner", b}}))
      lines.emplace_back(std::string("trade_share ") + a + " -> " + b, fmt("%.4f", s->back()));
  }
  if (auto s = f.series("energy_revenue", {{"state", "RUS"}})) {
    const std::string units = f.var("energy_revenue")->units;
    if (units == "USD month-1")
      lines.emplace_back("energy_revenue RUS", fmt("%.2f USD bn/yr (annualised)", s->back() * 12.0 / 1e9));
    else
      lines.emplace_back("energy_revenue RUS", fmt("%.6g ", s->back()) + units);
  }
  if (auto s = f.series("discount", {{"state", "RUS"}, {"partner", "CHN"}, {"sector", "crude"}})) {
    const std::size_t n = std::min<std::size_t>(12, s->size());
    lines.emplace_back("discount RUS crude -> CHN",
                       fmt("%.4f of world price", s->back()) + fmt(" (mean of last %.0f months: ", static_cast<double>(n)) +
                           fmt("%.4f)", mean_of_last(*s, n)));
  }
  if (lines.empty()) return;
  const auto& m = f.months();
  // The headline, worded and rounded as the report and the explorer show it
  // (geosim_analysis.figure_marks.headline_text).
  if (auto s = f.series("trade_share", {{"state", "RUS"}, {"partner", "CHN"}}); s && !m.empty())
    out << "headline    China's share of Russia's trade, " << m.back().str() << ": "
        << (std::isfinite(s->back()) ? fmt("%.1f %%", 100.0 * s->back()) : std::string("undefined (no trade)")) << "\n";
  out << "headline numbers" << (m.empty() ? std::string() : " (" + m.back().str() + ")") << "\n";
  std::size_t w = 0;
  for (const auto& l : lines) w = std::max(w, l.first.size());
  for (const auto& [k, v] : lines) out << "  " << k << std::string(w - k.size() + 2, ' ') << v << "\n";
}

/// A 1-D dataset of the root group read as `mem_type`; empty when it is missing or not 1-D.
template <class T>
std::vector<T> column(hid_t file, const std::string& name, hid_t mem_type) {
  if (H5Lexists(file, name.c_str(), H5P_DEFAULT) <= 0) {
    H::take_error_stack();
    return {};
  }
  const std::string what = "cannot read '" + name + "'";
  H::Handle ds = H::dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT), what);
  const auto s = H::shape(ds.get(), what);
  if (s.size() != 1) return {};
  std::vector<T> out(s[0]);
  if (!out.empty()) H::check_status(H5Dread(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), what);
  return out;
}

/// A per-run column as text: strings as they are, numbers with %g.
std::vector<std::string> text_column(hid_t file, const std::string& name) {
  const std::string what = "cannot read '" + name + "'";
  H::Handle ds = H::dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT), what);
  H::Handle type = H::datatype(H5Dget_type(ds.get()), what);
  if (H5Tget_class(type.get()) == H5T_STRING) return H::read_strings(ds.get(), what);
  std::vector<std::string> out;
  for (double v : column<double>(file, name, H5T_NATIVE_DOUBLE)) out.push_back(fmt("%g", v));
  return out;
}

/// The sweep part of `geosim info` on a sweep file: its plan and each run's
/// seed, parameters and status (docs/sweeps.md).
void sweep_summary(std::ostringstream& out, hid_t file, const FileView& f) {
  const auto str = [&](const char* name) { return H::read_string_attr(file, name); };
  const auto ids = column<std::uint32_t>(file, "run", H5T_NATIVE_UINT32);
  const auto seeds = column<std::uint64_t>(file, "seed", H5T_NATIVE_UINT64);
  const auto status = column<std::uint8_t>(file, "status", H5T_NATIVE_UINT8);
  std::vector<std::string> errors;
  if (H5Lexists(file, "error", H5P_DEFAULT) > 0) errors = text_column(file, "error");
  H::take_error_stack();
  std::vector<std::pair<std::string, std::vector<std::string>>> params;
  for (const auto& v : f.vars())
    if (v.name.rfind("param_", 0) == 0 && v.dims.size() == 1) params.emplace_back(v.name.substr(6), text_column(file, v.name));

  const auto planned = H::read_uint_attr(file, "planned_runs");
  const auto master = H::read_uint_attr(file, "master_seed");
  std::size_t counts[3] = {0, 0, 0};
  for (auto s : status) counts[std::min<std::size_t>(s, 2)] += 1;
  out << "  sweep       " << str("sweep_name").value_or("(unnamed)") << "\n"
      << "  runs        " << ids.size() << (planned ? " of " + std::to_string(*planned) + " planned" : std::string())
      << ": " << counts[0] << " ok, " << counts[1] << " failed, " << counts[2] << " invalid\n"
      << "  master seed " << (master ? std::to_string(*master) : "?") << "\n";
  if (const auto shard = str("shard")) out << "  shard       " << *shard << "\n";
  out << "  parameters  ";
  for (std::size_t i = 0; i < params.size(); ++i) out << (i ? ", " : "") << params[i].first;
  out << (params.empty() ? "(none)" : "") << "\n";

  constexpr std::size_t shown = 20;
  out << "runs\n  run     seed                  ";
  for (const auto& p : params) out << p.first << "  ";
  out << "status\n";
  const char* names[] = {"ok", "failed", "invalid"};
  for (std::size_t k = 0; k < ids.size() && k < shown; ++k) {
    std::string line = std::to_string(ids[k]);
    line += std::string(line.size() < 8 ? 8 - line.size() : 1, ' ');
    const std::string seed = k < seeds.size() ? std::to_string(seeds[k]) : "?";
    line += seed + std::string(seed.size() < 22 ? 22 - seed.size() : 1, ' ');
    for (const auto& p : params) {
      const std::string v = k < p.second.size() ? p.second[k] : "?";
      line += v + std::string(v.size() < p.first.size() + 2 ? p.first.size() + 2 - v.size() : 1, ' ');
    }
    line += k < status.size() ? names[std::min<std::size_t>(status[k], 2)] : "?";
    if (k < errors.size() && !errors[k].empty()) line += ": " + errors[k];
    out << "  " << line << "\n";
  }
  if (ids.size() > shown) out << "  ... (" << ids.size() - shown << " more runs)\n";
}

std::string summarise(hid_t file, const std::string& path) {
  std::ostringstream out;
  const auto str = [&](const char* name) { return H::read_string_attr(file, name); };
  const auto version = str("geosim_version");
  const FileView f(file);

  const bool is_sweep = f.dim("run") != nullptr && str("sweep_name").has_value();
  out << "geosim " << (is_sweep ? "sweep" : "output") << " " << path << "\n";
  if (is_sweep) {
    sweep_summary(out, file, f);
  } else {
    const std::string name = str("scenario_name").value_or("");
    out << "  scenario    " << (name.empty() ? "(unnamed)" : name) << "\n";
    const auto seed = H::read_uint_attr(file, "seed");
    const auto run = H::read_uint_attr(file, "run");
    const auto threads = H::read_number_attr(file, "threads");
    out << "  seed        " << (seed ? std::to_string(*seed) : "?") << "\n";
    out << "  run         " << (run ? std::to_string(*run) : "?") << "\n";
    out << "  threads     " << (threads ? std::to_string(static_cast<long>(*threads)) : "?") << "\n";
  }
  out << "  geosim      " << *version << " (commit " << str("git_commit").value_or("unknown") << ")\n";
  if (const auto created = str("created")) out << "  created     " << *created << "\n";
  if (const auto wall = H::read_number_attr(file, "wall_time_seconds"))
    out << "  wall time   " << fmt("%.1f s", *wall) << "\n";
  else if (!is_sweep)
    out << "  wall time   unknown (the run did not finish)\n";

  const Dimension* time = f.dim("time");
  const auto& months = f.months();
  out << "  steps       " << (time ? std::to_string(time->size) : "?");
  if (!months.empty()) out << " (" << months.front().str() << " .. " << months.back().str() << ")";
  if (const auto recorded = H::read_number_attr(file, "steps"); recorded && time && *recorded != static_cast<double>(time->size))
    out << ", " << static_cast<long>(*recorded) << " recorded";
  out << "\n";

  out << "dimensions\n";
  std::size_t w = 0;
  for (const auto& d : f.dims()) w = std::max(w, d.name.size());
  for (const auto& d : f.dims()) {
    out << "  " << d.name << std::string(w - d.name.size() + 2, ' ') << d.size;
    if (!d.labels.empty()) out << "  " << labels_line(d.labels);
    out << "\n";
  }

  out << "variables\n";
  w = 0;
  std::size_t wd = 0;
  for (const auto& v : f.vars()) {
    w = std::max(w, v.name.size());
    wd = std::max(wd, join(v.dims, ", ").size() + 2);
  }
  for (const auto& v : f.vars()) {
    std::string dims = "(";
    dims += join(v.dims, ", ");
    dims += ")";
    out << "  " << v.name << std::string(w - v.name.size() + 2, ' ') << dims
        << std::string(wd - dims.size() + 2, ' ') << (v.units.empty() ? "-" : v.units) << "\n";
  }

  H5O_info_t info;
  if (H5Lexists(file, "snapshots", H5P_DEFAULT) > 0 &&
      H5Oget_info_by_name(file, "snapshots", &info, H5P_DEFAULT) >= 0 && info.type == H5O_TYPE_GROUP) {
    H::Handle g = H::group(H5Gopen2(file, "snapshots", H5P_DEFAULT), "cannot open group 'snapshots'");
    out << "snapshots   " << join(root_links(g.get()), " ") << "\n";
  }
  if (H5Lexists(file, "checkpoint", H5P_DEFAULT) > 0 &&
      H5Oget_info_by_name(file, "checkpoint", &info, H5P_DEFAULT) >= 0 && info.type == H5O_TYPE_GROUP) {
    H::Handle g = H::group(H5Gopen2(file, "checkpoint", H5P_DEFAULT), "cannot open group 'checkpoint'");
    out << "checkpoint  " << H::read_string_attr(g.get(), "month").value_or("?") << ", "
        << root_links(g.get()).size() << " state arrays (geosim run --fork-from)\n";
  }
  H::take_error_stack();

  headlines(out, f);
  return out.str();
}

}  // namespace

std::string describe(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError({path}, "", "no such file");
  require_readable(path);
  return detail::describe_unchecked(path);
}

std::string detail::describe_unchecked(const std::string& path) {
  H::silence_errors();
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 < 0) throw InputError({path}, "", "cannot read the file: " + H::take_error_stack());
  if (is_hdf5 == 0) throw InputError({path}, "", "not a geosim output file (not an HDF5 file)");
  try {
    H::Handle file = H::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "cannot open the file");
    if (!H::read_string_attr(file.get(), "geosim_version"))
      throw InputError({path}, "", "not a geosim output file (no 'geosim_version' attribute)");
    return summarise(file.get(), path);
  } catch (const EnvironmentError& e) {
    // The file is the user's input: a damaged one is bad input, not a broken machine.
    throw InputError({path}, "", e.what());
  }
}

}  // namespace geosim::output
