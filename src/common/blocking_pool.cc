// BlockingPool: detached worker threads started on demand, ended when idle.
#include "kitsune/common/blocking_pool.h"

#include <thread>

#include <pthread.h>

namespace kitsune {

BlockingPool::BlockingPool(std::string name, std::size_t max_threads,
                           std::chrono::milliseconds idle_keepalive)
    : name_(std::move(name)),
      max_threads_(max_threads == 0 ? 1 : max_threads),
      idle_keepalive_(idle_keepalive) {}

BlockingPool::~BlockingPool() {
  std::unique_lock lock(mu_);
  stopping_ = true;
  cv_.notify_all();
  cv_.wait(lock, [this] { return live_ == 0; });
}

std::size_t BlockingPool::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

std::size_t BlockingPool::threads() const {
  std::lock_guard lock(mu_);
  return live_;
}

void BlockingPool::submit(std::unique_ptr<TaskBase> task) {
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(task));
  // Start a thread when the idle ones cannot take every queued task, so that a quick task is
  // never stuck behind a long one while the pool has room.
  if (queue_.size() > idle_ && live_ < max_threads_) {
    ++live_;
    std::thread([this] { worker(); }).detach();
  } else {
    cv_.notify_one();
  }
}

void BlockingPool::worker() {
  {
    // Thread names are capped at 15 characters by the kernel.
    std::string thread_name = name_.substr(0, 15);
    pthread_setname_np(pthread_self(), thread_name.c_str());
  }
  std::unique_lock lock(mu_);
  while (true) {
    if (queue_.empty()) {
      if (stopping_) break;
      ++idle_;
      bool woke =
          cv_.wait_for(lock, idle_keepalive_, [this] { return !queue_.empty() || stopping_; });
      --idle_;
      if (!woke) break;  // idle too long
      continue;
    }
    auto task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    task->run();
    task.reset();
    lock.lock();
  }
  --live_;
  cv_.notify_all();
}

}  // namespace kitsune
