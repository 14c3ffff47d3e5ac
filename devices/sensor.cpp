#include "devices/sensor.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::devices {

double SensorChannel::measure(double t_s, double true_value, double period_s, std::uint32_t& fault_mask) {
  double v = true_value;
  if (params.noise_std > 0) v += params.noise_std * noise.normal();
  for (const auto& d : drifts) {
    if (d.active_at(t_s)) {
      v += d.bias_at(t_s);
      fault_mask |= faults::kFaultDrift;
    }
  }
  for (auto& e : emi) {
    const double spike = e.offset_at(t_s, period_s);
    if (spike != 0.0) {
      v += spike;
      fault_mask |= faults::kFaultEmiSpike;
    }
  }
  if (params.resolution > 0) v = std::round(v / params.resolution) * params.resolution;
  return std::clamp(v, params.range_lo, params.range_hi);
}

}  // namespace twinbed::devices
