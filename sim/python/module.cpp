// geosim._core: the engine, scenario loader and sweeps for the Python package
// geosim (sim/python/geosim). Runs happen on a thread of their own with the
// GIL released; the calling thread polls for signals (Ctrl-C in a notebook)
// and the progress callback with the GIL held, so other Python threads run
// meanwhile and an interrupt cancels the run between two steps.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <thread>

#include "geosim/core/error.hpp"
#include "geosim/engine/check.hpp"
#include "geosim/engine/engine.hpp"
#include "geosim/output/memory.hpp"
#include "geosim/scenario/load.hpp"
#include "geosim/sweep/execute.hpp"
#include "geosim/sweep/plan.hpp"

namespace py = pybind11;
using namespace geosim;

namespace {

/// Thrown out of the engine's progress callback when the caller stopped the run.
struct Cancelled {};

/// How often the calling thread takes the GIL to check for signals and
/// report progress while a run works.
constexpr auto poll_interval = std::chrono::milliseconds(50);

/// Runs `work` on its own thread while this one, GIL released, waits; every
/// poll_interval it takes the GIL, calls `poll` and checks for signals. A
/// signal's Python exception (KeyboardInterrupt), or one raised by `poll`,
/// sets `stop`; once `work` has returned that exception is raised here.
/// `work`'s own exceptions are rethrown.
template <class Work>
auto run_released(Work work, std::atomic<bool>& stop, const std::function<void()>& poll) {
  auto future = std::async(std::launch::async, std::move(work));
  std::optional<py::error_already_set> raised;
  {
    py::gil_scoped_release released;
    while (future.wait_for(poll_interval) != std::future_status::ready) {
      if (raised) continue;
      py::gil_scoped_acquire held;
      try {
        if (poll) poll();
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      } catch (py::error_already_set& e) {
        raised.emplace(std::move(e));
        stop = true;
      }
    }
  }
  if (raised) {
    try {
      future.get();
    } catch (...) {
      // The run stopped because of `raised`; its own exception is the consequence.
    }
    throw std::move(*raised);
  }
  return future.get();
}

std::vector<scenario::Override> overrides_of(const std::vector<std::string>& sets) {
  std::vector<scenario::Override> out;
  for (const auto& s : sets) out.push_back(scenario::parse_override(s));
  return out;
}

model::ScenarioSpec load(const std::string& source, bool is_text, const std::string& name,
                         const std::vector<std::string>& sets) {
  const auto overrides = overrides_of(sets);
  return is_text ? scenario::load_text(source, name, overrides) : scenario::load_file(source, overrides);
}

/// An attribute as (numpy type name, value), so that Python gives it the
/// type h5netcdf gives the file's attribute.
py::tuple attribute_value(const output::AttributeValue& v) {
  return std::visit(
      [](const auto& x) -> py::tuple {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) return py::make_tuple("str", x);
        if constexpr (std::is_same_v<T, double>) return py::make_tuple("float64", x);
        if constexpr (std::is_same_v<T, std::int32_t>) return py::make_tuple("int32", x);
        if constexpr (std::is_same_v<T, std::uint32_t>) return py::make_tuple("uint32", x);
        if constexpr (std::is_same_v<T, std::uint64_t>) return py::make_tuple("uint64", x);
      },
      v);
}

py::list attributes(const output::Attributes& attrs) {
  py::list out;
  for (const auto& a : attrs) out.append(py::make_tuple(a.name, attribute_value(a.value)));
  return out;
}

/// Hands the vector's buffer to numpy without a copy.
py::array_t<double> array(std::vector<double>&& values, const std::vector<std::size_t>& shape) {
  auto* owned = new std::vector<double>(std::move(values));
  py::capsule free_when_done(owned, [](void* p) { delete static_cast<std::vector<double>*>(p); });
  return py::array_t<double>(shape, owned->data(), free_when_done);
}

py::dict variable(output::MemoryVariable& v) {
  py::dict d;
  d["name"] = v.name;
  d["dims"] = v.dims;
  d["attrs"] = attributes(v.attributes);
  d["values"] = array(std::move(v.values), v.shape);
  return d;
}

py::dict summary(const model::ScenarioSpec& spec) {
  py::dict d;
  d["name"] = spec.name;
  d["description"] = spec.description;
  d["schema_version"] = spec.schema_version;
  d["start"] = spec.start.str();
  d["end"] = spec.end.str();
  d["steps"] = spec.steps();
  d["seed"] = spec.seed;
  std::vector<std::string> states, sectors, currencies;
  for (const auto& s : spec.states) states.push_back(s.code);
  for (const auto& s : spec.sectors) sectors.push_back(s.code);
  for (const auto& c : spec.currencies) currencies.push_back(c.code);
  d["states"] = states;
  d["sectors"] = sectors;
  d["currencies"] = currencies;
  d["events"] = spec.events.size();
  d["resolved_yaml"] = spec.resolved_yaml;
  return d;
}

py::dict resolve(const std::string& source, bool is_text, const std::string& name, const std::vector<std::string>& sets) {
  return summary(load(source, is_text, name, sets));
}

py::dict run_scenario(const std::string& source, bool is_text, const std::string& name, const std::vector<std::string>& sets,
             std::optional<std::uint64_t> seed, int threads, bool check, const std::string& history,
             const std::function<void(int, int)>& progress) {
  auto spec = load(source, is_text, name, sets);
  if (seed) spec.seed = *seed;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  output::MemoryWriter writer(history.empty() ? history : output::history_line(history));
  std::atomic<bool> stop{false};
  std::atomic<int> done{0}, total{spec.steps()};
  engine::RunOptions options;
  options.threads = threads;
  options.seed = spec.seed;
  options.check = check;
  options.progress = [&](int d, int t) {
    done = d;
    total = t;
    if (stop) throw Cancelled{};
  };
  int reported = -1;
  std::function<void()> poll;
  if (progress)
    poll = [&] {
      if (done != reported) progress(reported = done, total);
    };
  run_released([&] { return engine::run(spec, options, writer); }, stop, poll);
  if (progress && reported != total) progress(total, total);

  auto& r = writer.run();
  py::dict d;
  d["attrs"] = attributes(r.attributes);
  d["time"] = array(std::move(r.time), {static_cast<std::size_t>(spec.steps())});
  d["time_attrs"] = attributes(r.time_attributes);
  d["time_bounds"] = variable(r.time_bounds);
  py::list labels;
  for (const auto& l : r.labels) {
    py::dict ld;
    ld["dim"] = l.dim;
    ld["labels"] = l.labels;
    ld["attrs"] = attributes(l.attributes);
    labels.append(ld);
  }
  d["labels"] = labels;
  py::list vars;
  for (auto& v : r.variables) vars.append(variable(v));
  d["variables"] = vars;
  return d;
}

py::dict run_sweep(const std::string& sweep_file, const std::string& output, int jobs, int threads_per_run, bool force,
               bool keep_going, bool check, const std::function<void(std::size_t, std::size_t, std::size_t)>& progress) {
  const auto plan = sweep::load_plan(sweep_file);
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> done{0}, failed{0}, total{plan.runs.size()};
  sweep::SweepOptions o;
  o.output = output;
  o.jobs = jobs;
  o.threads_per_run = threads_per_run;
  o.force = force;
  o.keep_going = keep_going;
  o.check = check;
  o.progress = [&](const sweep::Progress& p) {
    done = p.done;
    failed = p.failed;
    total = p.total;
  };
  o.cancelled = [&] { return stop.load(); };
  std::size_t reported = static_cast<std::size_t>(-1);
  std::function<void()> poll;
  if (progress)
    poll = [&] {
      if (done != reported) progress(reported = done, failed, total);
    };
  const auto report = run_released([&] { return sweep::run_sweep(plan, o); }, stop, poll);
  py::dict d;
  d["runs"] = report.runs;
  d["failed"] = report.failed;
  d["complete"] = report.complete;
  d["wall_seconds"] = report.wall_seconds;
  return d;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "geosim's engine, scenario loader and sweeps (use the package geosim, not this module)";
  // Bad input becomes geosim.InputError with the CLI's message and its parts;
  // a failed model check geosim.CheckError; the environment OSError.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      py::object cls = py::module_::import("geosim").attr("InputError");
      const auto& w = e.where();
      py::object err = cls(e.what(), w.file, w.line, w.column, e.key_path(), e.detail());
      PyErr_SetObject(cls.ptr(), err.ptr());
    } catch (const engine::CheckError& e) {
      py::object cls = py::module_::import("geosim").attr("CheckError");
      py::object err = cls(e.what(), e.step(), e.month().str(), e.variable(), e.labels());
      PyErr_SetObject(cls.ptr(), err.ptr());
    } catch (const EnvironmentError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    }
  });
  m.def("resolve", &resolve, py::arg("source"), py::arg("is_text"), py::arg("name"), py::arg("sets"));
  m.def("run", &run_scenario, py::arg("source"), py::arg("is_text"), py::arg("name"), py::arg("sets"), py::arg("seed"),
        py::arg("threads"), py::arg("check"), py::arg("history"), py::arg("progress"));
  m.def("sweep", &run_sweep, py::arg("sweep_file"), py::arg("output"), py::arg("jobs"), py::arg("threads_per_run"),
        py::arg("force"), py::arg("keep_going"), py::arg("check"), py::arg("progress"));
  m.attr("version") = version();
  m.attr("git_commit") = git_commit();
}
