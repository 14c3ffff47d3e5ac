// Validation: the first stage of ingestion. Rejects values that cannot be
// measurements: firmware sentinels disguised as floats (-9999.0, 9999, 1e30,
// int16/uint16 limits...), NaN and infinities, values outside the
// instrument's calibrated range (with a tolerance).
//
// Guarantee: a pure function of the record and the sensor's registry entry.
#pragma once

#include <cstdint>
#include <vector>

#include "pipeline/record.hpp"

namespace twinbed::pipeline {

enum class Verdict : std::uint8_t { kOk = 0, kSentinel, kNotFinite, kOutOfRange, kDeviceFlagged };

const char* verdict_name(Verdict v);

struct ValidationOptions {
  /// Values that firmware commonly uses as fault codes; matched exactly.
  std::vector<double> sentinels{-9999.0, -999.0, 9999.0, 99999.0, 32767.0, -32768.0, 65535.0, 1e30, -1e30};
  /// Fraction of the span that a value may exceed the range by before rejection.
  double range_tolerance = 0.05;
};

class Validator {
 public:
  explicit Validator(ValidationOptions options = {});
  Verdict check(const Record& record, const SensorInfo& sensor) const;

 private:
  ValidationOptions options_;
  std::vector<double> sorted_sentinels_;  ///< finite sentinels, sorted: a binary search per record
};

}  // namespace twinbed::pipeline
