// Validation: the first stage of ingestion. Rejects values that cannot be
// measurements: firmware sentinels disguised as floats (-9999.0, 9999, 1e30,
// int16/uint16 limits...), NaN and infinities, values outside the
// instrument's calibrated range (with a tolerance), and — with `ne43` on —
// a 4–20 mA loop sensor's value whose loop current lies outside NAMUR NE 43's
// measuring band 3.8–20.5 mA (a transmitter signalling failure: ≤ 3.6 mA or
// ≥ 21 mA, which a naive conversion turns into a plausible value just
// outside the range, inside the range tolerance).
//
// Guarantee: a pure function of the record and the sensor's registry entry.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "pipeline/record.hpp"

namespace twinbed::pipeline {

enum class Verdict : std::uint8_t { kOk = 0, kSentinel, kNotFinite, kOutOfRange, kDeviceFlagged, kNe43 };

const char* verdict_name(Verdict v);

struct ValidationOptions {
  /// Values that firmware commonly uses as fault codes; matched exactly.
  std::vector<double> sentinels{-9999.0, -999.0, 9999.0, 99999.0, 32767.0, -32768.0, 65535.0, 1e30, -1e30};
  /// Fraction of the span that a value may exceed the range by before rejection.
  double range_tolerance = 0.05;
  /// NAMUR NE 43 on current-loop sensors (SensorInfo::current_loop).
  bool ne43 = false;
};

/// The loop current (mA) a 4–20 mA transmitter drives for `value`.
double loop_current_ma(double value, const SensorInfo& sensor);

class Validator {
 public:
  explicit Validator(ValidationOptions options = {});
  /// Defined here: it runs once per record (twice with reconciliation on),
  /// and inlined into ingestion it costs a few comparisons.
  Verdict check(const Record& record, const SensorInfo& sensor) const {
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

 private:
  ValidationOptions options_;
  std::vector<double> sorted_sentinels_;  ///< finite sentinels, sorted: a binary search per record
};

}  // namespace twinbed::pipeline
