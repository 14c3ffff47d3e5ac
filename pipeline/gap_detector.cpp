#include "pipeline/gap_detector.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::pipeline {

GapDetector::GapDetector(const GapOptions& options, std::span<const SensorInfo> sensors)
    : options_(options), period_s_(sensors.size()), state_(sensors.size()) {
  for (std::size_t i = 0; i < sensors.size(); ++i)
    period_s_[i] = sensors[i].rate_hz > 0 ? 1.0 / sensors[i].rate_hz : 1.0;
}

void GapDetector::observe(const Record& r, std::vector<GapMarker>& markers,
                          std::vector<FilledValue>& filled) {
  if (r.sensor >= state_.size()) return;
  State& s = state_[r.sensor];
  const double period = period_s_[r.sensor];
  if (s.any && r.device_time_s - s.next_expected_s > options_.period_factor * period) {
    const double hole_s = r.device_time_s - s.next_expected_s;
    GapMarker m{r.sensor, s.last_s, r.device_time_s,
                static_cast<std::uint64_t>(std::llround(hole_s / period)), hole_s <= options_.fill_max_s};
    if (m.filled) {
      const double span_s = r.device_time_s - s.last_s;
      for (std::uint64_t k = 0; k < m.missing_readings; ++k) {
        const double t = s.next_expected_s + static_cast<double>(k) * period;
        const double w = (t - s.last_s) / span_s;
        filled.push_back({r.sensor, t, s.last_value + w * (r.value - s.last_value)});
      }
    }
    markers.push_back(m);
  }
  s.any = true;
  s.last_s = r.device_time_s;
  s.last_value = r.value;
  s.next_expected_s = r.device_time_s + static_cast<double>(std::max<std::uint32_t>(1, r.count)) * period;
}

}  // namespace twinbed::pipeline
