// MPI for sweeps: rank 0 hands out run ids on request (dynamic scheduling,
// so fast and slow runs balance); every rank runs and writes parts; rank 0
// assembles the output. Without GEOSIM_MPI the same functions describe a
// world of one rank.
#include "mpi.hpp"

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "geosim/core/error.hpp"
#include "geosim/sweep/execute.hpp"

#ifdef GEOSIM_HAVE_MPI
#include <mpi.h>
#endif

namespace geosim::sweep {

#ifdef GEOSIM_HAVE_MPI

namespace {

constexpr int tag_request = 1, tag_reply = 2;
constexpr long long kind_request = 0, kind_done = 1;

std::mutex& mpi_mutex() {
  static std::mutex m;
  return m;
}

int provided_level = MPI_THREAD_SINGLE;
bool we_initialised = false;

/// Launched by mpirun (Open MPI, or any PMIx launcher)?
bool launched_by_mpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr ||
         std::getenv("PMI_SIZE") != nullptr;
}

bool active() {
  int initialised = 0;
  MPI_Initialized(&initialised);
  return initialised != 0;
}

}  // namespace

bool mpi_built() noexcept { return true; }

int mpi_world_size() {
  if (!active()) {
    if (!launched_by_mpirun()) return 1;
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided_level) != MPI_SUCCESS)
      throw EnvironmentError("cannot initialise MPI");
    we_initialised = true;
  }
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

void mpi_finalize() noexcept {
  if (we_initialised && active()) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
  }
}

namespace detail {

int mpi_rank() {
  if (!active()) return 0;
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

Decision broadcast_decision(const Decision& mine) {
  if (!active() || mpi_world_size() == 1) return mine;
  long long head[2] = {mine.code, static_cast<long long>(mine.message.size())};
  MPI_Bcast(head, 2, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
  Decision out;
  out.code = static_cast<int>(head[0]);
  out.message = mine.message;
  out.message.resize(static_cast<std::size_t>(head[1]));
  if (head[1] > 0) MPI_Bcast(out.message.data(), static_cast<int>(head[1]), MPI_CHAR, 0, MPI_COMM_WORLD);
  return out;
}

std::optional<std::uint32_t> request_run(int finished_status) {
  std::lock_guard lock(mpi_mutex());
  long long msg[2] = {kind_request, finished_status};
  MPI_Send(msg, 2, MPI_LONG_LONG, 0, tag_request, MPI_COMM_WORLD);
  long long id = -1;
  MPI_Recv(&id, 1, MPI_LONG_LONG, 0, tag_reply, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  if (id < 0) return std::nullopt;
  return static_cast<std::uint32_t>(id);
}

void report_done() {
  std::lock_guard lock(mpi_mutex());
  long long msg[2] = {kind_done, -1};
  MPI_Send(msg, 2, MPI_LONG_LONG, 0, tag_request, MPI_COMM_WORLD);
}

void coordinate(const std::function<std::optional<std::uint32_t>()>& next, const std::function<void(int)>& finished,
                const std::function<bool()>& local_done) {
  const int others = mpi_world_size() - 1;
  int done = 0;
  while (done < others || !local_done()) {
    int flag = 0;
    MPI_Status status;
    {
      std::lock_guard lock(mpi_mutex());
      MPI_Iprobe(MPI_ANY_SOURCE, tag_request, MPI_COMM_WORLD, &flag, &status);
      if (flag) {
        long long msg[2];
        MPI_Recv(msg, 2, MPI_LONG_LONG, status.MPI_SOURCE, tag_request, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (msg[0] == kind_done) {
          ++done;
        } else {
          if (msg[1] >= 0) finished(static_cast<int>(msg[1]));
          const auto id = next();
          long long reply = id ? static_cast<long long>(*id) : -1;
          MPI_Send(&reply, 1, MPI_LONG_LONG, status.MPI_SOURCE, tag_reply, MPI_COMM_WORLD);
        }
      }
    }
    if (!flag) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void quiet_barrier() {
  if (!active() || mpi_world_size() == 1) return;
  MPI_Request req;
  {
    std::lock_guard lock(mpi_mutex());
    MPI_Ibarrier(MPI_COMM_WORLD, &req);
  }
  for (;;) {
    int flag = 0;
    {
      std::lock_guard lock(mpi_mutex());
      MPI_Test(&req, &flag, MPI_STATUS_IGNORE);
    }
    if (flag) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool threads_may_request() { return provided_level >= MPI_THREAD_SERIALIZED; }

}  // namespace detail

#else  // no MPI

bool mpi_built() noexcept { return false; }
int mpi_world_size() { return 1; }
void mpi_finalize() noexcept {}

namespace detail {

int mpi_rank() { return 0; }
Decision broadcast_decision(const Decision& mine) { return mine; }
std::optional<std::uint32_t> request_run(int) { throw std::logic_error("request_run without MPI"); }
void report_done() {}
void coordinate(const std::function<std::optional<std::uint32_t>()>&, const std::function<void(int)>&,
                const std::function<bool()>&) {}
void quiet_barrier() {}
bool threads_may_request() { return true; }

}  // namespace detail

#endif

}  // namespace geosim::sweep
