#include "pipeline/rate_of_change.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::pipeline {

RateOfChange::RateOfChange(const RateOfChangeOptions& options, std::span<const SensorInfo> sensors)
    : reanchor_after_(options.reanchor_after) {
  if (options.limit_per_s.empty()) return;
  state_.resize(sensors.size());
  for (std::size_t i = 0; i < sensors.size(); ++i) {
    const auto it = options.limit_per_s.find(sensors[i].measurand);
    if (it != options.limit_per_s.end()) state_[i].limit_per_s = it->second;
    // One part in a thousand of the range: quantisation steps never count as a jump.
    state_[i].slack = 1e-3 * (sensors[i].range_hi - sensors[i].range_lo);
  }
}

bool RateOfChange::accept(std::uint32_t sensor, double t, double x) {
  if (sensor >= state_.size()) return true;
  State& s = state_[sensor];
  if (!std::isfinite(s.limit_per_s)) return true;
  const bool ok = !s.anchored || s.rejected_in_row >= reanchor_after_ ||
                  std::fabs(x - s.x0) <= s.limit_per_s * std::max(0.0, t - s.t0) + s.slack;
  if (!ok) {
    ++s.rejected_in_row;
    return false;
  }
  s.anchored = true;
  s.t0 = t;
  s.x0 = x;
  s.rejected_in_row = 0;
  return true;
}

}  // namespace twinbed::pipeline
