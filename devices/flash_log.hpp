// FlashLog: the device's persistent store, a log of pages in flash.
//
// What it guarantees (docs/firmware.md, "RAM and flash"):
// - Readings are written a page at a time (`page_records` readings; NOR and
//   NAND flash program pages, SD cards blocks). A page is durable once its
//   program time `page_write_s` has passed after the write began; a power
//   loss inside that interval tears it: on the next boot its checksum fails
//   and its readings are gone.
// - Pages are read oldest first. A reading leaves flash when a message takes
//   it; if the device reboots before that message's acknowledgement, the
//   firmware puts it back at the head (restore()), as firmware that deletes
//   on acknowledgement would find it after the boot.
// - Capacity is in readings (whole pages). Nothing in flash is lost at a
//   reboot except a torn page.
//
// The store holds Readings with their ground truth; like ReadingBuffer it is
// pure (no clock, no random draws): the caller passes the times.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "devices/reading.hpp"

namespace twinbed::devices {

struct FlashParams {
  std::size_t capacity_records = 0;  ///< 0: the device has no flash store
  std::size_t page_records = 64;     ///< readings per page
  double page_write_s = 0.005;       ///< time to program one page
  /// kSpill: flash takes the oldest page of RAM when RAM is full (readings
  /// in RAM are lost at a reboot). kPersist: every full page of RAM is
  /// written at once (at most a partial page in RAM is lost).
  enum class Mode { kSpill, kPersist } mode = Mode::kSpill;
  bool enabled() const { return capacity_records > 0; }
};

class FlashLog {
 public:
  explicit FlashLog(FlashParams params) : params_(params) {}

  const FlashParams& params() const { return params_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t peak() const { return peak_; }
  std::uint64_t pages_written() const { return pages_written_; }
  /// Room for one more page.
  bool has_room() const { return size_ + params_.page_records <= params_.capacity_records; }

  /// Writes a page that begins programming at t_s (it is durable at t_s + page_write_s).
  void write_page(std::vector<Reading>&& page, double t_s) {
    size_ += page.size();
    peak_ = std::max(peak_, size_);
    ++pages_written_;
    pages_.push_back({std::move(page), 0, t_s});
  }

  /// Removes the oldest page (the drop-oldest overflow policy); returns its unread readings.
  std::vector<Reading> evict_oldest_page() {
    Page p = std::move(pages_.front());
    pages_.pop_front();
    p.readings.erase(p.readings.begin(), p.readings.begin() + static_cast<std::ptrdiff_t>(p.read));
    size_ -= p.readings.size();
    return std::move(p.readings);
  }

  /// Moves up to `max_count` readings from the head into a batch's parallel vectors.
  std::size_t take_into(std::size_t max_count, std::vector<pipeline::Record>& records,
                        std::vector<ReadingTruth>& truth) {
    std::size_t n = 0;
    while (n < max_count && !pages_.empty()) {
      Page& p = pages_.front();
      while (n < max_count && p.read < p.readings.size()) {
        records.push_back(p.readings[p.read].record);
        truth.push_back(p.readings[p.read].truth);
        ++p.read, ++n;
      }
      if (p.read == p.readings.size()) pages_.pop_front();
    }
    size_ -= n;
    return n;
  }

  /// Readings of a message that was not acknowledged before a reboot go back
  /// to the head, in their order (call for the newest message first).
  void restore(std::vector<Reading>&& readings) {
    if (readings.empty()) return;
    size_ += readings.size();
    pages_.push_front({std::move(readings), 0, -1.0});  // durable long ago
  }

  /// The device lost power at t_s: a page still programming is torn.
  /// `tear_last` tears the most recent page whatever its timing (a brown-out
  /// caused by the write itself). Returns the torn page's readings.
  std::vector<Reading> power_loss(double t_s, bool tear_last) {
    if (pages_.empty()) return {};
    Page& last = pages_.back();
    const bool programming =
        last.written_at_s >= 0 && t_s >= last.written_at_s && t_s < last.written_at_s + params_.page_write_s;
    if (!programming && !(tear_last && last.written_at_s >= 0)) return {};
    Page p = std::move(last);
    pages_.pop_back();
    p.readings.erase(p.readings.begin(), p.readings.begin() + static_cast<std::ptrdiff_t>(p.read));
    size_ -= p.readings.size();
    ++torn_pages_;
    return std::move(p.readings);
  }
  std::uint64_t torn_pages() const { return torn_pages_; }

  /// Precondition: !empty().
  const Reading& oldest() const { return pages_.front().readings[pages_.front().read]; }

 private:
  struct Page {
    std::vector<Reading> readings;
    std::size_t read = 0;       ///< readings already taken from the front
    double written_at_s = 0.0;  ///< when programming began (-1: restored, durable)
  };
  FlashParams params_;
  std::deque<Page> pages_;
  std::size_t size_ = 0, peak_ = 0;
  std::uint64_t pages_written_ = 0, torn_pages_ = 0;
};

}  // namespace twinbed::devices
