#include "pipeline/validation.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::pipeline {

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kOk:
      return "ok";
    case Verdict::kSentinel:
      return "sentinel";
    case Verdict::kNotFinite:
      return "not_finite";
    case Verdict::kOutOfRange:
      return "out_of_range";
    case Verdict::kDeviceFlagged:
      return "device_flagged";
    case Verdict::kNe43:
      return "ne43";
  }
  return "unknown";
}

double loop_current_ma(double value, const SensorInfo& sensor) {
  return 4.0 + 16.0 * (value - sensor.range_lo) / (sensor.range_hi - sensor.range_lo);
}

Validator::Validator(ValidationOptions options) : options_(std::move(options)) {
  for (double s : options_.sentinels)
    if (std::isfinite(s)) sorted_sentinels_.push_back(s);
  std::sort(sorted_sentinels_.begin(), sorted_sentinels_.end());
}

}  // namespace twinbed::pipeline
