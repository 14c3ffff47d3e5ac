#include "devices/edge_chain.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::devices {

EdgeChain::Source* EdgeChain::source(std::uint32_t sensor) {
  for (Source& s : sources_)
    if (s.sensor == sensor) return &s;
  return nullptr;
}

void EdgeChain::watch(std::uint32_t sensor, std::size_t capacity) {
  if (Source* s = source(sensor)) {
    s->capacity = std::max(s->capacity, capacity);
    return;
  }
  sources_.push_back({sensor, capacity, {}});
}

void EdgeChain::feature_channel(std::uint32_t channel, std::uint32_t source, pipeline::VibrationFeature which,
                                std::size_t window) {
  channels_.push_back({channel, Kind::kFeature, source, which});
  watch(source, window);
}

void EdgeChain::event_channel(std::uint32_t channel, std::uint32_t watched) {
  channels_.push_back({channel, Kind::kEvent, watched, pipeline::VibrationFeature::kRms});
  // A derived channel's truth comes from the derived readings of the pass; a sensor's from history.
  const bool derived = std::any_of(channels_.begin(), channels_.end(),
                                   [watched](const Channel& c) { return c.channel == watched; });
  if (!derived) watch(watched, 1);
}

bool EdgeChain::truth_of(const pipeline::DerivedRecord& d, const std::vector<Reading>& made,
                         ReadingTruth& out) {
  const auto c = std::find_if(channels_.begin(), channels_.end(),
                              [&](const Channel& ch) { return ch.channel == d.record.sensor; });
  if (c == channels_.end()) return false;
  if (c->kind == Kind::kEvent) {
    for (auto m = made.rbegin(); m != made.rend(); ++m)  // an event on a derived record of this pass
      if (m->record.sensor == d.source && m->record.seq == d.last_seq) {
        out.true_time_s = m->truth.true_time_s;
        out.true_value = m->truth.true_value;
        out.fault_mask = m->truth.fault_mask;
        return true;
      }
  }
  Source* s = source(d.source);
  if (s == nullptr) return false;
  window_.clear();
  out.fault_mask = 0;
  bool found = false;
  for (const Past& p : s->past) {
    if (p.seq < d.first_seq || p.seq > d.last_seq) continue;
    window_.push_back(p.true_value);
    out.fault_mask |= p.fault_mask;
    out.true_time_s = p.true_time_s;
    out.true_value = p.true_value;
    found = true;
  }
  if (found && c->kind == Kind::kFeature)
    out.true_value = pipeline::feature_value(pipeline::waveform_features(window_), c->feature);
  return found;
}

void EdgeChain::transform(std::vector<Reading>& readings, std::vector<pipeline::EdgeFate>& fate,
                          std::vector<Reading>& derived, const pipeline::EdgeContext& context) {
  records_.clear();
  for (Reading& r : readings) {
    for (const Raw& raw : raw_)
      if (raw.sensor == r.record.sensor && r.record.status == pipeline::DeviceStatus::kGood &&
          std::isfinite(r.record.value))
        r.record.value = (r.record.value - raw.offset) / raw.scale;
    for (Source& s : sources_) {
      if (s.sensor != r.record.sensor) continue;
      if (!s.past.empty() && s.past.back().boot != r.record.boot) s.past.clear();
      s.past.push_back(
          {r.record.seq, r.record.boot, r.truth.true_time_s, r.truth.true_value, r.truth.fault_mask});
    }
    records_.push_back(r.record);
  }
  made_.clear();
  pipeline::EdgePass pass{records_, fate, made_};
  for (const auto& stage : stages_) stage->transform(pass, context);
  for (std::size_t i = 0; i < readings.size(); ++i) readings[i].record.value = records_[i].value;
  for (const pipeline::DerivedRecord& d : made_) {
    Reading r;
    r.record = d.record;
    r.record.seq = d.last_seq;             // provisional (an event on it finds it); the firmware numbers it
    if (!truth_of(d, derived, r.truth)) {  // no truth to be had (should not happen): NaN, unscored
      r.truth.true_value = std::nan("");
      r.truth.true_time_s = readings.empty() ? 0.0 : readings.back().truth.true_time_s;
    }
    r.truth.alarm = d.alarm;
    derived.push_back(r);
  }
  // Between passes a source keeps its last window: a window completed in the next pass began in this one.
  for (Source& s : sources_)
    while (s.past.size() > s.capacity) s.past.pop_front();
}

void EdgeChain::decide(const std::vector<Reading>& sent, const pipeline::EdgeContext& context,
                       std::vector<pipeline::EdgeDecision>& decisions) {
  records_.clear();
  for (const Reading& r : sent) records_.push_back(r.record);
  for (const auto& stage : stages_) stage->process(records_, context, decisions);
}

void EdgeChain::reset(std::uint32_t sensor) {
  for (const auto& stage : stages_) stage->reset(sensor);
}

}  // namespace twinbed::devices
