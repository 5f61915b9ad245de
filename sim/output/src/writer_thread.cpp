#include "writer_thread.hpp"

#include "h5.hpp"

namespace geosim::output::detail {

WriterThread::WriterThread(bool own_thread, std::size_t max_bytes) : max_bytes_(max_bytes) {
  if (own_thread) thread_ = std::thread([this] { loop(); });
}

WriterThread::~WriterThread() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    queue_.clear();
  }
  changed_.notify_all();
  thread_.join();
}

void WriterThread::rethrow() const {
  if (error_) std::rethrow_exception(error_);
}

void WriterThread::post(std::function<void()> task, std::size_t bytes) {
  if (!thread_.joinable()) {
    task();
    return;
  }
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return error_ || held_bytes_ == 0 || held_bytes_ + bytes <= max_bytes_; });
  rethrow();
  queue_.push_back({std::move(task), bytes});
  held_bytes_ += bytes;
  changed_.notify_all();
}

void WriterThread::drain() {
  if (!thread_.joinable()) return;
  std::unique_lock lock(mutex_);
  // error_ is set only once the failed task is done and the queue dropped.
  changed_.wait(lock, [&] { return error_ || (queue_.empty() && !running_); });
  rethrow();
}

void WriterThread::loop() {
  h5::silence_errors();  // a thread-safe HDF5 prints error stacks unless each thread says not to
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    Task task = std::move(queue_.front());
    queue_.pop_front();
    running_ = true;
    lock.unlock();
    std::exception_ptr error;
    try {
      task.run();
    } catch (...) {
      error = std::current_exception();
    }
    task.run = nullptr;  // its data go before the room they took is given back
    lock.lock();
    running_ = false;
    held_bytes_ -= task.bytes;
    if (error && !error_) error_ = error;
    if (error_) {
      for (const auto& t : queue_) held_bytes_ -= t.bytes;
      queue_.clear();
    }
    changed_.notify_all();
  }
}

}  // namespace geosim::output::detail
