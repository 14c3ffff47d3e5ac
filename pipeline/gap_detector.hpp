// GapDetector: explicit gap markers and bounded linear gap filling.
//
// Works on one sensor's records in event-time order (after the reorder
// buffer). A record covers `count` readings from its stamp at the nominal
// period 1/rate_hz, so the next is expected at t + count/rate_hz.
// Guarantee: whenever the next record's stamp is more than
// `period_factor` nominal periods after the expected time, exactly one
// GapMarker is emitted for the hole, with the readings it is missing
// (round(hole / period)). When the hole is at most `fill_max_s`, the missing
// readings are filled by linear interpolation between the values on either
// side, at the nominal period, and returned flagged as filled: they are
// never fed to the detector as readings (the pipeline only counts and
// exposes them), so a filled value can neither raise nor clear an alert.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "pipeline/record.hpp"

namespace twinbed::pipeline {

struct GapOptions {
  bool enabled = false;
  double period_factor = 3.0;  ///< a hole longer than this many nominal periods is a gap
  double fill_max_s = 0.0;     ///< fill holes up to this long (0: mark only)
};

struct GapMarker {
  std::uint32_t sensor = 0;
  double from_s = 0;  ///< device time of the last reading before the hole
  double to_s = 0;    ///< device time of the first after it
  std::uint64_t missing_readings = 0;
  bool filled = false;
};

struct FilledValue {
  std::uint32_t sensor = 0;
  double device_time_s = 0;
  double value = 0;  ///< linear interpolation; flagged by being here, never a Record
};

class GapDetector {
 public:
  GapDetector() = default;
  GapDetector(const GapOptions& options, std::span<const SensorInfo> sensors);
  /// The next record of its sensor in event-time order; appends a marker
  /// (and the filled values) when it closes a gap.
  void observe(const Record& r, std::vector<GapMarker>& markers, std::vector<FilledValue>& filled);

 private:
  struct State {
    bool any = false;
    double next_expected_s = 0, last_s = 0, last_value = 0;
  };
  GapOptions options_;
  std::vector<double> period_s_;
  std::vector<State> state_;
};

}  // namespace twinbed::pipeline
