#include "pipeline/timestamp_check.hpp"

#include <cmath>

namespace twinbed::pipeline {

const char* timestamp_verdict_name(TimestampVerdict v) {
  switch (v) {
    case TimestampVerdict::kOk:
      return "ok";
    case TimestampVerdict::kNull:
      return "null";
    case TimestampVerdict::kEpoch:
      return "epoch";
    case TimestampVerdict::kFuture:
      return "future";
    case TimestampVerdict::kBackwards:
      return "backwards";
  }
  return "unknown";
}

TimestampVerdict TimestampCheck::check(const Record& r, double ingest_time_s) {
  const double t = r.device_time_s;
  if (!std::isfinite(t)) return TimestampVerdict::kNull;
  if (t < options_.epoch_floor_s) return TimestampVerdict::kEpoch;
  if (t > ingest_time_s + options_.future_tolerance_s) return TimestampVerdict::kFuture;
  auto [it, fresh] = newest_.try_emplace({r.device, r.boot}, Newest{r.seq, t});
  if (fresh || r.seq <= it->second.seq) return TimestampVerdict::kOk;
  if (t < it->second.device_time_s - options_.backwards_tolerance_s) return TimestampVerdict::kBackwards;
  it->second = Newest{r.seq, t};
  return TimestampVerdict::kOk;
}

}  // namespace twinbed::pipeline
