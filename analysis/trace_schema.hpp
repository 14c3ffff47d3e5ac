// The trace schema in memory: what a run leaves behind for analysis.
//
// The simulator fills a RunData while it runs (ground truth beside the data);
// analysis reads only this (and pipeline types), so the same scoring runs
// in-process after a run or, later, offline on a trace file. The HDF5 layout
// of the same content is documented in docs/trace-format.md.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/latency_histogram.hpp"
#include "analysis/reconciliation_verdict.hpp"

namespace twinbed::analysis {

inline constexpr double kNever = std::numeric_limits<double>::infinity();

/// One labelled fault occurrence (kind, target, start, end, parameters).
/// Process events the simulator knows of (kind "load_change", fault_id
/// "(process)", target an asset) use the same label: they are not faults, but
/// they explain false alarms just as well.
struct FaultLabel {
  std::string fault_id;
  std::string kind;    ///< "drift", "emi_spike", "packet_loss", "outage"
  std::string target;  ///< "device/sensor" for value faults, a device id for network faults
  double start_s = 0;
  double end_s = 0;  ///< == start_s for an instant; may be the run's end
  std::string params_json;
};

/// A ground-truth window in which an asset is abnormal.
struct Incident {
  std::string asset;
  std::string kind = "bearing_wear_failure";
  double onset_s = 0;          ///< degradation starts (not yet abnormal)
  double abnormal_from_s = 0;  ///< wear passes the scenario's incident threshold: the incident starts
  double failure_s = kNever;   ///< the asset fails and stops (kNever: not within the run)
};

/// One alert episode: a raise and its clear (or the end of the run).
struct Episode {
  std::uint32_t sensor = 0;
  int severity = 1;
  double raise_time_s = 0;         ///< cloud time the alert was raised
  double clear_time_s = kNever;    ///< cloud time it cleared
  double trigger_true_time_s = 0;  ///< physical time of the reading that raised it
  double trigger_device_time_s = 0;
  double score = 0;
  std::uint8_t forged = 0;  ///< the triggering record was forged (a Forged kind): scored as that attack's
};

/// What ground truth says a received record is (/readings/received `forged`,
/// docs/faults.md "Adversarial faults").
enum class Forged : std::uint8_t { kGenuine = 0, kSpoofed = 1, kReplayed = 2, kTampered = 3 };
/// "spoof", "replay", "tamper" (the fault kinds), "" for a genuine record.
inline const char* forged_fault_kind(std::uint8_t forged) {
  switch (forged) {
    case 1:
      return "spoof";
    case 2:
      return "replay";
    case 3:
      return "tamper";
    default:
      return "";
  }
}

/// What one pipeline did with forged traffic (docs/metrics.md "Security").
struct PipelineSecurity {
  bool accepted_known = false;  ///< the pipeline reports acceptance (CloudPipeline::observe_accepted)
  std::uint64_t forged_records_accepted = 0;  ///< forged records it accepted into its detectors' state
  std::uint64_t genuine_dropped = 0;          ///< genuine readings it did not accept because of an attack
};

/// Forged traffic at the ingestion endpoint; `present` when the scenario has an adversarial fault.
struct SecurityFigures {
  bool present = false;
  std::uint64_t forged_messages = 0;  ///< spoofed and replayed messages, and tampered ones
  std::uint64_t forged_records = 0;   ///< records forged: the three below
  std::uint64_t spoofed_records = 0, replayed_records = 0, tampered_records = 0;
  PipelineSecurity primary;
  std::vector<PipelineSecurity> compared;  ///< parallel to RunData::compared
};

struct SensorMeta {
  std::string device;
  std::string sensor;
  std::string asset;
  std::string measurand;
};

/// Data-path accounting, exact per reading.
struct DataPath {
  std::uint64_t generated = 0;          ///< readings the firmware formed
  std::uint64_t missing_at_sensor = 0;  ///< samples a dropout fault took: never readings
  std::uint64_t delivered = 0;          ///< distinct readings that reached the cloud
  std::uint64_t duplicated = 0;         ///< extra copies that reached the cloud
  std::uint64_t lost_buffer_overflow = 0;
  std::uint64_t lost_retries_exhausted = 0;
  std::uint64_t lost_reboot = 0;          ///< in RAM (buffer or in flight) when the device rebooted
  std::uint64_t lost_broker = 0;          ///< acknowledged, then dropped by the broker (restart, expiry)
  std::uint64_t lost_unacknowledged = 0;  ///< sent once without acknowledgement and lost (QoS 0, unconfirmed)
  std::uint64_t lost_gateway = 0;         ///< received by a gateway, dropped when its buffer overflowed
  std::uint64_t lost_session = 0;  ///< in flight when a clean session was started (discarded by the client)
  std::uint64_t aggregated = 0;  ///< merged into an aggregate by a full device buffer (summarised, not lost)
  std::uint64_t lost_torn_write = 0;  ///< in a flash page being written when the power went
  /// Edge stages' policies (docs/pipeline.md), not losses: readings a deadband
  /// did not send, waveform samples a feature stage summarised.
  std::uint64_t suppressed_deadband = 0, summarised_features = 0;
  double device_link_utilisation_max =
      0.0;  ///< the busiest IP device's link: bytes × 8 / (bandwidth × duration)
  std::uint64_t flash_peak_records = 0, flash_pages_written = 0, flash_torn_pages = 0,
                flash_evicted_pages = 0;
  std::uint64_t missing_device_down = 0;    ///< not taken: the device was rebooting or its firmware stalled
  std::uint64_t undelivered_at_end = 0;     ///< still on a device, in flight or queued when the run ended
  std::uint64_t messages = 0;               ///< publishes formed
  std::uint64_t attempts = 0;               ///< publish attempts (first sends + retries)
  std::uint64_t lost_link = 0;              ///< attempts lost to packet loss
  std::uint64_t lost_outage = 0;            ///< attempts lost to a link outage
  std::uint64_t lost_partition = 0;         ///< attempts dropped by a network partition
  std::uint64_t network_duplicates = 0;     ///< extra copies the network delivered (duplication faults)
  std::uint64_t corrupted_detected = 0;     ///< corrupted messages caught by a checksum and dropped
  std::uint64_t corrupted_undetected = 0;   ///< corrupted messages delivered with a wrong value
  std::uint64_t rate_limited_messages = 0;  ///< messages that waited for a rate limiter's token
  std::uint64_t acks_lost = 0;
  std::uint64_t broker_rejected = 0;  ///< publishes refused by a full broker queue
  std::uint64_t bytes = 0;            ///< bytes of all attempts that entered the network
  std::uint64_t edge_buffer_peak_records = 0;
  std::uint64_t edge_buffer_overflows = 0;
  std::uint64_t broker_queue_peak_messages = 0;
  std::uint64_t broker_down_refusals = 0;          ///< publishes refused while the broker was down
  std::uint64_t broker_restart_lost_messages = 0;  ///< queued, not yet saved, when the broker restarted
  std::uint64_t broker_expired_messages = 0;       ///< older than message_ttl_s when forwarded
  std::uint64_t consumer_retries = 0;              ///< micro-batches the cloud consumer processed twice
  double clock_max_abs_error_s = 0.0;              ///< largest |device time − true time| of any stamp
  std::uint64_t clock_sync_steps = 0;              ///< clock steps by NTP / SNTP
  std::uint64_t clock_sync_refusals = 0;
  std::uint64_t clock_sync_polls = 0;      ///< NTP / SNTP requests sent
  std::uint64_t clock_sync_responses = 0;  ///< and answered
  /// Identity (docs/firmware.md): tracked when a device's reboot restarts
  /// both its boot epoch and its sequence. Genuine readings and events that
  /// reached the cloud under a (device, boot, seq) id another distinct one
  /// had already reached it with: a de-duplication by id drops them.
  bool ids_tracked = false;
  std::uint64_t id_collisions = 0;
  /// Device events (firmware `events`; reported when a device has it on).
  bool events_reported = false;
  std::uint64_t events_recorded = 0, events_delivered = 0, events_duplicated = 0, events_lost = 0,
                events_undelivered_at_end = 0;
  /// Gap notices (firmware `gap_notices`; reported when a device has it on):
  /// notices put in messages, their header bytes, notices dropped from a full
  /// list, and lost with RAM at a reboot.
  bool gap_notices_on = false;
  std::uint64_t gap_notices_sent = 0, gap_notices_header_bytes = 0, gap_notices_dropped = 0,
                gap_notices_lost_reboot = 0;
};

/// What one protocol carried, over every device that uses it (docs/metrics.md).
struct ProtocolFigures {
  std::uint64_t devices = 0;
  std::uint64_t messages = 0;       ///< distinct messages sent
  std::uint64_t transmissions = 0;  ///< sends, retransmissions included
  std::uint64_t bytes = 0;          ///< bytes put on the device's link or radio (every transmission)
  std::uint64_t lost = 0;           ///< transmissions that did not arrive (any cause)
  std::uint64_t collisions = 0;     ///< LoRa frames lost to a collision at the gateway
  std::uint64_t acks_lost = 0;      ///< arrived, but the sender saw no acknowledgement
  std::uint64_t duplicates_delivered =
      0;  ///< copies of an already delivered message handed on to the pipeline
  std::uint64_t duplicates_suppressed =
      0;                              ///< resent copies the receiver recognised (QoS 2, CoAP, LoRaWAN FCnt)
  std::uint64_t control_retries = 0;  ///< MQTT QoS 2: PUBREL resends
  std::uint64_t psm_wake_ups = 0;     ///< LTE-M: messages (and pings) that had to wake the modem first
  std::uint64_t keepalive_pings = 0;  ///< MQTT PINGREQs sent
  std::uint64_t keepalive_disconnects = 0;  ///< connections the client closed: no PINGRESP
  std::uint64_t sessions_expired = 0;       ///< MQTT: reconnections that found the persistent session expired
  std::uint64_t downlinks_rx1 = 0, downlinks_rx2 = 0;  ///< LoRa: ACKs the gateway sent in each window
  std::uint64_t downlinks_refused = 0;          ///< LoRa: ACKs the gateway could not send (duty cycle, busy)
  std::uint64_t lost_gateway_transmitting = 0;  ///< LoRa: uplinks lost while their gateway transmitted
  std::uint64_t handshakes = 0;                 ///< HTTP: new TCP connections (a handshake each)
  std::uint64_t tls_handshakes = 0;             ///< HTTP: full TLS handshakes on them
  std::uint64_t timeouts = 0;                   ///< HTTP: attempts unanswered within the request timeout
  std::uint64_t error_responses = 0;            ///< HTTP: error statuses received (408, 429, 5xx)
  std::uint64_t bytes_down = 0;                 ///< HTTP: bytes from the server (handshakes, responses)
  double airtime_s = 0.0;                       ///< radios: time on air
  double duty_cycle_wait_s = 0.0;               ///< LoRa: time frames waited for the duty-cycle budget
  double duty_cycle_use_max = 0.0;              ///< LoRa: the busiest device's air time / (duration × limit)
};

/// The protocols a report always lists (zeros for those a run does not use).
inline const std::vector<std::string>& protocol_kinds() {
  static const std::vector<std::string> k = {"mqtt", "coap", "lte_m", "lorawan", "ble", "zigbee", "http"};
  return k;
}

/// One device's figures (the report lists them for plants of up to
/// kPerDeviceReportLimit devices; docs/metrics.md).
struct DeviceFigures {
  std::string id, protocol;
  std::uint64_t generated = 0, delivered = 0, duplicated = 0;
  std::uint64_t lost = 0;                  ///< every cause
  std::uint64_t lost_buffer_overflow = 0;  ///< its edge buffer's overflow policy
  std::uint64_t aggregated = 0;            ///< merged into aggregates by its edge buffer (not lost)
  std::uint64_t edge_buffer_peak_records = 0, edge_buffer_overflows = 0;
  /// The longest run of consecutive readings (in the device's time order)
  /// none of which reached the cloud, ended by one that did.
  std::uint64_t largest_gap_readings = 0;
  std::vector<double> drains_s;            ///< each backlog's drain time: reconnection to drained, s
  double clock_max_abs_error_s = 0.0;      ///< the largest |device time − true time| of its stamps
  std::optional<double> link_utilisation;  ///< IP devices: bytes × 8 / (link bandwidth × duration)
  /// Listed when any device of the run has transforming edge stages: the
  /// messages it formed, and (IP devices) the bytes of every attempt on its link.
  std::optional<double> messages, bytes;
  // Battery devices only (unset for mains-powered ones).
  std::optional<double> energy_mah;     ///< charge drawn over the run
  std::optional<double> lifetime_days;  ///< usable charge / average current (the real one if depleted)
  std::optional<double> depleted_at_s;  ///< when it browned out, if it did
};
inline constexpr std::size_t kPerDeviceReportLimit = 1000;
/// Gateways' store and forward, over every gateway.
struct GatewayFigures {
  std::uint64_t received_messages = 0;        ///< messages from radio devices
  std::uint64_t forwarded_publishes = 0;      ///< MQTT publishes to the broker over the backhaul
  std::uint64_t failed_forwards = 0;          ///< publishes lost to a backhaul outage (resent)
  std::uint64_t buffer_peak_records = 0;      ///< the fullest gateway buffer
  std::uint64_t overflow_records = 0;         ///< readings dropped by full gateway buffers
  double lora_channel_utilisation_max = 0.0;  ///< busiest gateway: LoRa air time / (duration × channels)
  double backhaul_utilisation_max = 0.0;      ///< busiest backhaul: bytes × 8 / (bandwidth × duration)
  std::uint64_t http_connections = 0;         ///< gateways forwarding by HTTP: connections opened
};

/// A figure of the report: name and value (no value: undefined, written as null).
using Figure = std::pair<const char*, std::optional<double>>;

/// Each group's figures in one list, read by the report (values) and by the
/// metric catalogue (names, from a default-constructed group).
inline std::vector<Figure> figures_of(const ProtocolFigures& p) {
  auto n = [](std::uint64_t v) { return std::optional<double>(static_cast<double>(v)); };
  return {{"devices", n(p.devices)},
          {"messages", n(p.messages)},
          {"transmissions", n(p.transmissions)},
          {"retransmissions", n(p.transmissions - std::min(p.transmissions, p.messages))},
          {"bytes", n(p.bytes)},
          {"lost", n(p.lost)},
          {"collisions", n(p.collisions)},
          {"acks_lost", n(p.acks_lost)},
          {"duplicates_suppressed", n(p.duplicates_suppressed)},
          {"duplicates_delivered", n(p.duplicates_delivered)},
          {"control_retries", n(p.control_retries)},
          {"psm_wake_ups", n(p.psm_wake_ups)},
          {"keepalive_pings", n(p.keepalive_pings)},
          {"keepalive_disconnects", n(p.keepalive_disconnects)},
          {"sessions_expired", n(p.sessions_expired)},
          {"downlinks_rx1", n(p.downlinks_rx1)},
          {"downlinks_rx2", n(p.downlinks_rx2)},
          {"downlinks_refused", n(p.downlinks_refused)},
          {"lost_gateway_transmitting", n(p.lost_gateway_transmitting)},
          {"handshakes", n(p.handshakes)},
          {"tls_handshakes", n(p.tls_handshakes)},
          {"timeouts", n(p.timeouts)},
          {"error_responses", n(p.error_responses)},
          {"bytes_down", n(p.bytes_down)},
          {"airtime_s", p.airtime_s},
          {"duty_cycle_wait_s", p.duty_cycle_wait_s},
          {"duty_cycle_use_max", p.duty_cycle_use_max}};
}
inline std::vector<Figure> figures_of(const GatewayFigures& g) {
  auto n = [](std::uint64_t v) { return std::optional<double>(static_cast<double>(v)); };
  return {{"received_messages", n(g.received_messages)},
          {"forwarded_publishes", n(g.forwarded_publishes)},
          {"failed_forwards", n(g.failed_forwards)},
          {"buffer_peak_records", n(g.buffer_peak_records)},
          {"overflow_records", n(g.overflow_records)},
          {"lora_channel_utilisation_max", g.lora_channel_utilisation_max},
          {"backhaul_utilisation_max", g.backhaul_utilisation_max},
          {"http_connections", n(g.http_connections)}};
}
inline std::vector<Figure> figures_of(const DeviceFigures& d) {
  auto n = [](std::uint64_t v) { return std::optional<double>(static_cast<double>(v)); };
  std::optional<double> worst;
  for (double t : d.drains_s) worst = std::max(worst.value_or(t), t);
  return {{"generated", n(d.generated)},
          {"delivered", n(d.delivered)},
          {"duplicated", n(d.duplicated)},
          {"lost", n(d.lost)},
          {"lost_buffer_overflow", n(d.lost_buffer_overflow)},
          {"aggregated", n(d.aggregated)},
          {"edge_buffer_peak_records", n(d.edge_buffer_peak_records)},
          {"edge_buffer_overflows", n(d.edge_buffer_overflows)},
          {"largest_gap_readings", n(d.largest_gap_readings)},
          {"drains", n(d.drains_s.size())},
          {"drain_time_s_max", worst},
          {"clock_max_abs_error_s", d.clock_max_abs_error_s},
          {"link_utilisation", d.link_utilisation},
          {"messages", d.messages},
          {"bytes", d.bytes},
          {"energy_mah", d.energy_mah},
          {"lifetime_days", d.lifetime_days},
          {"depleted_at_s", d.depleted_at_s}};
}

/// A queueing station: the broker (one server) or cloud ingestion (its
/// workers). Messages enter its queue, wait, are served and leave (to the
/// bridge, or into the pipeline); the figures are what queueing theory
/// predicts (docs/metrics.md): L (time-averaged messages in the station,
/// waiting and in service), W (sojourn, arrival to departure) and ρ.
struct ServiceFigures {
  std::uint64_t servers = 1;
  std::uint64_t arrivals = 0;    ///< messages that entered its queue
  std::uint64_t served = 0;      ///< messages that left it served
  std::uint64_t queue_peak = 0;  ///< most messages in the station at once
  double queue_mean = 0.0;       ///< time-averaged messages in the station
  double utilisation = 0.0;      ///< busy server time / (duration × servers)
  LatencyHistogram sojourn_s;    ///< per served message: arrival to departure
};
inline std::vector<Figure> figures_of(const ServiceFigures& s) {
  auto n = [](std::uint64_t v) { return std::optional<double>(static_cast<double>(v)); };
  auto q = [&s](double v) { return s.sojourn_s.count() ? std::optional<double>(v) : std::nullopt; };
  return {{"servers", n(s.servers)},
          {"arrivals", n(s.arrivals)},
          {"served", n(s.served)},
          {"queue_depth.max", n(s.queue_peak)},
          {"queue_depth.mean", s.queue_mean},
          {"utilisation", s.utilisation},
          {"sojourn_s.mean", q(s.sojourn_s.mean())},
          {"sojourn_s.p50", q(s.sojourn_s.quantile(0.5))},
          {"sojourn_s.p99", q(s.sojourn_s.quantile(0.99))},
          {"sojourn_s.max", q(s.sojourn_s.max())}};
}

/// Over-the-air updates (ota_update faults), over every device offered one.
struct OtaFigures {
  std::uint64_t offered = 0;           ///< devices offered an update (before the run's end)
  std::uint64_t committed = 0;         ///< the new image confirmed: the active slot switched
  std::uint64_t rolled_back = 0;       ///< trial boots failed: back to the old image
  std::uint64_t corrupt_rejected = 0;  ///< the image failed verification
  std::uint64_t unfinished = 0;        ///< still downloading or on trial when the run ended
  std::uint64_t interrupted_downloads = 0;
  std::uint64_t bytes_downloaded = 0;  ///< image bytes kept (received again after a rewind included)
  std::uint64_t bytes_wasted = 0;      ///< segments cut by an outage or a reboot and thrown away
  std::uint64_t trial_boots = 0, failed_boots = 0;
  double update_time_s_max = 0.0, update_time_s_sum = 0.0;  ///< offer to commit
};
inline std::vector<Figure> figures_of(const OtaFigures& o) {
  auto n = [](std::uint64_t v) { return std::optional<double>(static_cast<double>(v)); };
  return {{"offered", n(o.offered)},
          {"committed", n(o.committed)},
          {"rolled_back", n(o.rolled_back)},
          {"corrupt_rejected", n(o.corrupt_rejected)},
          {"unfinished", n(o.unfinished)},
          {"interrupted_downloads", n(o.interrupted_downloads)},
          {"bytes_downloaded", n(o.bytes_downloaded)},
          {"bytes_wasted", n(o.bytes_wasted)},
          {"trial_boots", n(o.trial_boots)},
          {"failed_boots", n(o.failed_boots)},
          {"update_time_s.max", o.committed ? std::optional<double>(o.update_time_s_max) : std::nullopt},
          {"update_time_s.mean",
           o.committed ? std::optional<double>(o.update_time_s_sum / static_cast<double>(o.committed))
                       : std::nullopt}};
}

/// Edge stages' local decisions (docs/pipeline.md).
struct EdgeFigures {
  std::uint64_t interlock_trips = 0;
  std::uint64_t false_trips = 0;              ///< the asset was not abnormal when it tripped
  double lost_production_s = 0.0;             ///< time assets stood stopped by trips (to the run's end)
  double false_stop_lost_production_s = 0.0;  ///< of which by false trips
  // Transforming stages (all devices).
  std::uint64_t derived_records = 0;      ///< feature and event records the stages made
  std::uint64_t events = 0;               ///< of which local events (alarm priority)
  std::uint64_t feature_windows = 0;      ///< waveform windows summarised
  std::uint64_t deadband_heartbeats = 0;  ///< readings sent only because max_silence_s had passed
  /// Feature records whose truth is known: |sent - true| / max(|true|, 1e-9), the worst and the mean, per
  /// feature.
  struct FeatureError {
    std::uint64_t records = 0;
    double rel_error_max = 0, rel_error_sum = 0;
  };
  std::map<std::string, FeatureError> feature_errors;  ///< by feature name
  /// Local events by event id (all devices with it): how many, and the true
  /// time of the reading that completed the first one's run (report:
  /// edge.event.<id>.count, edge.event.<id>.first_s).
  struct EventFigure {
    std::uint64_t count = 0;
    double first_s = 0;
  };
  std::map<std::string, EventFigure> event_by_id;
  // The int8 detectors and their float shadows (all devices).
  std::uint64_t detectors = 0, detectors_trained = 0;
  std::uint64_t detector_evaluations = 0, detector_alarms_int8 = 0, detector_alarms_float = 0;
  std::uint64_t detector_disagreements = 0;  ///< evaluations whose alarm state differs
  double detector_rel_error_max = 0, detector_rel_error_sum = 0;
  std::uint64_t detector_trips = 0;  ///< int8 decisions (also in interlock_trips)
};
inline std::vector<Figure> figures_of(const EdgeFigures& e) {
  auto n = [](std::uint64_t v) { return std::optional<double>(static_cast<double>(v)); };
  std::vector<Figure> f = {{"interlock_trips", static_cast<double>(e.interlock_trips)},
                           {"false_trips", static_cast<double>(e.false_trips)},
                           {"lost_production_s", e.lost_production_s},
                           {"false_stop_lost_production_s", e.false_stop_lost_production_s},
                           {"derived_records", n(e.derived_records)},
                           {"events", n(e.events)},
                           {"feature_windows", n(e.feature_windows)},
                           {"deadband_heartbeats", n(e.deadband_heartbeats)}};
  // Figure names are literals: one pair per feature.
  static constexpr std::array<std::array<const char*, 3>, 4> kFeatureFigures = {
      {{"rms", "feature.rms.rel_error_max", "feature.rms.rel_error_mean"},
       {"peak", "feature.peak.rel_error_max", "feature.peak.rel_error_mean"},
       {"crest_factor", "feature.crest_factor.rel_error_max", "feature.crest_factor.rel_error_mean"},
       {"kurtosis", "feature.kurtosis.rel_error_max", "feature.kurtosis.rel_error_mean"}}};
  for (const auto& [name, max_name, mean_name] : kFeatureFigures) {
    const auto it = e.feature_errors.find(name);
    const bool any = it != e.feature_errors.end() && it->second.records > 0;
    f.push_back({max_name, any ? std::optional<double>(it->second.rel_error_max) : std::nullopt});
    f.push_back({mean_name, any ? std::optional<double>(it->second.rel_error_sum /
                                                        static_cast<double>(it->second.records))
                                : std::nullopt});
  }
  const bool scored = e.detector_evaluations > 0;
  const auto evals = static_cast<double>(e.detector_evaluations);
  f.push_back({"detector.count", n(e.detectors)});
  f.push_back({"detector.trained", n(e.detectors_trained)});
  f.push_back({"detector.evaluations", n(e.detector_evaluations)});
  f.push_back({"detector.alarms_int8", n(e.detector_alarms_int8)});
  f.push_back({"detector.alarms_float", n(e.detector_alarms_float)});
  f.push_back({"detector.disagreements", n(e.detector_disagreements)});
  f.push_back({"detector.agreement",
               scored ? std::optional<double>(1.0 - static_cast<double>(e.detector_disagreements) / evals)
                      : std::nullopt});
  f.push_back({"detector.score_rel_error_max",
               scored ? std::optional<double>(e.detector_rel_error_max) : std::nullopt});
  f.push_back({"detector.score_rel_error_mean",
               scored ? std::optional<double>(e.detector_rel_error_sum / evals) : std::nullopt});
  f.push_back({"detector.trips", n(e.detector_trips)});
  return f;
}

/// A detector's claimed false-alarm rate and its decisions (analysis/calibration.hpp).
struct CalibratedDecisions {
  std::string name;
  double claimed_false_alarm_rate = 0;
  std::vector<std::uint32_t> sensors;
  std::vector<double> decision_times_s;
  std::vector<std::uint8_t> alarms;
};

/// A pipeline run beside the primary one on the same arrivals
/// (`compare_pipelines`, docs/pipeline.md): its alerts, scored alike.
struct ComparedPipeline {
  std::string name;
  std::vector<Episode> episodes;
  std::vector<Episode> sensor_fault_episodes;
  std::map<std::string, std::uint64_t> counters;
};

/// The control room's stops on alerts (`operator`, docs/pipeline.md "Closed loop").
struct OperatorFigures {
  std::uint64_t commands_issued = 0;     ///< alerts acted on: a stop command sent
  std::uint64_t commands_delivered = 0;  ///< reached the device and carried out
  std::uint64_t commands_expired = 0;    ///< undelivered within command_ttl_s (device offline)
  std::uint64_t commands_pending_at_end = 0;
  std::uint64_t stops = 0;         ///< of which stopped a running asset
  std::uint64_t false_stops = 0;   ///< the asset was not abnormal when it stopped
  double lost_production_s = 0.0;  ///< time assets stood stopped by commands (to the run's end)
  double false_stop_lost_production_s = 0.0;
  double command_latency_s_max = 0.0, command_latency_s_sum = 0.0;  ///< alert raised to stop carried out
};
inline std::vector<Figure> figures_of(const OperatorFigures& o) {
  auto n = [](std::uint64_t v) { return std::optional<double>(static_cast<double>(v)); };
  const auto d = o.commands_delivered;
  return {{"commands_issued", n(o.commands_issued)},
          {"commands_delivered", n(d)},
          {"commands_expired", n(o.commands_expired)},
          {"commands_pending_at_end", n(o.commands_pending_at_end)},
          {"stops", n(o.stops)},
          {"false_stops", n(o.false_stops)},
          {"lost_production_s", o.lost_production_s},
          {"false_stop_lost_production_s", o.false_stop_lost_production_s},
          {"command_latency_s.max", d ? std::optional<double>(o.command_latency_s_max) : std::nullopt},
          {"command_latency_s.mean",
           d ? std::optional<double>(o.command_latency_s_sum / static_cast<double>(d)) : std::nullopt}};
}

struct RunData {
  std::string scenario_name;
  std::string scenario_file;
  std::uint64_t seed = 0;
  double duration_s = 0;
  std::size_t device_count = 0;
  std::size_t gateway_count = 0;
  std::size_t devices_per_gateway_max = 0;  ///< the largest fan-in behind one gateway
  std::vector<SensorMeta> sensors;
  std::vector<Incident> incidents;
  std::vector<FaultLabel> faults;
  std::vector<Episode> episodes;  ///< the primary pipeline's process alerts
  /// Its sensor-fault alerts (AlertKind::kSensorFault): a sensor flagged as
  /// untrustworthy, not a plant alarm; scored apart from `episodes`.
  std::vector<Episode> sensor_fault_episodes;
  DataPath data;
  LatencyHistogram latency_all, latency_during_outage, latency_outside_outage;
  /// Readings the device sent as alarms (ahead of its buffer), and readings
  /// taken while the device drained a backlog (since its reconnection).
  LatencyHistogram latency_alarm, latency_live_during_drain;
  std::map<std::string, std::uint64_t> pipeline_counters;
  std::string pipeline_name = "reference";      ///< the primary pipeline's name (its episodes: `episodes`)
  std::vector<ComparedPipeline> compared;       ///< pipelines run beside it, in scenario order
  std::vector<CalibratedDecisions> calibrated;  ///< the primary's calibrated detectors
  std::map<std::string, ProtocolFigures> protocols;  ///< by protocol kind
  GatewayFigures gateways;
  ServiceFigures broker, cloud;
  OtaFigures ota;
  EdgeFigures edge;
  OperatorFigures operator_stops;
  SecurityFigures security;
  std::vector<DeviceFigures> devices;  ///< in scenario order
  /// The reconciliation checker's verdicts on the primary pipeline's cloud
  /// log (docs/reconciliation.md): set when the pipeline kept a log and the
  /// trace level was full.
  std::optional<ReconciliationVerdicts> reconciliation;
};

}  // namespace twinbed::analysis
