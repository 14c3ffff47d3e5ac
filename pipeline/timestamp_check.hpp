// TimestampCheck: timestamp sanity of each record's device time.
//
// Guarantee: a record is judged by its own stamp and by the last stamp seen
// on the same (device, boot) stream, never by ground truth:
//   - null: the stamp is NaN or infinite (no device time at all);
//   - epoch: the stamp lies before `epoch_floor_s` (device time is seconds
//     from the scenario's start: an RTC back at 1970 or at its build date
//     reads far below it);
//   - future: the stamp is ahead of the cloud's ingest time by more than
//     `future_tolerance_s`;
//   - backwards: the record follows, in sequence order, the newest record
//     seen on its (device, boot) stream, yet its stamp is earlier than that
//     record's by more than `backwards_tolerance_s` (within a boot a
//     device's clock only steps back when it is wrong; across boots it may,
//     so each boot starts afresh). Late arrivals — a backlog flushed after
//     an outage, lower sequence numbers — are not backwards: ordering is the
//     reorder buffer's job.
// A rejected record does not move the stream's newest record.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <utility>

#include "pipeline/record.hpp"

namespace twinbed::pipeline {

enum class TimestampVerdict : std::uint8_t { kOk = 0, kNull, kEpoch, kFuture, kBackwards };
const char* timestamp_verdict_name(TimestampVerdict v);

struct TimestampOptions {
  bool enabled = false;
  double epoch_floor_s = -365.0 * 86400.0;  ///< a year before the run's start
  double future_tolerance_s = 300.0;
  double backwards_tolerance_s = 1.0;
};

class TimestampCheck {
 public:
  explicit TimestampCheck(TimestampOptions options = {}) : options_(options) {}
  TimestampVerdict check(const Record& record, double ingest_time_s);

 private:
  TimestampOptions options_;
  struct Newest {
    std::uint64_t seq;
    double device_time_s;
  };
  std::map<std::pair<std::uint32_t, std::uint32_t>, Newest> newest_;  ///< per (device, boot)
};

}  // namespace twinbed::pipeline
