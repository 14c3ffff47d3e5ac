// RateOfChange: rejects a reading that moved faster than its measurand can.
//
// Guarantee: with a limit L (units per second) for the sensor's measurand, a
// reading (t, x) is rejected when |x − x0| > L·(t − t0) + `slack` for the
// sensor's last accepted reading (t0, x0); readings of a measurand without
// a limit always pass. After `reanchor_after` consecutive rejections the
// next reading is accepted as the new anchor (the process stepped to a new
// level: a stopped pump, not a spike), so a real step costs at most that
// many readings. A reading whose stamp is not after t0 is judged against
// the elapsed time 0 (only the slack).
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "pipeline/record.hpp"

namespace twinbed::pipeline {

struct RateOfChangeOptions {
  std::map<std::string, double> limit_per_s;  ///< by measurand; empty: the stage is off
  int reanchor_after = 5;
};

class RateOfChange {
 public:
  RateOfChange() = default;
  RateOfChange(const RateOfChangeOptions& options, std::span<const SensorInfo> sensors);
  bool enabled() const { return !state_.empty(); }
  /// True when the reading passes (and becomes the anchor).
  bool accept(std::uint32_t sensor, double device_time_s, double value);

 private:
  struct State {
    double limit_per_s = std::numeric_limits<double>::infinity();
    double slack = 0;
    bool anchored = false;
    double t0 = 0, x0 = 0;
    int rejected_in_row = 0;
  };
  int reanchor_after_ = 5;
  std::vector<State> state_;
};

}  // namespace twinbed::pipeline
