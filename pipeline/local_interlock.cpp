#include "pipeline/local_interlock.hpp"

#include <cmath>

namespace twinbed::pipeline {

LocalInterlock::LocalInterlock(std::vector<Rule> rules) {
  for (const Rule& r : rules) states_.push_back({r, 0, false});
}

void LocalInterlock::process(std::span<const Record> readings, const EdgeContext& context,
                             std::vector<EdgeDecision>& decisions) {
  for (const Record& r : readings) {
    for (State& s : states_) {
      if (s.rule.sensor != r.sensor) continue;
      const bool high =
          r.status == DeviceStatus::kGood && std::isfinite(r.value) && r.value > s.rule.trip_above;
      s.run = high ? s.run + 1 : 0;
      if (s.tripped || s.run < s.rule.debounce_readings) continue;
      if (s.rule.offline_only && context.cloud_reachable) continue;
      s.tripped = true;
      decisions.push_back({r.sensor, r.boot, r.seq, r.device_time_s, r.value});
    }
  }
}

void LocalInterlock::reset(std::uint32_t sensor) {
  for (State& s : states_)
    if (s.rule.sensor == sensor) {
      s.tripped = false;
      s.run = 0;
    }
}

}  // namespace twinbed::pipeline
