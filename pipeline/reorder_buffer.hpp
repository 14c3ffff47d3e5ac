// ReorderBuffer: event-time ordering per sensor with a watermark.
//
// Guarantee: per sensor, records leave `push` in non-decreasing device time.
// The watermark is (the latest device time seen on the sensor) −
// `allowed_lateness_s`; a record is held until the watermark reaches its
// stamp, then released with every other held record it passed, oldest
// first. A record whose stamp is already behind the watermark when it
// arrives cannot be placed in order any more: it goes to the side output
// (returned as late, counted by the caller) — never silently dropped.
// The price is latency: a record is released only once a record
// `allowed_lateness_s` newer (in device time) of the same sensor has arrived,
// so the detector sees each reading at least that much later. Records still
// held at the end of the stream are reported by `held()`.
#pragma once

#include <cstdint>
#include <limits>
#include <queue>
#include <vector>

#include "pipeline/record.hpp"

namespace twinbed::pipeline {

class ReorderBuffer {
 public:
  ReorderBuffer() = default;
  ReorderBuffer(double allowed_lateness_s, std::size_t sensors)
      : lateness_s_(allowed_lateness_s), state_(sensors) {}
  /// Places `r` (a record with a finite stamp); appends to `released` the
  /// records the advancing watermark lets go, in event-time order. False:
  /// `r` was late (behind the watermark) and went to the side output.
  bool push(const Record& r, std::vector<Record>& released);
  /// Records still held, all sensors.
  std::uint64_t held() const;
  double watermark_s(std::uint32_t sensor) const { return state_[sensor].max_seen_s - lateness_s_; }

 private:
  struct Later {
    bool operator()(const Record& a, const Record& b) const {
      return a.device_time_s > b.device_time_s || (a.device_time_s == b.device_time_s && a.seq > b.seq);
    }
  };
  struct State {
    double max_seen_s = -std::numeric_limits<double>::infinity();
    std::priority_queue<Record, std::vector<Record>, Later> held;
  };
  double lateness_s_ = 0;
  std::vector<State> state_;
};

}  // namespace twinbed::pipeline
