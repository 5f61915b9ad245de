#pragma once
// The sweep's use of MPI, behind a small interface so that the build without
// MPI (GEOSIM_MPI=OFF) compiles the same execution code. Internal.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace geosim::sweep::detail {

/// Rank of this process (0 without MPI).
int mpi_rank();

/// Rank 0's decision, sent to every rank: code 0 go on, 1 stop with an
/// InputError, 2 stop with an EnvironmentError, 3 stop, nothing to do.
struct Decision {
  int code = 0;
  std::string message;
};
Decision broadcast_decision(const Decision& mine);

/// Asks rank 0 for the next run id, reporting the status of the run just
/// finished (-1 none). Thread-safe. Nothing: no runs left.
std::optional<std::uint32_t> request_run(int finished_status);

/// Tells rank 0 that this rank's workers have all stopped.
void report_done();

/// Rank 0's loop: answers requests with `next()` (nothing: no runs left),
/// passes reported statuses to `finished`, and returns when every other rank
/// has reported done and `local_done()` is true. Polls with short sleeps so
/// that a waiting coordinator leaves the cores to the workers.
void coordinate(const std::function<std::optional<std::uint32_t>()>& next,
                const std::function<void(int)>& finished, const std::function<bool()>& local_done);

/// A barrier that sleeps while it waits instead of spinning.
void quiet_barrier();

/// Whether several threads of this rank may call request_run.
bool threads_may_request();

}  // namespace geosim::sweep::detail
