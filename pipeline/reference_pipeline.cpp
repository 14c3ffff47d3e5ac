#include "pipeline/reference_pipeline.hpp"

#include <cmath>
#include <map>
#include <stdexcept>

namespace twinbed::pipeline {

void ReferencePipeline::configure(std::span<const SensorInfo> sensors, std::span<const std::string> devices) {
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
  for (std::size_t i = 0; i < sensors_.size(); ++i) reset_detector(static_cast<std::uint32_t>(i));
  std::map<std::string, std::vector<std::uint32_t>> by_device;
  for (std::size_t i = 0; i < sensors_.size(); ++i)
    by_device[sensors_[i].device_id].push_back(static_cast<std::uint32_t>(i));
  siblings_.assign(sensors_.size(), {});
  for (const auto& [device, members] : by_device)
    for (std::uint32_t i : members)
      for (std::uint32_t j : members)
        if (i != j) siblings_[i].push_back(j);
  rate_ = RateOfChange(options_.rate_of_change, sensors_);
  stuck_ = StuckDetector(options_.stuck, sensors_);
  reorder_ = ReorderBuffer(options_.ordering.allowed_lateness_s, sensors_.size());
  gaps_ = GapDetector(options_.gaps, sensors_);
  drift_ = PeerDrift(options_.drift, sensors_);
  schema_ = SchemaMonitor(options_.schema, sensors_, devices);
  alert_manager_ = AlertManager(options_.alerts, sensors_.size());
  if (options_.reconciliation.enabled) reconciler_ = Reconciler(options_.reconciliation, sensors_.size());
  sensor_checks_ = stuck_.enabled() || drift_.enabled() || schema_.enabled() || options_.validation.ne43;
}

void ReferencePipeline::reset_detector(std::uint32_t sensor) {
  const SensorInfo& info = sensors_[sensor];
  SensorState& st = state_[sensor];
  if (options_.detector == DetectorKind::kEwmaZScore) {
    st.detector.emplace<EwmaZScore>(options_.ewma, info.range_hi - info.range_lo);
  } else if (options_.detector == DetectorKind::kThreshold) {
    auto it = options_.threshold.by_measurand.find(info.measurand);
    if (it != options_.threshold.by_measurand.end())
      st.detector.emplace<ThresholdDetector>(it->second, options_.threshold.debounce_samples,
                                             options_.threshold.clear_samples);
  }
}

void ReferencePipeline::sync_sensor(std::uint32_t sensor, const Record& trigger, double score,
                                    std::vector<AlertEvent>& alerts) {
  if (alert_manager_.sync(sensor, trigger, score, alerts) == AlertTransition::kClear) {
    reset_detector(sensor);
    ++detector_resets_;
  }
}

// The message-level stages below are kept out of ingest(): ingest() runs
// once per message of a 10,000-device plant, and a lean body lets the
// compiler inline the per-record stages (validation, the detectors) into
// its loop.
[[gnu::noinline]] bool ReferencePipeline::authenticate(const MessageInfo& message, std::size_t records) {
  const AuthVerdict v = auth_.check(message);
  if (v == AuthVerdict::kOk) return true;
  records_in_ += records;
  rejected_auth_[static_cast<int>(v)] += records;
  ++auth_messages_rejected_;
  return false;
}

[[gnu::noinline]] void ReferencePipeline::on_schema_message(const MessageInfo& message,
                                                            std::span<const Record> records,
                                                            std::vector<AlertEvent>& alerts) {
  schema_.on_message(message);
  // A message-level finding is tied to the message's newest record (the device formed it then).
  const Record* newest = nullptr;
  for (const Record& r : records)
    if (r.sensor < sensors_.size() && (newest == nullptr || r.device_time_s > newest->device_time_s))
      newest = &r;
  if (newest != nullptr)
    for (const std::uint32_t s : schema_.sensors_of(message.device)) {
      const std::uint8_t f = schema_.flags(s);
      alert_manager_.set_reason(s, kReasonSchemaMissing, f & kSchemaMissing);
      alert_manager_.set_reason(s, kReasonSchemaUnitDeclared, f & kSchemaUnitDeclared);
      sync_sensor(s, *newest, 0.0, alerts);
    }
}

[[gnu::noinline]] void ReferencePipeline::reconcile(const MessageInfo& message,
                                                    std::span<const Record> records, double ingest_time_s) {
  // The reconciler sees every message whole, duplicates and all; it keeps its own identity.
  // With authentication on, what a message says in another device's name is refused here too.
  const auto in_own_name = [&](std::uint32_t device) {
    return !auth_.enabled() || device == message.authenticated_device;
  };
  // The header first (as a device writes it): its gap notices, for the sender's own streams only. A
  // range the notice leaves behind the message's records is then a hole when a later boot's records
  // in the same message close the older boots (kReboot).
  for (const GapNotice& g : message.gaps)
    if (in_own_name(g.device) && g.device == message.device)
      reconciler_.device_reported_gap(g.device, g.boot, g.seq_from, g.seq_to, ingest_time_s);
  for (const Record& r : records)
    if (in_own_name(r.device))
      reconciler_.on_record(
          r, r.sensor < sensors_.size() && validator_.check(r, sensors_[r.sensor]) == Verdict::kOk,
          ingest_time_s);
  for (const DeviceEvent& e : message.events)
    if (in_own_name(e.device)) reconciler_.on_event(e, ingest_time_s);
  reconciler_.tick(ingest_time_s);
}

void ReferencePipeline::ingest(const MessageInfo& message, std::span<const Record> records,
                               double ingest_time_s, std::vector<AlertEvent>& alerts) {
  if (auth_.enabled() && !authenticate(message, records.size())) return;
  if (schema_.enabled()) on_schema_message(message, records, alerts);
  if (options_.reconciliation.enabled) reconcile(message, records, ingest_time_s);
  for (const Record& r : records) {
    ++records_in_;
    if (r.sensor >= sensors_.size()) {  // not in the registry: an unknown sender
      ++rejected_[static_cast<int>(Verdict::kDeviceFlagged)];
      continue;
    }
    if (auth_.enabled() && r.device != message.authenticated_device) {  // a record in another's name
      ++rejected_auth_record_device_;
      continue;
    }
    if (!dedup_.first_time(r.device, r.boot, r.seq)) continue;
    if (schema_.enabled() && schema_.unit_mismatch(r.sensor)) {
      ++rejected_schema_unit_;
      continue;
    }
    const Verdict verdict = validator_.check(r, sensors_[r.sensor]);
    if (options_.validation.ne43 && sensors_[r.sensor].current_loop) {
      // A failure current is the transmitter saying it is faulty: flagged until a valid reading.
      alert_manager_.set_reason(r.sensor, kReasonNe43, verdict == Verdict::kNe43);
      sync_sensor(r.sensor, r, 0.0, alerts);
    }
    if (verdict != Verdict::kOk) {
      ++rejected_[static_cast<int>(verdict)];
      continue;
    }
    if (!std::isfinite(r.device_time_s)) {
      ++null_timestamp_;
      continue;
    }
    if (options_.timestamps.enabled) {
      const TimestampVerdict tv = timestamps_.check(r, ingest_time_s);
      if (tv != TimestampVerdict::kOk) {
        ++rejected_timestamp_[static_cast<int>(tv)];
        continue;
      }
    }
    if (options_.ordering.enabled) {
      released_.clear();
      if (!reorder_.push(r, released_)) {
        late_.push_back(r);  // the side output
        continue;
      }
      for (const Record& x : released_) process(x, r, alerts);
      continue;
    }
    SensorState& st = state_[r.sensor];
    if (r.device_time_s < st.last_device_time_s) {
      ++late_count_;
      continue;
    }
    st.last_device_time_s = r.device_time_s;
    process(r, r, alerts);
  }
}

// Inlined into ingest(): it runs once per record, and the call (with its
// spills) cost as much as the EWMA update itself on a 10,000-device run.
[[gnu::always_inline]] inline void ReferencePipeline::process(const Record& r, const Record& trigger,
                                                              std::vector<AlertEvent>& alerts) {
  if (options_.gaps.enabled) {
    const std::size_t before = gap_markers_.size();
    gaps_.observe(r, gap_markers_, filled_);
    for (std::size_t k = before; k < gap_markers_.size(); ++k)
      gap_readings_ += gap_markers_[k].missing_readings;
  }
  if (rate_.enabled() && !rate_.accept(r.sensor, r.device_time_s, r.value)) {
    ++rejected_rate_;
    return;
  }
  ++accepted_;
  if (accepted_observer_) accepted_observer_(r);
  if (!groups_.empty()) run_groups(r, trigger, alerts);
  double fault_score = 0.0;
  if (stuck_.enabled()) {
    if (const auto t = stuck_.update(r.sensor, r.device_time_s, r.value)) {
      if (*t == AlertTransition::kRaise) ++stuck_events_;
      alert_manager_.set_reason(r.sensor, kReasonStuck, *t == AlertTransition::kRaise);
    }
  }
  if (schema_.enabled()) {
    schema_.on_reading(r.sensor, r.value);
    alert_manager_.set_reason(r.sensor, kReasonSchemaUnitUndeclared,
                              schema_.flags(r.sensor) & kSchemaUnitUndeclared);
  }
  if (drift_.enabled()) {
    if (const auto t = drift_.update(r.sensor, r.device_time_s, r.value)) {
      bool on = t->transition == AlertTransition::kRaise;
      if (on) {
        // A sibling on the same device alarming too: the process moved, not this sensor.
        bool sibling_alarm = false;
        for (std::uint32_t s : siblings_[r.sensor]) sibling_alarm |= alert_manager_.process_open(s);
        if (sibling_alarm) {
          ++drift_vetoed_;
          on = false;
        } else {
          ++drift_events_;
          fault_score = t->score;
        }
      }
      alert_manager_.set_reason(r.sensor, kReasonDrift, on);
    }
  }
  if (sensor_checks_) sync_sensor(r.sensor, trigger, fault_score, alerts);
  if (stuck_.stuck(r.sensor)) return;  // a stuck value says nothing of the process
  SensorState& st = state_[r.sensor];
  std::optional<Transition> t;
  if (auto* ewma = std::get_if<EwmaZScore>(&st.detector))
    t = ewma->update(r.value);
  else if (auto* thr = std::get_if<ThresholdDetector>(&st.detector))
    t = thr->update(r.value);
  if (!t) return;
  alert_manager_.on_process(r.sensor, *t, trigger, alerts);
  if (t->transition != AlertTransition::kRaise || !alert_manager_.process_open(r.sensor)) return;
  // A process alarm on a sibling: the drift its siblings showed was the process moving, not them.
  for (std::uint32_t s : siblings_[r.sensor])
    if (alert_manager_.reasons(s) & kReasonDrift) {
      alert_manager_.set_reason(s, kReasonDrift, false);
      ++drift_vetoed_;
      sync_sensor(s, trigger, 0.0, alerts);
    }
}

/// Each group takes the accepted record; the rows it makes final are decisions.
/// An alert names the row's largest contributor as its sensor and the record
/// whose arrival made the row final (so it is always in this message) as its
/// identity; its time is the row's.
void ReferencePipeline::run_groups(const Record& r, const Record& trigger, std::vector<AlertEvent>& alerts) {
  for (Group& g : groups_) {
    for (const MultivariateRow& row : g.stage.add(r)) {
      g.decision_times_s.push_back(row.time_s);
      g.alarms.push_back(row.score.alarm ? 1 : 0);
      const std::optional<AlertTransition> t = g.latch.step(row.score.alarm, !row.score.alarm);
      if (!t) continue;
      (*t == AlertTransition::kRaise ? group_raised_ : group_cleared_)++;
      const Severity severity = row.score.combined >= 2.0 ? Severity::kCritical : Severity::kWarning;
      alerts.push_back(AlertEvent{row.top_sensor, *t, severity, trigger.device, trigger.boot, trigger.seq,
                                  row.time_s, row.score.combined, AlertKind::kProcess});
    }
  }
}

void ReferencePipeline::issue_command(CloudCommand& command, double now_s) {
  if (options_.reconciliation.enabled) reconciler_.issue_command(command, now_s);
}

bool ReferencePipeline::drain_log(CloudLog& out) {
  if (!options_.reconciliation.enabled) return false;
  reconciler_.drain(out);
  return true;
}

void ReferencePipeline::device_reported_gap(std::uint32_t device, std::uint32_t boot, std::uint64_t seq_from,
                                            std::uint64_t seq_to, double now_s) {
  if (options_.reconciliation.enabled) reconciler_.device_reported_gap(device, boot, seq_from, seq_to, now_s);
}

void ReferencePipeline::finish(double end_time_s, std::vector<AlertEvent>& /*alerts*/) {
  if (options_.reconciliation.enabled) reconciler_.finish(end_time_s);
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
  c["late_out_of_order"] = late_count_;
  c["rejected.null_timestamp"] = null_timestamp_;
  c["alerts_raised"] = alert_manager_.process_raised() + group_raised_;
  c["alerts_cleared"] = alert_manager_.process_cleared() + group_cleared_;
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
  // The optional stages' counters, only when the stage is on (reports without them are unchanged).
  if (options_.validation.ne43) c["rejected.ne43"] = rejected_[static_cast<int>(Verdict::kNe43)];
  if (options_.timestamps.enabled)
    for (int v = 2; v < 5; ++v)
      c[std::string("rejected.timestamp.") + timestamp_verdict_name(static_cast<TimestampVerdict>(v))] =
          rejected_timestamp_[v];
  if (rate_.enabled()) c["rejected.rate_of_change"] = rejected_rate_;
  if (auth_.enabled()) {
    for (int v = 1; v < kAuthVerdicts; ++v)
      c[std::string("rejected.auth.") + auth_verdict_name(static_cast<AuthVerdict>(v))] = rejected_auth_[v];
    c["rejected.auth.record_device"] = rejected_auth_record_device_;
    c["auth.messages_rejected"] = auth_messages_rejected_;
  }
  if (options_.ordering.enabled) {
    c["late.side_output"] = late_.size();
    c["late.held_at_end"] = reorder_.held();
  }
  if (options_.reconciliation.enabled) reconciler_.counters(c);
  if (options_.gaps.enabled) {
    c["gaps.marked"] = gap_markers_.size();
    c["gaps.readings"] = gap_readings_;
    c["gaps.filled_readings"] = filled_.size();
  }
  if (stuck_.enabled()) c["sensor_faults.stuck"] = stuck_events_;
  if (drift_.enabled()) {
    c["sensor_faults.drift"] = drift_events_;
    c["sensor_faults.drift_vetoed_by_siblings"] = drift_vetoed_;
  }
  if (schema_.enabled()) {
    c["schema.field_added"] = schema_.fields_added();
    c["schema.field_missing"] = schema_.missing_events();
    c["schema.unit_declared"] = schema_.unit_declared_events();
    c["schema.unit_undeclared"] = schema_.unit_undeclared_events();
    c["schema.versions_seen"] = schema_.versions_seen();
    c["rejected.schema_unit"] = rejected_schema_unit_;
  }
  if (sensor_checks_) {
    c["sensor_fault_alerts_raised"] = alert_manager_.sensor_fault_raised();
    c["detector_resets"] = detector_resets_;
    c["alerts_suppressed.sensor_fault"] = alert_manager_.suppressed();
    c["alerts_cleared_by_sensor_fault"] = alert_manager_.cleared_by_sensor_fault();
  }
  return c;
}

}  // namespace twinbed::pipeline
