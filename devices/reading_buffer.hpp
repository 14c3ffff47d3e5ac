// ReadingBuffer: the device's bounded store-and-forward buffer (RAM).
//
// Capacity is in readings. Overflow policy when a reading arrives at a full buffer:
// - kDropOldest: the oldest queued reading is evicted to make room (keeps the
//   freshest data; what most historians and Greengrass's default do);
// - kDropNewest: the arriving reading is discarded (keeps the oldest data).
// Every eviction is returned to the caller, so that loss can be accounted exactly.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "devices/reading.hpp"

namespace twinbed::devices {

enum class OverflowPolicy { kDropOldest, kDropNewest };

class ReadingBuffer {
 public:
  ReadingBuffer(std::size_t capacity, OverflowPolicy policy) : capacity_(capacity), policy_(policy) {}

  /// Adds a reading; returns the reading that was lost to overflow, if any.
  std::optional<Reading> push(const Reading& reading) {
    if (queue_.size() < capacity_) {
      queue_.push_back(reading);
      peak_ = std::max(peak_, queue_.size());
      return std::nullopt;
    }
    ++overflows_;
    if (policy_ == OverflowPolicy::kDropNewest || capacity_ == 0) return reading;
    Reading evicted = queue_.front();
    queue_.pop_front();
    queue_.push_back(reading);
    return evicted;
  }

  /// Removes up to `max_count` readings from the head, oldest first.
  void take(std::size_t max_count, std::vector<Reading>& out) {
    const std::size_t n = std::min(max_count, queue_.size());
    out.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
  }

  std::size_t size() const { return queue_.size(); }
  /// Precondition: !empty().
  double oldest_true_time_s() const { return queue_.front().truth.true_time_s; }
  const std::deque<Reading>& contents() const { return queue_; }
  bool empty() const { return queue_.empty(); }
  std::size_t capacity() const { return capacity_; }
  std::size_t peak() const { return peak_; }
  std::uint64_t overflows() const { return overflows_; }

 private:
  std::size_t capacity_;
  OverflowPolicy policy_;
  std::deque<Reading> queue_;
  std::size_t peak_ = 0;
  std::uint64_t overflows_ = 0;
};

}  // namespace twinbed::devices
