#include "devices/sensor.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::devices {

void SensorChannel::add_fault(std::unique_ptr<faults::ValueFault> fault) {
  const auto stage = fault->stage();
  const auto at = std::upper_bound(faults.begin(), faults.end(), stage,
                                   [](faults::Stage s, const auto& f) { return s < f->stage(); });
  faults.insert(at, std::move(fault));
}

Measurement SensorChannel::measure(double t_s, double true_value, double period_s) {
  faults::SampleContext s;
  s.t_s = t_s;
  s.period_s = period_s;
  s.value = true_value;
  s.range_lo = params.range_lo;
  s.range_hi = params.range_hi;
  auto f = faults.begin();
  auto run_until = [&](faults::Stage last) {
    for (; f != faults.end() && (*f)->stage() <= last; ++f) (*f)->apply(s);
  };
  run_until(faults::Stage::kCalibration);
  if (params.noise_std > 0) s.value += params.noise_std * noise.normal();
  run_until(faults::Stage::kConverter);
  if (std::isfinite(s.value)) {  // NaN and infinities pass the converter unchanged
    if (params.resolution > 0) s.value = std::round(s.value / params.resolution) * params.resolution;
    const double margin = params.current_loop ? 0.25 * (params.range_hi - params.range_lo) : 0.0;
    s.value = std::clamp(s.value, params.range_lo - margin, params.range_hi + margin);
  }
  run_until(faults::Stage::kOutput);
  return {s.value, s.mask, s.missing};
}

}  // namespace twinbed::devices
