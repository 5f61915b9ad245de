#include "memory_check.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "geosim/core/error.hpp"
#include "geosim/engine/engine.hpp"
#include "geosim/output/hdf5.hpp"
#include "geosim/state/world.hpp"

namespace geosim::cli {

namespace {

/// "1.50 MiB": bytes in the largest binary unit below them.
std::string human(double bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
  std::size_t u = 0;
  double v = bytes;
  for (; v >= 1024.0 && u + 1 < std::size(units); ++u) v /= 1024.0;
  char buf[64];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.2f %s", v, units[u]);
  return buf;
}

/// "1.50 MiB (1572864 bytes)".
std::string exact(double bytes) {
  char buf[48];
  std::snprintf(buf, sizeof buf, " (%.0f bytes)", bytes);
  return human(bytes) + buf;
}

/// MemAvailable from /proc/meminfo, bytes, or nothing.
std::optional<double> available_memory() {
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  double kib = 0;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024.0;
  return std::nullopt;
}

/// Doubles in one step's record: every output variable over its dims but time.
std::size_t record_values(const model::ScenarioSpec& spec) {
  std::size_t total = 0;
  for (const auto& v : engine::variables()) {
    std::size_t n = 1;
    for (engine::Dim d : v.dims) switch (d) {
        case engine::Dim::time: break;
        case engine::Dim::state:
        case engine::Dim::partner: n *= spec.states.size(); break;
        case engine::Dim::sector: n *= spec.sectors.size(); break;
        case engine::Dim::currency: n *= spec.currencies.size(); break;
        case engine::Dim::route: n *= std::size(engine::route_labels); break;
      }
    total += n;
  }
  return total;
}

}  // namespace

void check_memory(const model::ScenarioSpec& spec, const std::string& scenario_path,
                  std::optional<std::uint64_t> max_memory) {
  // The writer buffers one chunk of steps and compresses the one before
  // (raw, then compressed: at most as large); the engine builds one more
  // step. Beside the run the writer holds up to pending_bytes of chunks
  // queued for its tasks, and as much being compressed, raw and
  // compressed (the snapshots' columns).
  const output::WriterOptions writer;
  const auto chunk = static_cast<std::size_t>(std::min(spec.steps(), writer.time_chunk));
  state::MemoryEstimate m = state::estimate_memory(spec, record_values(spec), 2 * chunk + 1);
  m.record_bytes += 3.0 * static_cast<double>(writer.pending_bytes);
  const std::optional<double> available = max_memory ? std::nullopt : available_memory();
  const double limit = max_memory ? static_cast<double>(*max_memory) : available.value_or(m.total());
  if (m.total() <= limit) return;
  const std::string parts = std::to_string(m.firms) + " firms " + human(m.firm_bytes) + ", " +
                            std::to_string(m.banks) + " banks " + human(m.bank_bytes) + ", network " +
                            human(m.network_bytes) + ", state grids " + human(m.grid_bytes) + ", step records " +
                            human(m.record_bytes);
  const std::string limit_text =
      max_memory ? "the limit of " + exact(limit) + " set by --max-memory; raise --max-memory"
                 : "the " + exact(limit) +
                       " this machine has available (MemAvailable in /proc/meminfo); free memory, or pass "
                       "--max-memory BYTES to set the limit yourself";
  throw InputError(SourceLocation{scenario_path, 0, 0}, "",
                   "the run needs an estimated " + exact(m.total()) + " of memory (" + parts + "), more than " +
                       limit_text + ", or reduce the firm counts, the states or the horizon");
}

}  // namespace geosim::cli
