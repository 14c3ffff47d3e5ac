#include "pipeline/reference_pipeline.hpp"

#include <cmath>

namespace twinbed::pipeline {

void ReferencePipeline::configure(std::span<const SensorInfo> sensors,
                                  std::span<const std::string> /*devices*/) {
  sensors_.assign(sensors.begin(), sensors.end());
  state_.clear();
  state_.resize(sensors_.size());
  for (std::size_t i = 0; i < sensors_.size(); ++i) {
    const SensorInfo& info = sensors_[i];
    if (options_.detector == DetectorKind::kEwmaZScore) {
      state_[i].detector.emplace<EwmaZScore>(options_.ewma, info.range_hi - info.range_lo);
    } else {
      auto it = options_.threshold.by_measurand.find(info.measurand);
      if (it != options_.threshold.by_measurand.end())
        state_[i].detector.emplace<ThresholdDetector>(it->second, options_.threshold.debounce_samples,
                                                      options_.threshold.clear_samples);
    }
  }
}

void ReferencePipeline::ingest(const MessageInfo& /*message*/, std::span<const Record> records,
                               double /*ingest_time_s*/, std::vector<AlertEvent>& alerts) {
  for (const Record& r : records) {
    ++records_in_;
    if (r.sensor >= sensors_.size()) {  // not in the registry: an unknown sender
      ++rejected_[static_cast<int>(Verdict::kDeviceFlagged)];
      continue;
    }
    if (!dedup_.first_time(r.device, r.boot, r.seq)) continue;
    const Verdict verdict = validator_.check(r, sensors_[r.sensor]);
    if (verdict != Verdict::kOk) {
      ++rejected_[static_cast<int>(verdict)];
      continue;
    }
    SensorState& st = state_[r.sensor];
    if (!std::isfinite(r.device_time_s)) {
      ++null_timestamp_;
      continue;
    }
    if (r.device_time_s < st.last_device_time_s) {
      ++late_;
      continue;
    }
    st.last_device_time_s = r.device_time_s;
    ++accepted_;
    std::optional<Transition> t;
    if (auto* ewma = std::get_if<EwmaZScore>(&st.detector))
      t = ewma->update(r.value);
    else if (auto* thr = std::get_if<ThresholdDetector>(&st.detector))
      t = thr->update(r.value);
    if (!t) continue;
    (t->transition == AlertTransition::kRaise ? raised_ : cleared_)++;
    alerts.push_back(
        AlertEvent{r.sensor, t->transition, t->severity, r.device, r.boot, r.seq, r.device_time_s, t->score});
  }
}

void ReferencePipeline::finish(double /*end_time_s*/, std::vector<AlertEvent>& /*alerts*/) {}

PipelineCounters ReferencePipeline::counters() const {
  PipelineCounters c;
  c["records_in"] = records_in_;
  c["duplicates_dropped"] = dedup_.duplicates();
  c["accepted"] = accepted_;
  c["late_out_of_order"] = late_;
  c["rejected.null_timestamp"] = null_timestamp_;
  c["alerts_raised"] = raised_;
  c["alerts_cleared"] = cleared_;
  for (int v = 1; v < 5; ++v)
    c[std::string("rejected.") + verdict_name(static_cast<Verdict>(v))] = rejected_[v];
  return c;
}

}  // namespace twinbed::pipeline
