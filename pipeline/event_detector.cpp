#include "pipeline/event_detector.hpp"

#include <cmath>

namespace twinbed::pipeline {

EventDetector::EventDetector(std::vector<Rule> rules) {
  for (const Rule& r : rules) states_.push_back({r, 0, false});
}

void EventDetector::see(State& s, const Record& r, std::uint32_t source, std::uint64_t first_seq,
                        std::uint64_t last_seq, std::vector<DerivedRecord>& out) {
  if (r.status != DeviceStatus::kGood || !std::isfinite(r.value)) {
    s.run = 0;
    return;
  }
  if (s.raised) {
    if (r.value <= s.rule.clear_below) s.raised = false;
    if (s.raised || r.value <= s.rule.trip_above) return;
  }
  s.run = r.value > s.rule.trip_above ? s.run + 1 : 0;
  if (s.run < s.rule.debounce) return;
  s.run = 0;
  s.raised = true;
  ++events_;
  DerivedRecord e;
  e.record.sensor = s.rule.channel;
  e.record.device_time_s = r.device_time_s;
  e.record.value = r.value;
  e.alarm = true;
  e.source = source;
  e.first_seq = first_seq;
  e.last_seq = last_seq;
  out.push_back(e);
}

void EventDetector::transform(EdgePass& pass, const EdgeContext& /*context*/) {
  made_.clear();
  for (std::size_t i = 0; i < pass.readings.size(); ++i) {
    if (pass.fate[i] != EdgeFate::kSend) continue;
    const Record& r = pass.readings[i];
    for (State& s : states_)
      if (s.rule.watch == r.sensor) see(s, r, r.sensor, r.seq, r.seq, made_);
  }
  for (const DerivedRecord& d : pass.derived)
    for (State& s : states_)
      if (s.rule.watch == d.record.sensor) see(s, d.record, d.record.sensor, d.first_seq, d.last_seq, made_);
  pass.derived.insert(pass.derived.end(), made_.begin(), made_.end());
}

}  // namespace twinbed::pipeline
