#include "pipeline/alert_manager.hpp"

namespace twinbed::pipeline {

namespace {
AlertEvent event_of(std::uint32_t sensor, AlertTransition tr, Severity sev, const Record& r, double score,
                    AlertKind kind) {
  return AlertEvent{sensor, tr, sev, r.device, r.boot, r.seq, r.device_time_s, score, kind};
}
}  // namespace

std::optional<AlertTransition> AlertManager::sync(std::uint32_t sensor, const Record& trigger, double score,
                                                  std::vector<AlertEvent>& alerts) {
  const bool want = reasons_[sensor] != 0;
  if (want == (fault_open_[sensor] != 0)) return std::nullopt;
  fault_open_[sensor] = want;
  if (want) {
    ++fault_raised_;
    alerts.push_back(event_of(sensor, AlertTransition::kRaise, Severity::kWarning, trigger, score,
                              AlertKind::kSensorFault));
    if (options_.suppress_on_sensor_fault && process_open_[sensor]) {
      process_open_[sensor] = 0;
      swallowed_[sensor] = 1;  // the detector's own clear, when it comes, is not ours to emit
      ++cleared_by_fault_;
      alerts.push_back(
          event_of(sensor, AlertTransition::kClear, Severity::kWarning, trigger, score, AlertKind::kProcess));
    }
    return AlertTransition::kRaise;
  }
  alerts.push_back(
      event_of(sensor, AlertTransition::kClear, Severity::kWarning, trigger, score, AlertKind::kSensorFault));
  return AlertTransition::kClear;
}

void AlertManager::on_process(std::uint32_t sensor, const Transition& t, const Record& trigger,
                              std::vector<AlertEvent>& alerts) {
  if (t.transition == AlertTransition::kRaise) {
    if (options_.suppress_on_sensor_fault && reasons_[sensor] != 0) {
      ++suppressed_;
      swallowed_[sensor] = 1;
      return;
    }
    Severity sev = t.severity;
    if (options_.critical_score > 0)
      sev = t.score >= options_.critical_score ? Severity::kCritical : Severity::kWarning;
    process_open_[sensor] = 1;
    ++process_raised_;
    alerts.push_back(event_of(sensor, AlertTransition::kRaise, sev, trigger, t.score, AlertKind::kProcess));
    return;
  }
  if (swallowed_[sensor]) {
    swallowed_[sensor] = 0;
    return;
  }
  if (!process_open_[sensor]) return;
  process_open_[sensor] = 0;
  ++process_cleared_;
  alerts.push_back(
      event_of(sensor, AlertTransition::kClear, t.severity, trigger, t.score, AlertKind::kProcess));
}

}  // namespace twinbed::pipeline
