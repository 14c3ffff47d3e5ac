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

#include <algorithm>
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
/// Aggregate: the same coverage as downsample, with means instead of
/// dropped readings. Each sensor's held readings are merged in consecutive
/// pairs (the first and second, the third and fourth, …) into one record of
/// their count-weighted mean value, stamped with the first's time, whose
/// `count` is the sum of theirs; from then on the new readings of each
/// sensor are averaged in runs of 2 (4, 8, … at each further merge) before
/// they take a slot. The stride returns to 1 once the buffer has drained; an
/// aggregate still filling when it is sent goes with the count it has. The
/// mean is the naive one firmware computes: a NaN or a sentinel in a run
/// poisons its aggregate. Each reading merged into another is handed to the
/// owner (merged()).
enum class OverflowPolicy { kDropOldest, kDropNewest, kDownsample, kAggregate };

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
    if (policy_ == OverflowPolicy::kAggregate) {
      if (stride_ > 1 && join_open(reading)) return std::nullopt;
      return push_slot(reading);
    }
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
    drop_front(n);
  }

  /// Removes up to `max_count` readings from the head into `out`.
  void take_readings(std::size_t max_count, std::vector<Reading>& out) {
    const std::size_t n = std::min(max_count, size_);
    for (std::size_t i = 0; i < n; ++i) out.push_back(ring_[(head_ + i) & (ring_.size() - 1)]);
    drop_front(n);
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
    open_.clear();  // slots moved: new readings start new aggregates
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
  /// Readings an aggregating overflow merged into an earlier one since the last call.
  std::vector<Reading>& merged() { return merged_; }

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

  /// The n readings at the head have left.
  void drop_front(std::size_t n) {
    if (n == 0) return;
    head_ = (head_ + n) & (ring_.size() - 1);
    size_ -= n;
    base_ += n;
    release_if_empty();
  }

  void release_if_empty() {
    if (size_ != 0) return;
    // Drained: the storage goes back to the pool until the next push.
    head_ = 0;
    stride_ = 1;
    counters_.clear();
    open_.clear();
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

  /// Aggregating: adds a reading to its sensor's aggregate still filling (fewer
  /// than stride_ readings), if there is one. False: it needs a slot of its own.
  bool join_open(const Reading& r) {
    const auto it =
        std::find_if(open_.begin(), open_.end(), [&](const auto& o) { return o.first == r.record.sensor; });
    if (it == open_.end() || it->second < base_) return false;  // none, or already sent
    Reading& a = ring_[(head_ + (it->second - base_)) & (ring_.size() - 1)];
    if (a.record.count >= stride_) return false;
    absorb(a, r);
    return true;
  }

  /// A slot for the reading (aggregating, merging when full); it becomes its sensor's open aggregate.
  std::optional<Reading> push_slot(const Reading& reading) {
    if (size_ >= capacity_ && capacity_ >= 2 && merge()) {
      stride_ *= 2;
      if (join_open(reading)) return std::nullopt;
    }
    if (size_ < capacity_) {
      if (size_ == ring_.size()) grow();
      ring_[(head_ + size_) & (ring_.size() - 1)] = reading;
      ++size_;
      peak_ = std::max(peak_, size_);
      set_open(reading.record.sensor, base_ + size_ - 1);
      return std::nullopt;
    }
    ++overflows_;  // nothing left to merge (one reading per sensor): drop the oldest
    if (capacity_ == 0) return reading;
    Reading evicted = ring_[head_];
    head_ = (head_ + 1) & (ring_.size() - 1);
    ++base_;
    ring_[(head_ + size_ - 1) & (ring_.size() - 1)] = reading;
    set_open(reading.record.sensor, base_ + size_ - 1);
    return evicted;
  }

  void set_open(std::uint32_t sensor, std::uint64_t position) {
    for (auto& o : open_)
      if (o.first == sensor) {
        o.second = position;
        return;
      }
    open_.emplace_back(sensor, position);
  }

  /// a becomes the count-weighted mean of a and r; r is handed to merged_.
  void absorb(Reading& a, const Reading& r) {
    const double ca = a.record.count, cb = r.record.count, c = ca + cb;
    a.record.value = (a.record.value * ca + r.record.value * cb) / c;
    a.truth.true_value = (a.truth.true_value * ca + r.truth.true_value * cb) / c;
    a.truth.fault_mask |= r.truth.fault_mask;
    a.record.count += r.record.count;
    if (r.record.status != pipeline::DeviceStatus::kGood) a.record.status = r.record.status;
    merged_.push_back(r);
  }

  /// Merges each sensor's readings in consecutive pairs into the first of
  /// each pair; the merged ones go to merged_. Returns false when nothing
  /// could be merged (every sensor holds a single reading).
  bool merge() {
    const std::size_t mask = ring_.size() - 1;
    struct Open {
      std::uint32_t sensor;
      std::size_t slot;  ///< where the sensor's unpaired reading now sits (npos: none)
    };
    constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    std::vector<Open> open;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < size_; ++i) {
      const Reading r = ring_[(head_ + i) & mask];
      auto it =
          std::find_if(open.begin(), open.end(), [&](const Open& o) { return o.sensor == r.record.sensor; });
      if (it == open.end()) it = open.insert(open.end(), Open{r.record.sensor, kNone});
      if (it->slot == kNone) {  // the first of a pair
        it->slot = kept;
        ring_[(head_ + kept++) & mask] = r;
        continue;
      }
      absorb(ring_[(head_ + it->slot) & mask], r);
      it->slot = kNone;
    }
    const bool any = kept < size_;
    size_ = kept;
    open_.clear();  // slots moved: new readings start new aggregates
    return any;
  }

  std::size_t capacity_;
  OverflowPolicy policy_;
  std::vector<Reading> ring_;
  std::size_t last_slots_ = 0;  ///< ring size when last drained
  std::size_t head_ = 0, size_ = 0;
  std::size_t peak_ = 0;
  std::uint64_t overflows_ = 0;
  std::vector<Reading> thinned_;
  std::vector<Reading> merged_;
  std::uint64_t base_ =
      0;  ///< readings that have left from the head, ever: a slot's position is base_ + offset
  /// Aggregating: each sensor's aggregate still filling, by position.
  std::vector<std::pair<std::uint32_t, std::uint64_t>> open_;
  std::uint64_t stride_ = 1;  ///< downsampling: keep one new reading of each sensor in stride_
  std::vector<std::pair<std::uint32_t, std::uint64_t>> counters_;
};

}  // namespace twinbed::devices
