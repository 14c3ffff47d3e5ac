// ReadingBuffer: the device's bounded store-and-forward buffer (RAM).
//
// Capacity is in readings. Overflow policy when a reading arrives at a full buffer:
// - kDropOldest: the oldest queued reading is evicted to make room (keeps the
//   freshest data; what most historians and Greengrass's default do);
// - kDropNewest: the arriving reading is discarded (keeps the oldest data).
// Every eviction is returned to the caller, so that loss can be accounted exactly.
#pragma once

#include <cstddef>
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
    if (size_ < capacity_) {
      if (size_ == ring_.size()) grow();
      ring_[(head_ + size_) & (ring_.size() - 1)] = reading;
      ++size_;
      peak_ = std::max(peak_, size_);
      return std::nullopt;
    }
    ++overflows_;
    if (policy_ == OverflowPolicy::kDropNewest || capacity_ == 0) return reading;
    Reading evicted = ring_[head_];
    head_ = (head_ + 1) & (ring_.size() - 1);
    ring_[(head_ + size_ - 1) & (ring_.size() - 1)] = reading;
    return evicted;
  }

  /// Removes up to `max_count` readings from the head straight into a batch's
  /// parallel record and truth vectors (no intermediate copy).
  void take_into(std::size_t max_count, std::vector<pipeline::Record>& records,
                 std::vector<ReadingTruth>& truth) {
    const std::size_t n = std::min(max_count, size_);
    records.reserve(records.size() + n);
    truth.reserve(truth.size() + n);
    for (std::size_t i = 0; i < n; ++i) {
      const Reading& r = ring_[(head_ + i) & (ring_.size() - 1)];
      records.push_back(r.record);
      truth.push_back(r.truth);
    }
    head_ = (head_ + n) & (ring_.size() - 1);
    size_ -= n;
    if (size_ == 0) head_ = 0;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t peak() const { return peak_; }
  std::uint64_t overflows() const { return overflows_; }
  /// Precondition: !empty().
  double oldest_true_time_s() const { return ring_[head_].truth.true_time_s; }

 private:
  // A power-of-two ring that grows on demand up to the capacity: memory follows
  // the occupancy, not the (possibly large) configured capacity.
  void grow() {
    std::vector<Reading> bigger(std::max<std::size_t>(16, ring_.size() * 2));
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = ring_[(head_ + i) & (ring_.size() - 1)];
    ring_ = std::move(bigger);
    head_ = 0;
  }

  std::size_t capacity_;
  OverflowPolicy policy_;
  std::vector<Reading> ring_;
  std::size_t head_ = 0, size_ = 0;
  std::size_t peak_ = 0;
  std::uint64_t overflows_ = 0;
};

}  // namespace twinbed::devices
