#include "pipeline/reference_pipeline.hpp"

#include <cmath>
#include <map>
#include <stdexcept>

namespace twinbed::pipeline {

void ReferencePipeline::configure(std::span<const SensorInfo> sensors,
                                  std::span<const std::string> /*devices*/) {
  sensors_.assign(sensors.begin(), sensors.end());
  std::map<std::string, std::uint32_t> index_of;
  for (std::size_t i = 0; i < sensors_.size(); ++i)
    index_of[sensors_[i].device_id + "/" + sensors_[i].sensor_id] = static_cast<std::uint32_t>(i);
  groups_.clear();
  for (const MultivariateGroupOptions& g : options_.multivariate) {
    MultivariateStageOptions stage = g.stage;
    stage.sensors.clear();
    for (const std::string& key : g.sensor_keys) {
      const auto it = index_of.find(key);
      if (it == index_of.end())
        throw std::invalid_argument("multivariate group " + g.name + ": no sensor " + key +
                                    " in the registry");
      stage.sensors.push_back(it->second);
    }
    groups_.push_back(
        {MultivariateStage(std::move(stage)), AlarmLatch(g.debounce_rows, g.clear_rows), {}, {}});
  }
  state_.clear();
  state_.resize(sensors_.size());
  for (std::size_t i = 0; i < sensors_.size(); ++i) {
    const SensorInfo& info = sensors_[i];
    if (options_.detector == DetectorKind::kEwmaZScore) {
      state_[i].detector.emplace<EwmaZScore>(options_.ewma, info.range_hi - info.range_lo);
    } else if (options_.detector == DetectorKind::kThreshold) {
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
    if (!groups_.empty()) run_groups(r, alerts);
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

/// Each group takes the accepted record; the rows it makes final are decisions.
/// An alert names the row's largest contributor as its sensor and the record
/// whose arrival made the row final (so it is always in this message) as its
/// identity; its time is the row's.
void ReferencePipeline::run_groups(const Record& r, std::vector<AlertEvent>& alerts) {
  for (Group& g : groups_) {
    for (const MultivariateRow& row : g.stage.add(r)) {
      g.decision_times_s.push_back(row.time_s);
      g.alarms.push_back(row.score.alarm ? 1 : 0);
      const std::optional<AlertTransition> t = g.latch.step(row.score.alarm, !row.score.alarm);
      if (!t) continue;
      (*t == AlertTransition::kRaise ? raised_ : cleared_)++;
      const Severity severity = row.score.combined >= 2.0 ? Severity::kCritical : Severity::kWarning;
      alerts.push_back(AlertEvent{row.top_sensor, *t, severity, r.device, r.boot, r.seq, row.time_s,
                                  row.score.combined, AlertKind::kProcess});
    }
  }
}

void ReferencePipeline::finish(double /*end_time_s*/, std::vector<AlertEvent>& /*alerts*/) {
  // Rows still open at the end are not scored: no record can carry an alert on them.
}

std::vector<CalibratedDetector> ReferencePipeline::calibrated_detectors() const {
  std::vector<CalibratedDetector> out;
  for (std::size_t k = 0; k < groups_.size(); ++k) {
    const Group& g = groups_[k];
    const MultivariateMonitor* m = g.stage.monitor();
    if (!m || !m->calibrated()) continue;  // parametric limits claim no conformal rate
    out.push_back({options_.multivariate[k].name, m->epsilon(), g.stage.options().sensors, g.decision_times_s,
                   g.alarms});
  }
  return out;
}

PipelineCounters ReferencePipeline::counters() const {
  PipelineCounters c;
  c["records_in"] = records_in_;
  c["duplicates_dropped"] = dedup_.duplicates();
  c["accepted"] = accepted_;
  c["late_out_of_order"] = late_;
  c["rejected.null_timestamp"] = null_timestamp_;
  c["alerts_raised"] = raised_;
  c["alerts_cleared"] = cleared_;
  for (std::size_t k = 0; k < groups_.size(); ++k) {
    const MultivariateCounters& m = groups_[k].stage.counters();
    const std::string p = "multivariate." + options_.multivariate[k].name + ".";
    c[p + "records_used"] = m.records_used;
    c[p + "records_late"] = m.records_late;
    c[p + "rows_training"] = m.rows_training;
    c[p + "rows_scored"] = m.rows_scored;
    c[p + "rows_incomplete"] = m.rows_incomplete;
    c[p + "rows_skipped"] = m.rows_skipped;
    c[p + "rows_untrained"] = m.rows_untrained;
    c[p + "rows_alarm"] = m.rows_alarm;
    c[p + "components"] = groups_[k].stage.monitor()
                              ? static_cast<std::uint64_t>(groups_[k].stage.monitor()->pca().components())
                              : 0;
  }
  for (int v = 1; v < 5; ++v)
    c[std::string("rejected.") + verdict_name(static_cast<Verdict>(v))] = rejected_[v];
  return c;
}

}  // namespace twinbed::pipeline
