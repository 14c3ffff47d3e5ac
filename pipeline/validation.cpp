#include "pipeline/validation.hpp"

#include <cmath>

namespace twinbed::pipeline {

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kOk: return "ok";
    case Verdict::kSentinel: return "sentinel";
    case Verdict::kNotFinite: return "not_finite";
    case Verdict::kOutOfRange: return "out_of_range";
    case Verdict::kDeviceFlagged: return "device_flagged";
  }
  return "unknown";
}

Verdict Validator::check(const Record& record, const SensorInfo& sensor) const {
  if (record.status != DeviceStatus::kGood) return Verdict::kDeviceFlagged;
  const double v = record.value;
  if (!std::isfinite(v)) return Verdict::kNotFinite;
  for (double s : options_.sentinels)
    if (v == s) return Verdict::kSentinel;
  const double slack = options_.range_tolerance * (sensor.range_hi - sensor.range_lo);
  if (v < sensor.range_lo - slack || v > sensor.range_hi + slack) return Verdict::kOutOfRange;
  return Verdict::kOk;
}

}  // namespace twinbed::pipeline
