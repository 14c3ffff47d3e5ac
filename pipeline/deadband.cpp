#include "pipeline/deadband.hpp"

#include <cmath>

namespace twinbed::pipeline {

Deadband::Deadband(std::vector<Rule> rules) {
  for (const Rule& r : rules) states_.push_back({r, false, 0, 0.0, 0.0});
}

void Deadband::transform(EdgePass& pass, const EdgeContext& /*context*/) {
  for (std::size_t i = 0; i < pass.readings.size(); ++i) {
    if (pass.fate[i] != EdgeFate::kSend) continue;
    const Record& r = pass.readings[i];
    for (State& s : states_) {
      if (s.rule.sensor != r.sensor) continue;
      if (r.status != DeviceStatus::kGood || !std::isfinite(r.value)) break;  // news: sent, not a reference
      if (!s.primed || s.boot != r.boot) {
        s = {s.rule, true, r.boot, r.value, r.device_time_s};
        break;
      }
      if (std::abs(r.value - s.last_value) > s.rule.band()) {
        s.last_value = r.value;
        s.last_sent_s = r.device_time_s;
      } else if (r.device_time_s - s.last_sent_s >= s.rule.max_silence_s) {
        ++heartbeats_;
        s.last_value = r.value;
        s.last_sent_s = r.device_time_s;
      } else {
        pass.fate[i] = EdgeFate::kSuppressed;
        ++suppressed_;
      }
      break;
    }
  }
}

}  // namespace twinbed::pipeline
