#include "writer_tasks.hpp"

#include "h5.hpp"
#include "workers.hpp"

namespace geosim::output::detail {

WriterTasks::WriterTasks(int threads, std::size_t max_bytes)
    : max_bytes_(max_bytes), workers_(threads > 1 ? std::make_unique<Workers>(threads) : nullptr) {}

WriterTasks::~WriterTasks() {
  if (!workers_) return;
  std::deque<Task> dropped;
  {
    std::lock_guard lock(mutex_);
    dropped.swap(queue_);
  }
  dropped.clear();
  try {
    wait();
  } catch (...) {
  }
}

void WriterTasks::rethrow() const {
  if (error_) std::rethrow_exception(error_);
}

void WriterTasks::wait() {
  workers_->wait();
}

void WriterTasks::post(std::function<void()> task, std::size_t bytes) {
  if (!workers_) {
    task();
    return;
  }
  std::unique_lock lock(mutex_);
  rethrow();
  if (held_bytes_ > 0 && held_bytes_ + bytes > max_bytes_) {
    lock.unlock();
    wait();
    lock.lock();
    rethrow();
  }
  queue_.push_back({std::move(task), bytes});
  held_bytes_ += bytes;
  if (!scheduled_) {
    scheduled_ = true;
    workers_->enqueue([this] { run_queue(); });
  }
}

void WriterTasks::drain() {
  if (!workers_) return;
  wait();
  std::lock_guard lock(mutex_);
  rethrow();
}

void WriterTasks::run_queue() {
  // HDF5 prints error stacks unless each thread says not to; a worker may
  // not have run a task of ours before.
  h5::silence_errors();
  for (;;) {
    Task task;
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) {
        scheduled_ = false;
        return;
      }
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    std::exception_ptr error;
    try {
      task.run();
    } catch (...) {
      error = std::current_exception();
    }
    task.run = nullptr;  // its data go before the room they took is given back
    std::deque<Task> dropped;
    {
      std::lock_guard lock(mutex_);
      held_bytes_ -= task.bytes;
      if (error) {
        error_ = error;
        dropped.swap(queue_);
        held_bytes_ = 0;
        scheduled_ = false;
      }
    }
    if (error) return;  // `dropped` goes here, outside the lock
  }
}

}  // namespace geosim::output::detail
