#include "analysis/report.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "analysis/fault_kinds.hpp"
#include "analysis/metric_catalog.hpp"

namespace twinbed::analysis {

namespace {
using nlohmann::json;

double quantile_of(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::max<std::size_t>(rank, 1) - 1];
}

json number_or_null(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return nullptr;
  // Integral figures print as integers.
  if (std::fabs(*v) < 9e15 && std::floor(*v) == *v) return static_cast<std::int64_t>(*v);
  return *v;
}

/// Puts `value` at the dotted `name` inside `root`.
void put_dotted(json& root, const std::string& name, json value) {
  json* node = &root;
  std::size_t start = 0;
  for (std::size_t dot = name.find('.'); dot != std::string::npos; dot = name.find('.', start)) {
    node = &(*node)[name.substr(start, dot - start)];
    start = dot + 1;
  }
  (*node)[name.substr(start)] = std::move(value);
}

std::string fmt(double v, int precision = 3) {
  std::ostringstream os;
  os << std::setprecision(precision) << v;
  return os.str();
}
}  // namespace

static void detection_metrics(Metrics& m, const std::string& prefix, const RunData& run,
                              const std::vector<Episode>& episode_list, const Score& score);

/// Forged traffic and what each pipeline did with it (docs/metrics.md "Security"):
/// the primary's under `security.*`, every pipeline's under `pipelines.<name>.security.*`.
static void security_metrics(Metrics& m, const RunData& run) {
  const SecurityFigures& s = run.security;
  auto n = [](std::uint64_t v) { return std::optional<double>(static_cast<double>(v)); };
  m["security.forged_messages"] = n(s.forged_messages);
  m["security.forged_records"] = n(s.forged_records);
  m["security.spoofed_records"] = n(s.spoofed_records);
  m["security.replayed_records"] = n(s.replayed_records);
  m["security.tampered_records"] = n(s.tampered_records);
  auto from_forged = [](const std::vector<Episode>& episodes) {
    return static_cast<double>(
        std::count_if(episodes.begin(), episodes.end(), [](const Episode& e) { return e.forged != 0; }));
  };
  for (std::size_t k = 0; k <= run.compared.size(); ++k) {
    const bool primary = k == 0;
    const PipelineSecurity& p = primary ? s.primary : s.compared[k - 1];
    const std::vector<Episode>& episodes = primary ? run.episodes : run.compared[k - 1].episodes;
    const std::string prefix = "pipelines." + (primary ? run.pipeline_name : run.compared[k - 1].name) + ".";
    for (const std::string& pre :
         primary ? std::vector<std::string>{"", prefix} : std::vector<std::string>{prefix}) {
      m[pre + "security.forged_records_accepted"] =
          p.accepted_known ? n(p.forged_records_accepted) : std::nullopt;
      m[pre + "security.genuine_dropped"] = p.accepted_known ? n(p.genuine_dropped) : std::nullopt;
      m[pre + "security.alerts_from_forged"] = from_forged(episodes);
    }
  }
}

Metrics compute_metrics(const RunData& run, const Score& score) {
  Metrics m;
  const DataPath& d = run.data;
  m["samples.generated"] = static_cast<double>(d.generated);
  m["samples.missing_at_sensor"] = static_cast<double>(d.missing_at_sensor);
  m["samples.delivered"] = static_cast<double>(d.delivered);
  m["samples.delivered_fraction"] =
      d.generated ? std::optional<double>(static_cast<double>(d.delivered) / static_cast<double>(d.generated))
                  : std::nullopt;
  m["samples.duplicated"] = static_cast<double>(d.duplicated);
  m["samples.lost.buffer_overflow"] = static_cast<double>(d.lost_buffer_overflow);
  m["samples.lost.retries_exhausted"] = static_cast<double>(d.lost_retries_exhausted);
  m["samples.lost.reboot"] = static_cast<double>(d.lost_reboot);
  m["samples.lost.broker"] = static_cast<double>(d.lost_broker);
  m["samples.lost.unacknowledged"] = static_cast<double>(d.lost_unacknowledged);
  m["samples.lost.gateway_overflow"] = static_cast<double>(d.lost_gateway);
  m["samples.lost.session_discarded"] = static_cast<double>(d.lost_session);
  m["samples.lost.torn_write"] = static_cast<double>(d.lost_torn_write);
  m["samples.lost.total"] =
      static_cast<double>(d.lost_buffer_overflow + d.lost_retries_exhausted + d.lost_reboot + d.lost_broker +
                          d.lost_unacknowledged + d.lost_gateway + d.lost_session + d.lost_torn_write);
  m["edge_flash.peak_records"] = static_cast<double>(d.flash_peak_records);
  m["edge_flash.pages_written"] = static_cast<double>(d.flash_pages_written);
  m["edge_flash.torn_pages"] = static_cast<double>(d.flash_torn_pages);
  m["edge_flash.evicted_pages"] = static_cast<double>(d.flash_evicted_pages);
  m["samples.aggregated"] = static_cast<double>(d.aggregated);
  if (d.ids_tracked) m["samples.id_collisions"] = static_cast<double>(d.id_collisions);
  if (d.events_reported) {
    m["events.recorded"] = static_cast<double>(d.events_recorded);
    m["events.delivered"] = static_cast<double>(d.events_delivered);
    m["events.duplicated"] = static_cast<double>(d.events_duplicated);
    m["events.lost"] = static_cast<double>(d.events_lost);
    m["events.undelivered_at_end"] = static_cast<double>(d.events_undelivered_at_end);
  }
  if (d.gap_notices_on) {
    m["gap_notices.sent"] = static_cast<double>(d.gap_notices_sent);
    m["gap_notices.header_bytes"] = static_cast<double>(d.gap_notices_header_bytes);
    m["gap_notices.dropped_full"] = static_cast<double>(d.gap_notices_dropped);
    m["gap_notices.lost_reboot"] = static_cast<double>(d.gap_notices_lost_reboot);
  }
  m["samples.suppressed.deadband"] = static_cast<double>(d.suppressed_deadband);
  m["samples.summarised.features"] = static_cast<double>(d.summarised_features);
  for (const std::string& kind : protocol_kinds()) {  // zeros for a protocol the run does not use
    const auto it = run.protocols.find(kind);
    for (const auto& [name, v] : figures_of(it == run.protocols.end() ? ProtocolFigures{} : it->second))
      m["network." + kind + "." + name] = v;
  }
  for (const auto& [name, v] : figures_of(run.gateways)) m[std::string("gateway.") + name] = v;
  for (const auto& [name, v] : figures_of(run.broker)) m[std::string("broker.") + name] = v;
  for (const auto& [name, v] : figures_of(run.ota)) m[std::string("ota.") + name] = v;
  for (const auto& [name, v] : figures_of(run.edge)) m[std::string("edge.") + name] = v;
  for (const auto& [name, v] : figures_of(run.operator_stops)) m[std::string("operator.") + name] = v;
  for (const auto& [id, ev] : run.edge.event_by_id) {
    m["edge.event." + id + ".count"] = static_cast<double>(ev.count);
    m["edge.event." + id + ".first_s"] = ev.first_s;
  }
  for (const auto& [name, v] : figures_of(run.cloud)) m[std::string("cloud.") + name] = v;
  std::uint64_t drains = 0;
  double drain_max = 0, drain_sum = 0;
  for (const DeviceFigures& d : run.devices)
    for (double t : d.drains_s) ++drains, drain_sum += t, drain_max = std::max(drain_max, t);
  m["network.drains"] = static_cast<double>(drains);
  // Battery devices (docs/firmware.md).
  std::uint64_t battery = 0, depleted = 0;
  double energy_mah = 0, lifetime_min = 0;
  for (const DeviceFigures& d : run.devices) {
    if (!d.energy_mah) continue;
    lifetime_min = battery++ ? std::min(lifetime_min, *d.lifetime_days) : *d.lifetime_days;
    energy_mah += *d.energy_mah;
    depleted += d.depleted_at_s.has_value();
  }
  m["energy.battery_devices"] = static_cast<double>(battery);
  m["energy.depleted_devices"] = static_cast<double>(depleted);
  m["energy.consumed_mah"] = energy_mah;
  m["energy.lifetime_days.min"] = battery ? std::optional<double>(lifetime_min) : std::nullopt;
  m["network.drain_time_s.max"] = drains ? std::optional<double>(drain_max) : std::nullopt;
  m["network.drain_time_s.mean"] =
      drains ? std::optional<double>(drain_sum / static_cast<double>(drains)) : std::nullopt;
  if (run.devices.size() <= kPerDeviceReportLimit)
    for (const DeviceFigures& d : run.devices)
      for (const auto& [name, v] : figures_of(d)) {
        // messages and bytes: listed only for runs with transforming edge stages (docs/metrics.md)
        if (!v && (std::string_view(name) == "messages" || std::string_view(name) == "bytes")) continue;
        m["device." + d.id + "." + name] = v;
      }
  m["samples.missing_device_down"] = static_cast<double>(d.missing_device_down);
  m["samples.undelivered_at_end"] = static_cast<double>(d.undelivered_at_end);
  m["network.messages"] = static_cast<double>(d.messages);
  m["network.attempts"] = static_cast<double>(d.attempts);
  m["network.retransmissions"] = static_cast<double>(d.attempts - std::min(d.attempts, d.messages));
  m["network.lost.link"] = static_cast<double>(d.lost_link);
  m["network.lost.outage"] = static_cast<double>(d.lost_outage);
  m["network.corrupted.detected"] = static_cast<double>(d.corrupted_detected);
  m["network.corrupted.undetected"] = static_cast<double>(d.corrupted_undetected);
  m["network.rate_limited_messages"] = static_cast<double>(d.rate_limited_messages);
  m["broker.down_refusals"] = static_cast<double>(d.broker_down_refusals);
  m["broker.restart_lost_messages"] = static_cast<double>(d.broker_restart_lost_messages);
  m["broker.expired_messages"] = static_cast<double>(d.broker_expired_messages);
  m["cloud.consumer_retries"] = static_cast<double>(d.consumer_retries);
  m["clock.max_abs_error_s"] = d.clock_max_abs_error_s;
  m["clock.sync_steps"] = static_cast<double>(d.clock_sync_steps);
  m["clock.sync_refusals"] = static_cast<double>(d.clock_sync_refusals);
  m["clock.sync_polls"] = static_cast<double>(d.clock_sync_polls);
  m["clock.sync_responses"] = static_cast<double>(d.clock_sync_responses);
  m["network.lost.partition"] = static_cast<double>(d.lost_partition);
  m["network.duplicated_by_network"] = static_cast<double>(d.network_duplicates);
  m["network.acks_lost"] = static_cast<double>(d.acks_lost);
  m["network.broker_rejected"] = static_cast<double>(d.broker_rejected);
  m["network.bytes"] = static_cast<double>(d.bytes);
  m["network.device_link_utilisation_max"] = d.device_link_utilisation_max;
  m["edge_buffer.peak_records"] = static_cast<double>(d.edge_buffer_peak_records);
  m["edge_buffer.overflows"] = static_cast<double>(d.edge_buffer_overflows);
  m["broker.queue_peak_messages"] = static_cast<double>(d.broker_queue_peak_messages);

  const std::pair<const char*, const LatencyHistogram*> scopes[] = {
      {"latency_s", &run.latency_all},
      {"latency_s.during_outage", &run.latency_during_outage},
      {"latency_s.outside_outage", &run.latency_outside_outage},
      {"latency_s.alarm", &run.latency_alarm},
      {"latency_s.live_during_drain", &run.latency_live_during_drain}};
  for (const auto& [scope, h] : scopes) {
    const std::string s = scope;
    const bool any = h->count() > 0;
    m[s + ".count"] = static_cast<double>(h->count());
    m[s + ".p50"] = any ? std::optional<double>(h->quantile(0.50)) : std::nullopt;
    m[s + ".p90"] = any ? std::optional<double>(h->quantile(0.90)) : std::nullopt;
    m[s + ".p99"] = any ? std::optional<double>(h->quantile(0.99)) : std::nullopt;
    m[s + ".max"] = any ? std::optional<double>(h->max()) : std::nullopt;
    m[s + ".mean"] = any ? std::optional<double>(h->mean()) : std::nullopt;
  }

  detection_metrics(m, "", run, run.episodes, score);
  for (std::size_t k = 0; k <= run.compared.size(); ++k) {  // every pipeline's, the primary's first
    const bool primary = k == 0;
    detection_metrics(m, "pipelines." + (primary ? run.pipeline_name : run.compared[k - 1].name) + ".", run,
                      primary ? run.episodes : run.compared[k - 1].episodes,
                      primary ? score : score.compared[k - 1]);
  }
  for (const auto& [name, n] : run.pipeline_counters) m["pipeline." + name] = static_cast<double>(n);
  if (run.security.present) security_metrics(m, run);
  for (const CalibrationResult& c : score.calibration)
    for (const auto& [figure, v] : figures_of(c)) m["calibration." + c.name + "." + figure] = v;
  if (run.reconciliation)
    for (const PropertyVerdict& p : run.reconciliation->properties) {
      const std::string prefix = "reconciliation." + p.id + ".";
      m[prefix + "pass"] = p.verdict == Verdict::kNotApplicable
                               ? std::nullopt
                               : std::optional<double>(p.verdict == Verdict::kPass);
      for (const auto& [name, v] : p.metrics) m[prefix + name] = v;
    }

  for (const auto& entry : m)
    if (!is_known_metric(entry.first))
      throw std::logic_error("report emits an uncatalogued metric: " + entry.first);
  return m;
}

/// One pipeline's detection figures under `prefix` ("" for the primary's top-level ones).
static void detection_metrics(Metrics& m, const std::string& prefix, const RunData& run,
                              const std::vector<Episode>& episode_list, const Score& score) {
  const double episodes = static_cast<double>(episode_list.size());
  const double tp = static_cast<double>(score.true_positives);
  const double fp = static_cast<double>(score.false_positives.size());
  const double days = run.duration_s / 86400.0;
  std::size_t detected = 0;
  std::vector<double> delays;
  for (const auto& inc : score.incidents)
    if (inc.detected) ++detected, delays.push_back(inc.detection_delay_s);
  m[prefix + "alerts.episodes"] = episodes;
  m[prefix + "alerts.true_positives"] = tp;
  m[prefix + "alerts.false_positives"] = fp;
  m[prefix + "alerts.per_shift_8h"] = episodes / (run.duration_s / 28800.0);
  m[prefix + "incidents.count"] = static_cast<double>(run.incidents.size());
  m[prefix + "incidents.detected"] = static_cast<double>(detected);
  m[prefix + "incidents.missed"] = static_cast<double>(run.incidents.size() - detected);
  m[prefix + "precision"] = episodes > 0 ? std::optional<double>(tp / episodes) : std::nullopt;
  m[prefix + "recall"] =
      run.incidents.empty()
          ? std::nullopt
          : std::optional<double>(static_cast<double>(detected) / static_cast<double>(run.incidents.size()));
  m[prefix + "false_positives.count"] = fp;
  m[prefix + "false_positives.per_day"] = fp / days;
  m[prefix + "false_positives.per_device_day"] =
      run.device_count ? std::optional<double>(fp / (days * static_cast<double>(run.device_count)))
                       : std::nullopt;
  m[prefix + "detection_delay_s.p50"] =
      delays.empty() ? std::nullopt : std::optional<double>(quantile_of(delays, 0.5));
  m[prefix + "detection_delay_s.p90"] =
      delays.empty() ? std::nullopt : std::optional<double>(quantile_of(delays, 0.9));
  m[prefix + "detection_delay_s.max"] =
      delays.empty() ? std::nullopt : std::optional<double>(*std::max_element(delays.begin(), delays.end()));
  const SensorFaultScore& sf = score.sensor_faults;
  m[prefix + "sensor_faults.flagged"] = static_cast<double>(sf.flagged);
  m[prefix + "sensor_faults.flagged_correct"] = static_cast<double>(sf.flagged_correct);
  m[prefix + "sensor_faults.flagged_wrong"] = static_cast<double>(sf.flagged_wrong);
  m[prefix + "sensor_faults.injected"] = static_cast<double>(sf.injected);
  m[prefix + "sensor_faults.detected"] = static_cast<double>(sf.detected);
  m[prefix + "sensor_faults.missed"] = static_cast<double>(sf.missed);
  for (const std::string& cause : attribution_causes())
    m[prefix + "false_positives.attributed." + cause] = 0.0;
  for (const auto& [cause, n] : score.attribution)
    m[prefix + "false_positives.attributed." + cause] = static_cast<double>(n);
}

std::vector<ExpectationResult> check_expectations(const Metrics& metrics,
                                                  const std::vector<ExpectationBound>& bounds) {
  std::vector<ExpectationResult> out;
  for (const auto& b : bounds) {
    ExpectationResult r{b, std::nullopt, false};
    const auto it = metrics.find(b.metric);
    if (it != metrics.end()) r.value = it->second;
    r.held = r.value.has_value() && (!b.min || *r.value >= *b.min) && (!b.max || *r.value <= *b.max);
    out.push_back(r);
  }
  return out;
}

json reconciliation_json(const ReconciliationVerdicts& verdicts) {
  auto opt = [](const std::optional<double>& v) { return number_or_null(v); };
  json props = json::object();
  for (const PropertyVerdict& p : verdicts.properties) {
    json metrics = json::object();
    for (const auto& [name, v] : p.metrics) metrics[name] = opt(v);
    json witnesses = json::array();
    for (const Witness& w : p.witnesses) {
      json events = json::array();
      for (const WitnessEvent& e : w.events) {
        json ev = {{"device", e.device}, {"boot", e.boot}, {"seq", e.seq}};
        ev["sensor"] = e.sensor ? json(*e.sensor) : json(nullptr);
        ev["true_time_s"] = opt(e.true_time_s);
        ev["device_time_s"] = opt(e.device_time_s);
        ev["reconciled_time_s"] = opt(e.reconciled_time_s);
        ev["receipt_time_s"] = opt(e.receipt_time_s);
        ev["value"] = opt(e.value);
        ev["true_value"] = opt(e.true_value);
        events.push_back(ev);
      }
      json faults = json::array();
      for (const WitnessFault& f : w.faults)
        faults.push_back({{"fault_id", f.fault_id},
                          {"kind", f.kind},
                          {"target", f.target},
                          {"start_s", number_or_null(f.start_s)},
                          {"end_s", number_or_null(f.end_s)}});
      witnesses.push_back({{"what", w.what},
                           {"cloud_time_s", opt(w.cloud_time_s)},
                           {"events", events},
                           {"faults", faults},
                           {"faults_omitted", w.faults_omitted}});
    }
    props[p.id] = {{"title", p.title},
                   {"kind", p.safety ? "safety" : "liveness"},
                   {"verdict", verdict_name(p.verdict)},
                   {"note", p.note},
                   {"metrics", metrics},
                   {"first_violation_cloud_time_s", opt(p.first_violation_cloud_time_s)},
                   {"witnesses", witnesses},
                   {"witnesses_omitted", p.witnesses_omitted}};
  }
  return {{"quiet_from_s", opt(verdicts.quiet_from_s)}, {"properties", props}};
}

json build_report(const RunData& run, const Score& score, const Metrics& metrics,
                  const std::vector<ExpectationResult>& expectations) {
  json report;
  report["twinbed_report"] = 1;
  report["scenario"] = {
      {"name", run.scenario_name},     {"seed", run.seed},
      {"duration_s", run.duration_s},  {"devices", run.device_count},
      {"gateways", run.gateway_count}, {"devices_per_gateway_max", run.devices_per_gateway_max},
      {"sensors", run.sensors.size()}};
  json figures = json::object();
  json per_device = json::object();  // ids may hold dots: one key per device, not a dotted path
  for (const auto& [name, v] : metrics) {
    if (is_device_metric(name)) {
      const auto dot = name.rfind('.');
      per_device[name.substr(7, dot - 7)][name.substr(dot + 1)] = number_or_null(v);
      continue;
    }
    put_dotted(figures, name, number_or_null(v));
  }
  report["metrics"] = figures;
  for (const DeviceFigures& d : run.devices)  // each backlog's drain time, in order (a list: not a metric)
    if (per_device.contains(d.id)) {
      json drains = json::array();
      for (double t : d.drains_s) drains.push_back(number_or_null(t));
      per_device[d.id]["drain_times_s"] = drains;
    }
  if (!per_device.empty()) report["devices"] = per_device;

  json incidents = json::array();
  for (const auto& out : score.incidents) {
    const Incident& inc = run.incidents[out.incident];
    json row = {{"asset", inc.asset},
                {"kind", inc.kind},
                {"onset_s", inc.onset_s},
                {"abnormal_from_s", inc.abnormal_from_s},
                {"failure_s", number_or_null(inc.failure_s)},
                {"detected", out.detected}};
    if (out.detected) {
      const Episode& ep = run.episodes[out.first_episode];
      row["detection_delay_s"] = out.detection_delay_s;
      row["first_alert"] = run.sensors[ep.sensor].device + "/" + run.sensors[ep.sensor].sensor;
    }
    incidents.push_back(row);
  }
  report["incidents"] = incidents;

  // The table a user reads first: which injected fault was behind each false alarm.
  constexpr std::size_t kMaxListed = 200;
  json fps = json::array();
  for (std::size_t k = 0; k < score.false_positives.size() && k < kMaxListed; ++k) {
    const auto& fp = score.false_positives[k];
    const Episode& ep = run.episodes[fp.episode];
    const SensorMeta& meta = run.sensors[ep.sensor];
    fps.push_back({{"sensor", meta.device + "/" + meta.sensor},
                   {"measurand", meta.measurand},
                   {"raised_at_s", ep.raise_time_s},
                   {"trigger_true_time_s", ep.trigger_true_time_s},
                   {"score", ep.score},
                   {"causes", fp.causes},
                   {"fault_ids", fp.fault_ids}});
  }
  // The primary's sensor-fault alerts (a stuck, drifting, schema-changed sensor), judged.
  json flagged = json::array();
  for (std::size_t k = 0; k < run.sensor_fault_episodes.size() && k < kMaxListed; ++k) {
    const Episode& ep = run.sensor_fault_episodes[k];
    const SensorMeta& meta = run.sensors[ep.sensor];
    flagged.push_back({{"sensor", meta.device + "/" + meta.sensor},
                       {"raised_at_s", ep.raise_time_s},
                       {"cleared_at_s", number_or_null(ep.clear_time_s)},
                       {"trigger_true_time_s", ep.trigger_true_time_s},
                       {"correct", static_cast<bool>(score.sensor_faults.episode_correct[k])}});
  }
  if (!flagged.empty()) report["sensor_fault_alerts"] = flagged;
  json by_cause = json::object();
  for (const auto& [cause, n] : score.attribution) by_cause[cause] = n;
  report["false_positive_attribution"] = {{"by_cause", by_cause},
                                          {"episodes", fps},
                                          {"episodes_listed", fps.size()},
                                          {"episodes_total", score.false_positives.size()}};

  if (!run.compared.empty()) {  // what each compared pipeline counted (its own counter names)
    json counters = json::object();
    for (const ComparedPipeline& c : run.compared) counters[c.name] = c.counters;
    report["compared_pipeline_counters"] = counters;
  }

  if (run.reconciliation) report["reconciliation"] = reconciliation_json(*run.reconciliation);

  json exp = json::array();
  bool all_held = true;
  for (const auto& r : expectations) {
    json row = {{"metric", r.bound.metric}, {"value", number_or_null(r.value)}, {"held", r.held}};
    if (r.bound.min) row["min"] = *r.bound.min;
    if (r.bound.max) row["max"] = *r.bound.max;
    exp.push_back(row);
    all_held = all_held && r.held;
  }
  report["expectations"] = exp;
  report["verdict"] = all_held ? "pass" : "fail";
  return report;
}

std::string human_summary(const RunData& run, const Score& score, const Metrics& metrics,
                          const std::vector<ExpectationResult>& expectations) {
  auto get = [&](const std::string& name) -> std::string {
    const auto it = metrics.find(name);
    if (it == metrics.end() || !it->second) return "n/a";
    const double v = *it->second;
    if (std::fabs(v) < 1e15 && std::floor(v) == v) return std::to_string(static_cast<std::int64_t>(v));
    return fmt(v, 4);
  };
  std::ostringstream os;
  os << "twinbed: " << run.scenario_name << " (seed " << run.seed << ", " << fmt(run.duration_s / 3600.0)
     << " h simulated, " << run.device_count << " devices, " << run.sensors.size() << " sensors)\n";
  os << "  samples   generated " << get("samples.generated") << ", delivered " << get("samples.delivered")
     << " (" << get("samples.delivered_fraction") << "), duplicated " << get("samples.duplicated")
     << ", lost " << get("samples.lost.total") << " (overflow " << get("samples.lost.buffer_overflow")
     << ", retries " << get("samples.lost.retries_exhausted") << ", reboot " << get("samples.lost.reboot")
     << ", broker " << get("samples.lost.broker") << "), undelivered at end "
     << get("samples.undelivered_at_end") << "\n";
  os << "  latency   p50 " << get("latency_s.p50") << " s, p99 " << get("latency_s.p99") << " s, max "
     << get("latency_s.max") << " s\n";
  os << "  alerts    " << run.episodes.size() << " episodes: " << score.true_positives << " true, "
     << score.false_positives.size() << " false; incidents " << get("incidents.detected") << "/"
     << get("incidents.count") << " detected; precision " << get("precision") << ", recall " << get("recall")
     << ", detection delay p50 " << get("detection_delay_s.p50") << " s\n";
  if (!score.false_positives.empty()) {
    os << "  false positives by cause:";
    for (const auto& [cause, n] : score.attribution) os << " " << cause << "=" << n;
    os << "\n";
  }
  if (!run.compared.empty()) {  // the comparison a user reads: one line per pipeline
    for (std::size_t k = 0; k <= run.compared.size(); ++k) {
      const std::string p = "pipelines." + (k == 0 ? run.pipeline_name : run.compared[k - 1].name) + ".";
      os << "  pipeline  " << (k == 0 ? run.pipeline_name + " (primary)" : run.compared[k - 1].name) << ": "
         << get(p + "alerts.episodes") << " episodes, false positives/day "
         << get(p + "false_positives.per_day") << ", recall " << get(p + "recall") << ", detection delay p50 "
         << get(p + "detection_delay_s.p50") << " s\n";
    }
  }
  if (run.reconciliation) {  // the checker's verdicts, one word per property
    os << "  reconcile";
    for (const PropertyVerdict& p : run.reconciliation->properties)
      os << " " << p.id << ":"
         << (p.verdict == Verdict::kPass   ? "pass"
             : p.verdict == Verdict::kFail ? "FAIL"
                                           : "n/a");
    os << "\n";
  }
  for (const auto& r : expectations) {
    os << "  expect    " << r.bound.metric << " = " << (r.value ? fmt(*r.value, 6) : "undefined");
    if (r.bound.min) os << ", min " << fmt(*r.bound.min, 6);
    if (r.bound.max) os << ", max " << fmt(*r.bound.max, 6);
    os << (r.held ? "  ok" : "  FAILED") << "\n";
  }
  return os.str();
}

}  // namespace twinbed::analysis
