// LinearDrift: a sensor bias that grows linearly from a start time,
// b(t) = rate_per_s * (t - start_s) for start_s <= t < end_s, 0 before.
// After end_s the bias stays at its final value if `hold_after_end`, otherwise
// it vanishes (a recalibration). Pure function of time: no state, no draws.
#pragma once

#include <limits>

namespace twinbed::faults {

struct LinearDrift {
  double start_s = 0.0;
  double end_s = std::numeric_limits<double>::infinity();
  double rate_per_s = 0.0;  ///< engineering units per second
  bool hold_after_end = false;

  double bias_at(double t_s) const {
    if (t_s < start_s) return 0.0;
    if (t_s >= end_s) return hold_after_end ? rate_per_s * (end_s - start_s) : 0.0;
    return rate_per_s * (t_s - start_s);
  }
  bool active_at(double t_s) const { return t_s >= start_s && (t_s < end_s || hold_after_end); }
};

}  // namespace twinbed::faults
