// ReadingBuffer: the device's bounded store-and-forward buffer (RAM).
//
// Capacity is in readings. Overflow policy when a reading arrives at a full buffer:
// - kDropOldest: the oldest queued reading is evicted to make room (keeps the
//   freshest data; what most historians and Greengrass's default do);
// - kDropNewest: the arriving reading is discarded (keeps the oldest data).
// Every eviction is returned to the caller, so that loss can be accounted exactly.
//
// Storage: a power-of-two ring that grows on demand up to the capacity, so
// memory follows the occupancy, not the (possibly large) configured capacity.
// An emptied ring goes back to a per-thread pool and the next push takes the
// most recently returned ring of that size: in a plant of 10,000 devices that
// each fill and drain their buffer once a minute, the ring written next is
// one that is still in cache instead of one untouched for a minute (the
// difference was the largest single cost of sampling in the benchmark).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "devices/reading.hpp"

namespace twinbed::devices {

/// Recycled ring storage, per thread, most recently returned first.
class RingPool {
 public:
  /// A vector of exactly `slots` readings (a power of two).
  static std::vector<Reading> acquire(std::size_t slots);
  /// Takes back a ring's storage (dropped if the pool already holds enough).
  static void release(std::vector<Reading>&& ring);
};

/// What a full buffer does with one more reading (docs/scenario-format.md):
/// drop the oldest reading, drop the new one, or downsample — drop every
/// second reading of each sensor held and from then on keep only every
/// second new reading of each sensor (the stride doubles at each halving), so
/// the buffer keeps covering the whole outage at a uniform, coarser
/// resolution. The stride returns to 1 once the buffer has drained.
enum class OverflowPolicy { kDropOldest, kDropNewest, kDownsample };

class ReadingBuffer {
 public:
  ReadingBuffer(std::size_t capacity, OverflowPolicy policy) : capacity_(capacity), policy_(policy) {}
  ~ReadingBuffer() { RingPool::release(std::move(ring_)); }
  ReadingBuffer(ReadingBuffer&&) = default;
  ReadingBuffer& operator=(ReadingBuffer&&) = delete;
  ReadingBuffer(const ReadingBuffer&) = delete;
  ReadingBuffer& operator=(const ReadingBuffer&) = delete;

  /// Adds a reading; returns the reading that was lost to overflow, if any.
  std::optional<Reading> push(const Reading& reading) {
    if (stride_ > 1 && parity(reading.record.sensor)++ % stride_ != 0) {  // downsampling: not this one
      thinned_.push_back(reading);
      ++overflows_;
      return std::nullopt;
    }
    if (size_ < capacity_) {
      if (size_ == ring_.size()) grow();
      ring_[(head_ + size_) & (ring_.size() - 1)] = reading;
      ++size_;
      peak_ = std::max(peak_, size_);
      return std::nullopt;
    }
    if (policy_ == OverflowPolicy::kDownsample && capacity_ >= 2) {
      thin();
      stride_ *= 2;
      return push(reading);
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
    if (n == 0) return;
    head_ = (head_ + n) & (ring_.size() - 1);
    size_ -= n;
    release_if_empty();
  }

  /// Removes up to `max_count` readings starting `offset` readings after the
  /// head (the readings after them close the gap; the cost is the number of
  /// readings behind the range, so take from near the tail).
  void take_range_into(std::size_t offset, std::size_t max_count, std::vector<pipeline::Record>& records,
                       std::vector<ReadingTruth>& truth) {
    if (offset == 0) return take_into(max_count, records, truth);
    if (offset >= size_) return;
    const std::size_t n = std::min(max_count, size_ - offset);
    const std::size_t mask = ring_.size() - 1;
    for (std::size_t i = 0; i < n; ++i) {
      const Reading& r = ring_[(head_ + offset + i) & mask];
      records.push_back(r.record);
      truth.push_back(r.truth);
    }
    for (std::size_t i = offset + n; i < size_; ++i)
      ring_[(head_ + i - n) & mask] = ring_[(head_ + i) & mask];
    size_ -= n;
  }

  /// How many readings at the tail have a serial at or after `serial` (a scan from the tail).
  std::size_t count_tail_from(std::uint64_t serial) const {
    std::size_t n = 0;
    while (n < size_ && ring_[(head_ + size_ - 1 - n) & (ring_.size() - 1)].truth.serial >= serial) ++n;
    return n;
  }
  /// The reading `offset` readings after the head. Precondition: offset < size().
  const Reading& at(std::size_t offset) const { return ring_[(head_ + offset) & (ring_.size() - 1)]; }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t peak() const { return peak_; }
  std::uint64_t overflows() const { return overflows_; }  ///< readings lost to overflow
  /// Precondition: !empty().
  double oldest_true_time_s() const { return ring_[head_].truth.true_time_s; }
  /// Readings a downsampling overflow removed since the last call (the owner reports them).
  std::vector<Reading>& thinned() { return thinned_; }

 private:
  void grow() {
    // From empty, start at the size this buffer last needed: no regrowth each cycle.
    const std::size_t slots = ring_.empty() ? std::max<std::size_t>(16, last_slots_) : ring_.size() * 2;
    std::vector<Reading> bigger = RingPool::acquire(slots);
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = ring_[(head_ + i) & (ring_.size() - 1)];
    RingPool::release(std::move(ring_));
    ring_ = std::move(bigger);
    head_ = 0;
  }

  void release_if_empty() {
    if (size_ != 0) return;
    // Drained: the storage goes back to the pool until the next push.
    head_ = 0;
    stride_ = 1;
    counters_.clear();
    last_slots_ = ring_.size();
    RingPool::release(std::move(ring_));
    ring_ = {};
  }

  /// Per-sensor counter of readings seen while downsampling (a device has few sensors).
  std::uint64_t& parity(std::uint32_t sensor) {
    for (auto& [s, n] : counters_)
      if (s == sensor) return n;
    return counters_.emplace_back(sensor, 0).second;
  }

  /// Keeps every second reading of each sensor (its oldest stays), moves the others to thinned_.
  void thin() {
    const std::size_t mask = ring_.size() - 1;
    std::size_t kept = 0;
    for (auto& c : counters_) c.second = 0;
    for (std::size_t i = 0; i < size_; ++i) {
      Reading& r = ring_[(head_ + i) & mask];
      if (parity(r.record.sensor)++ % 2 == 1) {
        thinned_.push_back(r);
        ++overflows_;
        continue;
      }
      ring_[(head_ + kept++) & mask] = r;
    }
    size_ = kept;
    for (auto& c : counters_) c.second = 0;  // the next reading of each sensor starts a new stride
  }

  std::size_t capacity_;
  OverflowPolicy policy_;
  std::vector<Reading> ring_;
  std::size_t last_slots_ = 0;  ///< ring size when last drained
  std::size_t head_ = 0, size_ = 0;
  std::size_t peak_ = 0;
  std::uint64_t overflows_ = 0;
  std::vector<Reading> thinned_;
  std::uint64_t stride_ = 1;  ///< downsampling: keep one new reading of each sensor in stride_
  std::vector<std::pair<std::uint32_t, std::uint64_t>> counters_;
};

}  // namespace twinbed::devices
