#include "analysis/metric_catalog.hpp"

#include <algorithm>
#include <cctype>

#include "analysis/calibration.hpp"
#include "analysis/fault_kinds.hpp"
#include "analysis/trace_schema.hpp"

namespace twinbed::analysis {

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n = {"samples.generated",
                                  "samples.missing_at_sensor",
                                  "samples.delivered",
                                  "samples.delivered_fraction",
                                  "samples.duplicated",
                                  "samples.lost.buffer_overflow",
                                  "samples.lost.retries_exhausted",
                                  "samples.lost.reboot",
                                  "samples.lost.broker",
                                  "samples.lost.unacknowledged",
                                  "samples.lost.gateway_overflow",
                                  "samples.lost.session_discarded",
                                  "samples.lost.torn_write",
                                  "samples.lost.total",
                                  "edge_flash.peak_records",
                                  "edge_flash.pages_written",
                                  "edge_flash.torn_pages",
                                  "edge_flash.evicted_pages",
                                  "samples.aggregated",
                                  "samples.id_collisions",
                                  "events.recorded",
                                  "events.delivered",
                                  "events.duplicated",
                                  "events.lost",
                                  "events.undelivered_at_end",
                                  "gap_notices.sent",
                                  "gap_notices.header_bytes",
                                  "gap_notices.dropped_full",
                                  "gap_notices.lost_reboot",
                                  "samples.suppressed.deadband",
                                  "samples.summarised.features",
                                  "samples.missing_device_down",
                                  "samples.undelivered_at_end",
                                  "network.messages",
                                  "network.attempts",
                                  "network.retransmissions",
                                  "network.lost.link",
                                  "network.lost.outage",
                                  "network.lost.partition",
                                  "network.corrupted.detected",
                                  "network.corrupted.undetected",
                                  "network.rate_limited_messages",
                                  "broker.down_refusals",
                                  "broker.restart_lost_messages",
                                  "broker.expired_messages",
                                  "cloud.consumer_retries",
                                  "clock.max_abs_error_s",
                                  "clock.sync_steps",
                                  "clock.sync_polls",
                                  "clock.sync_responses",
                                  "clock.sync_refusals",
                                  "network.duplicated_by_network",
                                  "network.acks_lost",
                                  "network.broker_rejected",
                                  "network.bytes",
                                  "network.device_link_utilisation_max",
                                  "edge_buffer.peak_records",
                                  "edge_buffer.overflows",
                                  "broker.queue_peak_messages"};
    for (const std::string& f : detection_metric_names()) n.push_back(f);
    for (const std::string& kind : protocol_kinds())
      for (const auto& [figure, v] : figures_of(ProtocolFigures{}))
        n.push_back("network." + kind + "." + figure);
    for (const auto& [figure, v] : figures_of(GatewayFigures{}))
      n.push_back(std::string("gateway.") + figure);
    for (const std::string station : {"broker.", "cloud."})
      for (const auto& [figure, v] : figures_of(ServiceFigures{})) n.push_back(station + figure);
    for (const std::string f : {"battery_devices", "depleted_devices", "consumed_mah", "lifetime_days.min"})
      n.push_back("energy." + f);
    for (const auto& [figure, v] : figures_of(OtaFigures{})) n.push_back(std::string("ota.") + figure);
    for (const auto& [figure, v] : figures_of(EdgeFigures{})) n.push_back(std::string("edge.") + figure);
    for (const auto& [figure, v] : figures_of(OperatorFigures{}))
      n.push_back(std::string("operator.") + figure);
    for (const std::string f :
         {"forged_messages", "forged_records", "spoofed_records", "replayed_records", "tampered_records",
          "forged_records_accepted", "alerts_from_forged", "genuine_dropped"})
      n.push_back("security." + f);
    for (const std::string f : {"drains", "drain_time_s.max", "drain_time_s.mean"})
      n.push_back("network." + f);
    // The reference pipeline's reconciler (docs/reconciliation.md), present when it is on.
    for (const std::string c : {"records_in",
                                "events_in",
                                "duplicates",
                                "invalid_values",
                                "view.records",
                                "view.events",
                                "quarantined",
                                "retractions",
                                "hlc_ignored_future",
                                "repaired.null",
                                "repaired.epoch",
                                "repaired.future",
                                "repaired.backwards",
                                "repaired.sequence",
                                "repaired.anchor",
                                "gaps.device_reported",
                                "gaps.reboot",
                                "gaps.timeout",
                                "gaps.seqs_marked",
                                "gaps.arrived_after_mark",
                                "windows.late_revisions",
                                "windows.revised_after_final"})
      n.push_back("pipeline.reconciliation." + c);
    for (const std::string c :
         {"records_in", "duplicates_dropped", "accepted", "late_out_of_order", "alerts_raised",
          "alerts_cleared", "rejected.sentinel", "rejected.not_finite", "rejected.out_of_range",
          "rejected.device_flagged", "rejected.null_timestamp",
          // the optional data-quality stages' (docs/pipeline.md), present when the stage is on
          "rejected.ne43", "rejected.timestamp.epoch", "rejected.timestamp.future",
          "rejected.timestamp.backwards", "rejected.rate_of_change", "rejected.schema_unit",
          "late.side_output", "late.held_at_end", "gaps.marked", "gaps.readings", "gaps.filled_readings",
          "sensor_faults.stuck", "sensor_faults.drift", "sensor_faults.drift_vetoed_by_siblings",
          "schema.field_added", "schema.field_missing", "schema.unit_declared", "schema.unit_undeclared",
          "schema.versions_seen", "sensor_fault_alerts_raised", "alerts_suppressed.sensor_fault",
          "alerts_cleared_by_sensor_fault", "detector_resets",
          // message authentication (pipeline.security)
          "rejected.auth.unauthenticated", "rejected.auth.identity_mismatch", "rejected.auth.unsigned",
          "rejected.auth.integrity", "rejected.auth.no_counter", "rejected.auth.replay",
          "rejected.auth.record_device", "auth.messages_rejected"})
      n.push_back("pipeline." + c);
    for (const std::string& f : reconciliation_figure_names()) n.push_back(f);
    for (const std::string scope : {"latency_s", "latency_s.during_outage", "latency_s.outside_outage",
                                    "latency_s.alarm", "latency_s.live_during_drain"})
      for (const std::string q : {"count", "p50", "p90", "p99", "max", "mean"}) n.push_back(scope + "." + q);
    return n;
  }();
  return names;
}

bool is_device_metric(const std::string& name) {
  if (name.rfind("device.", 0) != 0) return false;
  const auto dot = name.rfind('.');
  if (dot <= 7) return false;  // "device." + a non-empty id + "." + figure
  const std::string figure = name.substr(dot + 1);
  static const std::vector<Figure> figures = figures_of(DeviceFigures{});
  return std::any_of(figures.begin(), figures.end(), [&](const Figure& f) { return figure == f.first; });
}

const std::vector<std::string>& detection_metric_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n = {
        "alerts.episodes", "alerts.true_positives", "alerts.false_positives", "alerts.per_shift_8h",
        "incidents.count", "incidents.detected", "incidents.missed", "precision", "recall",
        "false_positives.count", "false_positives.per_day", "false_positives.per_device_day",
        "detection_delay_s.p50", "detection_delay_s.p90", "detection_delay_s.max", "sensor_faults.flagged",
        "sensor_faults.flagged_correct", "sensor_faults.flagged_wrong", "sensor_faults.injected",
        "sensor_faults.detected", "sensor_faults.missed",
        // with adversarial faults (docs/metrics.md "Security")
        "security.forged_records_accepted", "security.alerts_from_forged", "security.genuine_dropped"};
    for (const std::string& cause : attribution_causes()) n.push_back("false_positives.attributed." + cause);
    return n;
  }();
  return names;
}

bool is_valid_pipeline_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

bool is_pipeline_metric(const std::string& name) {
  if (name.rfind("pipelines.", 0) != 0) return false;
  const auto dot = name.find('.', 10);
  if (dot == std::string::npos || !is_valid_pipeline_name(name.substr(10, dot - 10))) return false;
  const auto& figures = detection_metric_names();
  return std::find(figures.begin(), figures.end(), name.substr(dot + 1)) != figures.end();
}

bool is_calibration_metric(const std::string& name) {
  if (name.rfind("calibration.", 0) != 0) return false;
  const auto dot = name.find('.', 12);
  if (dot == std::string::npos || !is_valid_pipeline_name(name.substr(12, dot - 12))) return false;
  for (const auto& [figure, v] : figures_of(CalibrationResult{}))
    if (name.compare(dot + 1, std::string::npos, figure) == 0) return true;
  return false;
}

bool is_pipeline_counter(const std::string& name) {
  // The reference pipeline's multivariate groups: pipeline.multivariate.<group>.<counter>.
  static const std::vector<std::string> counters = {"records_used",   "records_late",    "rows_training",
                                                    "rows_scored",    "rows_incomplete", "rows_skipped",
                                                    "rows_untrained", "rows_alarm",      "components"};
  if (name.rfind("pipeline.multivariate.", 0) != 0) return false;
  const auto dot = name.find('.', 22);
  if (dot == std::string::npos || !is_valid_pipeline_name(name.substr(22, dot - 22))) return false;
  return std::find(counters.begin(), counters.end(), name.substr(dot + 1)) != counters.end();
}

bool is_plugin_counter_metric(const std::string& name) {
  static const std::string prefix = "pipeline.plugin.";
  if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size()) return false;
  return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

bool is_known_metric(const std::string& name) {
  if (is_device_metric(name) || is_pipeline_metric(name) || is_plugin_counter_metric(name) ||
      is_calibration_metric(name) || is_pipeline_counter(name))
    return true;
  if (name.rfind("edge.event.", 0) == 0) {  // edge.event.<id>.count | .first_s (a device's local events)
    const auto dot = name.rfind('.');
    const std::string figure = name.substr(dot + 1);
    if (dot > 11 && (figure == "count" || figure == "first_s")) return true;
  }
  const auto& names = metric_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace twinbed::analysis
