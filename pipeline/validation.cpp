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
  }
  return "unknown";
}

Validator::Validator(ValidationOptions options) : options_(std::move(options)) {
  for (double s : options_.sentinels)
    if (std::isfinite(s)) sorted_sentinels_.push_back(s);
  std::sort(sorted_sentinels_.begin(), sorted_sentinels_.end());
}

Verdict Validator::check(const Record& record, const SensorInfo& sensor) const {
  if (record.status != DeviceStatus::kGood) return Verdict::kDeviceFlagged;
  const double v = record.value;
  if (!std::isfinite(v)) return Verdict::kNotFinite;
  if (std::binary_search(sorted_sentinels_.begin(), sorted_sentinels_.end(), v)) return Verdict::kSentinel;
  const double slack = options_.range_tolerance * (sensor.range_hi - sensor.range_lo);
  if (v < sensor.range_lo - slack || v > sensor.range_hi + slack) return Verdict::kOutOfRange;
  return Verdict::kOk;
}

}  // namespace twinbed::pipeline
