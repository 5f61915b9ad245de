#pragma once
// Back-ends for the engine's parallel loops. A loop body processes a range of
// agents and writes only their slots, so any split gives the same result.
#include <cstddef>
#include <functional>
#include <memory>

namespace geosim::engine {

class Executor {
 public:
  using Body = std::function<void(std::size_t begin, std::size_t end)>;
  virtual ~Executor() = default;
  /// Runs body over [0, n) in chunks of about `grain`.
  virtual void parallel_for(std::size_t n, std::size_t grain, const Body& body) = 0;
};

std::unique_ptr<Executor> make_serial_executor();
/// threads = 0: as many as the machine has.
std::unique_ptr<Executor> make_tbb_executor(int threads);

}  // namespace geosim::engine
