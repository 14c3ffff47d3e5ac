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

Verdict Validator::check(const Record& record, const SensorInfo& sensor) const {
  if (record.status != DeviceStatus::kGood) return Verdict::kDeviceFlagged;
  const double v = record.value;
  if (!std::isfinite(v)) return Verdict::kNotFinite;
  if (std::binary_search(sorted_sentinels_.begin(), sorted_sentinels_.end(), v)) return Verdict::kSentinel;
  if (options_.ne43 && sensor.current_loop) {
    const double ma = loop_current_ma(v, sensor);
    if (ma < 3.8 || ma > 20.5) return Verdict::kNe43;
  }
  const double slack = options_.range_tolerance * (sensor.range_hi - sensor.range_lo);
  if (v < sensor.range_lo - slack || v > sensor.range_hi + slack) return Verdict::kOutOfRange;
  return Verdict::kOk;
}

}  // namespace twinbed::pipeline
