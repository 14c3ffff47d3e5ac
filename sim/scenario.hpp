// Scenario: the validated, expanded in-memory form of a scenario file (format v1).
//
// load_scenario() reads the JSON, checks every key against the schema
// (docs/scenario-format.md), expands "count" templates into individual ids,
// resolves every reference (sensor -> asset, device -> gateway, fault ->
// targets) and throws ScenarioError listing every problem. Nothing runs on a
// scenario that did not load.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/trace_schema.hpp"
#include "devices/edge_firmware.hpp"
#include "devices/energy_model.hpp"
#include "devices/ota_update.hpp"
#include "devices/pump.hpp"
#include "devices/recorded_table.hpp"
#include "devices/sensor.hpp"
#include "faults/adversarial.hpp"
#include "faults/device_clock.hpp"
#include "faults/gilbert_elliott.hpp"
#include "faults/value_faults.hpp"
#include "pipeline/reference_pipeline.hpp"
#include "sim/json_reader.hpp"
#include "sim/net/ble.hpp"
#include "sim/net/coap.hpp"
#include "sim/net/http.hpp"
#include "sim/net/lorawan.hpp"
#include "sim/net/lte_m.hpp"
#include "sim/net/zigbee.hpp"
#include "sim/recorded_reader.hpp"

namespace twinbed::sim {

inline constexpr int kScenarioFormatVersion = 1;

struct LinkSpec {
  double bandwidth_bps = 1e6;
  double latency_s = 0.01;
};

/// A ground-truth incident of a recorded asset, in the recording's time base
/// (the run's window is shifted by the asset's time_offset_s).
struct RecordedIncidentSpec {
  std::string id;
  double from_s = 0.0;
  std::optional<double> to_s;  ///< unset: abnormal to the end of the run
};

/// A recorded-data asset (model "recorded"): its table, read once at load
/// and shared by its sensors, how it plays, and its incidents.
struct RecordedAssetSpec {
  RecordedSourceSpec source;
  std::shared_ptr<const devices::RecordedTable> table;
  devices::PlaybackOptions playback;
  std::vector<RecordedIncidentSpec> incidents;
};

struct AssetSpec {
  std::string id;
  std::string model = "pump";
  devices::PumpParams pump;
  std::string line;  ///< production line or area (optional): fault selectors can pick by it
  std::optional<RecordedAssetSpec> recorded;  ///< model "recorded"
};

struct SensorSpec {
  std::string id;      ///< unique within its device
  std::string asset;   ///< id of the asset it observes
  std::string signal;  ///< e.g. "vibration_rms"
  devices::SensorParams params;
  devices::AlarmLimits alarm;  ///< the firmware's alarm limits (none by default)
  std::string path;            ///< its JSON path in the scenario (for messages)
  bool range_given = true;     ///< false: the range is the default for its signal
};

struct MqttSpec {
  int qos = 1;
  double ack_timeout_s = 5.0;
  int max_attempts = 0;
  std::size_t max_batch_records = 600;
  double reconnect_interval_s = 10.0;
  /// Messages sent and not yet acknowledged, at most (MQTT 5 Receive
  /// Maximum; mosquitto's max_inflight_messages). 1: one at a time, as
  /// small embedded clients do.
  std::size_t max_inflight = 1;
  double keep_alive_s = 60.0;  ///< 0: no keep-alive
  /// A clean session discards the in-flight messages at each reconnection
  /// (MQTT 3.1.1 CleanSession = 1); a persistent session resends them.
  bool clean_session = false;
  /// A persistent session the broker keeps at most this long after the
  /// client disconnected (MQTT 5 Session Expiry Interval; mosquitto's
  /// persistent_client_expiration for 3.1.1). +inf: kept for ever.
  double session_expiry_s = std::numeric_limits<double>::infinity();
};

/// How a device reaches the plant (docs/networks.md). IP protocols (MQTT,
/// CoAP, MQTT over LTE-M, HTTP) go over the device's link to the broker
/// host; radio protocols (LoRaWAN, BLE, Zigbee) go to the device's gateway,
/// which translates to MQTT and stores and forwards over its backhaul.
/// In the order of analysis::protocol_kinds(), which names them.
enum class Protocol : std::uint8_t { kMqtt, kCoap, kLteM, kLorawan, kBle, kZigbee, kHttp };

/// HTTP: how the ingestion endpoint answers (for tests and what-ifs). Each
/// request that reaches it is refused with `error_status` with probability
/// `error_probability` (drawn per device from (seed, device id,
/// "http_server")), with a Retry-After of `retry_after_s` when >= 0.
struct HttpServerSpec {
  double error_probability = 0.0;
  int error_status = 503;
  double retry_after_s = -1.0;
};

struct ProtocolSpec {
  Protocol id = Protocol::kMqtt;
  bool is(Protocol p) const { return id == p; }
  /// The kind as a scenario writes it: mqtt | coap | lte_m | lorawan | ble | zigbee | http.
  const std::string& name() const { return analysis::protocol_kinds()[static_cast<std::size_t>(id)]; }
  // LoRaWAN
  net::LoraRegion region = net::LoraRegion::kEu868;
  int data_rate = 5;
  bool confirmed = false;     ///< confirmed uplinks: an ACK in RX1, retransmissions up to max_transmissions
  int max_transmissions = 8;  ///< NbTrans for confirmed uplinks
  double rssi_lo_dbm = -110,
         rssi_hi_dbm = -110;  ///< mean signal at the gateway, drawn per device in [lo, hi]
  double fading_db = 0.0;     ///< per-frame normal fading, standard deviation
  int channels = 3;           ///< uplink channels the device hops over (EU868 default: 3)
  double duty_cycle = 0.01;   ///< sub-band limit (EU868: 1 %; 1 = none)
  /// Radio payload encoding: a header per message plus a compact record
  /// (sensor, time offset, value), bytes.
  std::uint32_t header_bytes = 2, record_bytes = 6;
  net::BleParams ble;
  net::ZigbeeParams zigbee;
  net::LteMParams lte_m;
  net::CoapParams coap;
  net::HttpParams http;
  HttpServerSpec http_server;

  bool via_gateway() const {
    return id == Protocol::kLorawan || id == Protocol::kBle || id == Protocol::kZigbee;
  }
  std::uint64_t radio_bytes(std::size_t records) const { return header_bytes + record_bytes * records; }
};

struct DeviceSpec {
  std::string id;
  std::string gateway;
  LinkSpec link{250e3, 0.01};
  double publish_interval_s = 10.0;
  /// "poisson": publish at exponential intervals of mean publish_interval_s
  /// (devices that report on change); otherwise a fixed period.
  bool publish_poisson = false;
  /// Offset of the first publish within the interval. Real devices boot at
  /// different times; a plant that publishes in lockstep is both unrealistic
  /// and a worst case for the simulator. Default: drawn per device.
  std::optional<double> publish_phase_s;
  /// The drawn phase is a whole multiple of this grid (0: continuous). Devices
  /// whose ticks share an instant share one simulation step, and SimGrid's
  /// cost is per step far more than per actor woken (docs/design.md).
  double publish_phase_grid_s = 0.1;
  double cpu_flops = 1e8;
  devices::LocalClock clock;
  /// The full clock model (ageing, random walk, periodic error, discipline);
  /// set only when the scenario asks for more than offset and skew.
  std::optional<faults::ClockParams> clock_model;
  /// NTP / SNTP exchanges go over the device's modelled route (IP devices;
  /// radio devices and "ideal" use the abstract measurement error).
  bool sync_over_network = true;
  /// clock.sync_bound_s: the uncertainty a device without a sync model
  /// declares on its timestamps (+inf: none claimed).
  double sync_bound_s = std::numeric_limits<double>::infinity();
  /// clock.monotonic_error_ppm: the rate error of its uptime counter.
  double monotonic_error_ppm = 0.0;
  /// devices[].firmware (docs/firmware.md): records carry time metadata (HLC,
  /// declared uncertainty, uptime); the device reports events (interlock
  /// trips, commands applied, HMI setpoints, restarts).
  bool time_metadata = false;
  bool report_events = false;
  /// firmware.gap_notices: the device declares what its policy dropped in
  /// its next message's header (at most gap_notice_capacity ranges held).
  bool gap_notices = false;
  std::size_t gap_notice_capacity = 16;
  std::size_t buffer_capacity_records = 10000;
  devices::OverflowPolicy overflow = devices::OverflowPolicy::kDropOldest;
  /// A backlog drains at no more than this many readings per second (0: no limit).
  double drain_records_per_s = 0.0;
  std::size_t alarm_capacity_records = 256;  ///< alarm readings waiting, at most
  devices::FlashParams flash;                ///< its flash store (none by default)
  /// Edge stages: local interlocks (docs/pipeline.md), by sensor index within the device.
  struct Interlock {
    std::size_t sensor = 0;  ///< index in `sensors`
    double trip_above = 0;
    int debounce_readings = 3;
    bool offline_only = true;
    double restart_after_s = 3600;  ///< an operator restarts the asset this long after the trip
  };
  std::vector<Interlock> interlocks;
  /// Transforming edge stages and the int8 detector (docs/pipeline.md), run in
  /// a fixed order: normalise, filters, features, events, deadband; then the
  /// decisions (interlocks, detector). Sensors by index within the device;
  /// derived channels by id ("<sensor>.<feature>" for features, the event's id).
  struct EdgeStages {
    struct Normalise {
      std::size_t sensor = 0;
      std::string raw_unit = "mA";
      double raw_lo = 4, raw_hi = 20;  ///< the transmitter's raw span, mapped onto the sensor's range
    };
    struct Filter {
      std::size_t sensor = 0;
      bool median = false;
      double alpha = 0.2;
      int window = 5;
    };
    struct Features {
      std::size_t sensor = 0;
      int window = 1024;
      std::vector<std::string> emit;  ///< of "rms", "peak", "crest_factor", "kurtosis"
    };
    struct Event {
      std::string id;     ///< the event channel's id
      std::string watch;  ///< a sensor id or a feature channel id
      double trip_above = 0, clear_below = 0;
      int debounce = 1;
    };
    struct Deadband {
      std::size_t sensor = 0;
      double deadband = 0, deadband_percent = 0;
      double max_silence_s = 3600;
    };
    struct Detector {
      std::vector<std::string> channels;  ///< sensor ids or feature channel ids
      double train_from_s = 0, train_until_s = 3600;
      double threshold = 30;
      int debounce = 3;
      bool offline_only = true;
      bool decide = true;
      double input_range_sigma = 8;
      double restart_after_s = 3600;
    };
    std::vector<Normalise> normalise;
    std::vector<Filter> filters;
    std::vector<Features> features;
    std::vector<Event> events;
    std::vector<Deadband> deadband;
    std::optional<Detector> detector;
    bool transforms() const {
      return !normalise.empty() || !filters.empty() || !features.empty() || !events.empty() ||
             !deadband.empty();
    }
    bool any() const { return transforms() || detector.has_value(); }
  };
  EdgeStages edge;
  MqttSpec mqtt;
  ProtocolSpec protocol;
  /// A battery device: its energy is accounted, and it browns out when the
  /// battery is spent (docs/firmware.md). Unset: mains powered.
  std::optional<devices::EnergyParams> battery;
  std::vector<SensorSpec> sensors;
  /// It speaks MQTT to the broker itself (over its link or LTE-M).
  bool uses_mqtt() const { return protocol.id == Protocol::kMqtt || protocol.id == Protocol::kLteM; }
  /// The sender never learns a message's fate (MQTT QoS 0, CoAP NON, LoRaWAN unconfirmed).
  bool fire_and_forget() const {
    switch (protocol.id) {
      case Protocol::kLorawan:
        return !protocol.confirmed;
      case Protocol::kCoap:
        return !protocol.coap.confirmable;
      case Protocol::kMqtt:
      case Protocol::kLteM:
        return mqtt.qos == 0;
      default:
        return false;
    }
  }
};

struct GatewaySpec {
  std::string id;
  LinkSpec backhaul{10e6, 0.02};
  double cpu_flops = 1e9;
  /// Store and forward for the radio devices behind it: what it received,
  /// held until the backhaul carries it to the broker.
  std::size_t buffer_capacity_records = 100000;
  devices::OverflowPolicy overflow = devices::OverflowPolicy::kDropOldest;
  double forward_interval_s = 1.0;  ///< it forwards what it holds at most this often (one MQTT publish)
  net::GatewayRadio::Options lora;  ///< LoRa receivers: capture effect and its threshold
  /// How it forwards to the cloud: MQTT publishes (unset) or HTTP POSTs with this client.
  std::optional<net::HttpParams> http_uplink;
  /// LoRa downlinks: RX2's data rate (unset: the region's default, EU868 DR0)
  /// and RX1's data-rate offset.
  std::optional<int> lora_rx2_data_rate;
  int lora_rx1_dr_offset = 0;
};

struct BrokerSpec {
  std::string id = "broker";
  LinkSpec link{1e9, 0.001};
  double cpu_flops = 2e9;
  double cost_flops_per_message = 2e4;
  std::size_t queue_limit_messages = 100000;
  /// The bridge to the cloud forwards in micro-batches: it waits this long
  /// after the first message before forwarding everything queued (0 = at once).
  double forward_linger_s = 0.1;
  /// Messages older than this when the bridge would forward them are dropped
  /// (MQTT message expiry); +inf: never.
  double message_ttl_s = std::numeric_limits<double>::infinity();
};

/// Cloud ingestion: `workers` consumers (one CPU core each) take messages
/// from one queue and run the pipeline on them.
struct CloudSpec {
  std::string id = "cloud";
  LinkSpec link{1e9, 0.001};
  double cpu_flops = 1e10;  ///< per core
  int workers = 1;
  /// Most messages a worker takes at once (0: everything queued, a micro-batch).
  std::size_t max_batch_messages = 0;
  /// A message's service time, drawn per message; unset: the pipeline's
  /// cost_flops_per_record × records on one core.
  std::optional<faults::Law> service_time_s;
};

/// One fault spec after its targets were resolved.
/// Couples a fault to an asset's state: active only while the asset runs
/// (has not failed) with a load at or above `load_above` (EMI from a motor or
/// a variable-frequency drive).
struct CouplingSpec {
  std::string asset;  ///< empty: the sensor's own asset
  double load_above = 0.0;
};

/// Fault kinds that act on a device's link (targets are devices, or gateways).
/// Fault kinds that act on a device, its link or its clock (targets are
/// devices, or gateways: every device behind them).
inline const std::vector<std::string> kNetworkFaultKinds = {
    "packet_loss",    "outage",           "partition",          "delay",      "duplication",   "clock_step",
    "timestamp_null", "timestamp_future", "timestamp_timezone", "reboot",     "pause",         "corruption",
    "rate_limit",     "brownout",         "storage_full",       "ota_update", "schema_change", "spoof",
    "replay",         "tamper",           "hmi_setpoint"};

/// Fault kinds that act on the broker or the cloud (target: their id; optional).
inline const std::vector<std::string> kServiceFaultKinds = {"broker_restart", "bridge_outage",
                                                            "consumer_retry"};

/// Fault kinds that act on a gateway itself (target: gateway ids).
inline const std::vector<std::string> kGatewayFaultKinds = {"backhaul_outage"};

struct FaultSpec {
  std::string id;
  std::string kind;            ///< a value kind (faults::value_fault_kinds()) or one of kNetworkFaultKinds
  std::string target_pattern;  ///< the target as written (a glob, or a selector as JSON)
  std::vector<std::string> targets;  ///< expanded: "device/sensor" for value faults, device ids otherwise
  double start_s = 0.0;
  double end_s = 0.0;              ///< +inf when open-ended
  bool enabled = true;             ///< false: drawn out of this run (swarm testing, `enabled_probability`)
  bool value_fault = false;        ///< targets sensors (a faults::value_fault_kinds() kind)
  bool service = false;            ///< targets the broker or the cloud (kServiceFaultKinds)
  bool gateway_fault = false;      ///< targets gateways themselves (kGatewayFaultKinds)
  faults::ValueFaultParams value;  ///< value faults; its activity carries start/end and episodes
  std::optional<CouplingSpec> coupled_to;  ///< emi_bursts only
  /// outage: one draw of the episodes for every target (a site power cut), not one per device
  bool common_cause = false;
  // network faults: packet_loss, partition, delay, duplication
  bool uplink = true, downlink = true;  ///< `direction`: which way the fault acts
  bool gilbert_elliott = false;         ///< packet_loss model (else Bernoulli with `probability`)
  faults::GilbertElliottParams ge;
  faults::Law delay = faults::Law::fixed(0.0);  ///< delay: extra one-way delay per message, s
  double delay_base_s = 0.0;                    ///< delay: constant part (base + law: a shifted law)
  bool corruption_detected = true;   ///< corruption: a checksum catches it (the message is dropped)
  double rate_messages_per_s = 0.0;  ///< rate_limit: token-bucket rate
  double rate_burst = 1.0;           ///< rate_limit: bucket depth, messages
  double probability = 0.0;          ///< packet_loss (Bernoulli), duplication, timestamp_*
  double shift_s = 0.0;              ///< clock_step: the step; timestamp_future / _timezone: the shift
  // reboot (its down time is the activity's window or episodes), pause
  devices::RebootSemantics reboot;
  std::optional<double> clock_reset_error_s;  ///< reboot: the clock's error right after (RTC reset)
  /// reboot, brownout: the power loss tears the flash page written last (a
  /// page still programming is torn whatever this says)
  double torn_write_probability = 0.0;
  // broker_restart: the broker saves its queue every persistence_interval_s
  // (mosquitto's autosave_interval: 1800 s); what arrived since is lost.
  double persistence_interval_s = 1800.0;
  /// schema_change: what the device's messages declare changes (docs/faults.md).
  struct Schema {
    std::string mode;             ///< "field_added", "field_removed", "unit_changed"
    std::string sensor;           ///< the sensor whose field goes or changes unit (field_added: optional)
    std::string field = "extra";  ///< field_added: the new field's key
    bool declared = true;         ///< unit_changed: the payload declares the new unit
  } schema;
  /// ota_update: an update offered at start_s to each target (docs/firmware.md).
  struct Ota {
    std::uint32_t version = 2;
    std::uint64_t image_bytes = 1000000;
    std::uint64_t segment_bytes = 65536;  ///< one SimGrid transfer each (the download's granularity)
    double verify_s = 2.0;                ///< checksum and signature
    double boot_s = 20.0;                 ///< each (re)boot's down time
    double corrupt_probability = 0.0;     ///< per device: the image fails verification
    double crash_probability = 0.0;       ///< per device: the new image crashes on every boot
    devices::OtaParams params;
  } ota;
  /// spoof, replay, tamper: an attacker at the ingestion endpoint (docs/faults.md, "Adversarial faults").
  struct Adversary {
    double rate_per_s = 0.0;      ///< spoof: Poisson arrivals of forged messages
    std::vector<double> at_s;     ///< spoof: scheduled arrivals as well
    std::optional<double> value;  ///< spoof: the value its records carry (else: the last genuine one seen)
    std::uint64_t seq_ahead = 1;  ///< spoof: how far past the last genuine sequence number it claims
    std::uint32_t readings_per_message = 1;  ///< spoof: readings per sensor in each message, 1 s apart
    bool key_compromised = false;            ///< spoof: the attacker holds the target's key (and certificate)
    std::string attacker_device;             ///< spoof: the attacker holds this other device's credentials
    std::string sensor;           ///< spoof / tamper: only this sensor's records (else all of the device's)
    faults::ReplayParams replay;  ///< replay
    faults::TamperParams tamper;  ///< tamper
  } adversary;
  /// hmi_setpoint: an operator at the device's local HMI sets its asset's setpoint to this (at start_s).
  double setpoint = 0.0;
  std::string params_json;  ///< the spec as written, for the trace
};

/// How the plant's messages are authenticated (docs/scenario-format.md#security).
enum class Authentication : std::uint8_t { kNone = 0, kTlsClientCert = 1, kSignedPayload = 2 };
struct SecuritySpec {
  Authentication authentication = Authentication::kNone;
  /// signed_payload: the per-device message counter survives a reboot (kept
  /// in flash); false: it restarts at 1 and a pipeline's anti-replay window
  /// refuses the device's messages until the counter passes the old highest.
  bool persist_counter = true;
  std::uint32_t mac_bytes = 32;     ///< signed_payload: HMAC-SHA256 per message on the wire
  std::uint32_t counter_bytes = 8;  ///< signed_payload: the counter per message on the wire
};

/// A pipeline plugin (docs/plugins.md): a shared library and its configuration.
struct PluginSpec {
  std::string path;  ///< resolved: relative to the scenario file, or as given on the command line
  std::string config_json = "{}";  ///< passed as text to the plugin's create()
};

struct PipelineSpec {
  std::string name = "reference";  ///< names its figures: pipelines.<name>.*
  pipeline::ReferencePipelineOptions options;
  std::optional<PluginSpec> plugin;  ///< set: this plugin runs instead of the reference pipeline
  double cost_flops_per_record = 5000.0;
};

/// The control room (docs/pipeline.md, "Closed loop"): an operator who stops
/// the asset behind an alert of the primary pipeline by a command sent down
/// to its device. Absent: alerts change nothing in the plant.
struct OperatorSpec {
  bool enabled = false;
  pipeline::Severity min_severity = pipeline::Severity::kWarning;  ///< alerts below it are ignored
  double response_time_s = 300.0;                                  ///< alert raised to command sent
  double restart_after_s = 3600.0;  ///< the stopped asset runs again this long after the stop
  double command_ttl_s = std::numeric_limits<double>::infinity();  ///< undelivered this long: dropped
  std::size_t command_bytes = 64;                                  ///< the command message on the wire
};

/// A command the cloud issues at a scheduled time (scenario key
/// `cloud_commands`, docs/scenario-format.md): stamped by the primary
/// pipeline (`issue_command()`) and carried down to the device like the
/// operator's, waiting while the device is offline or down. The device
/// applies it when it arrives, except a start while an edge interlock holds
/// its asset stopped: the interlock wins and the start is refused (never
/// applied, no event).
struct CloudCommandSpec {
  double at_s = 0.0;   ///< cloud time of issue
  std::string device;  ///< id of the target device (expanded)
  pipeline::CommandKind kind = pipeline::CommandKind::kStop;
  double value = 0.0;  ///< the setpoint (kind setpoint); 0 for stop, 1 for start
};

struct ScoringSpec {
  double early_warning_s = 0.0;
  double post_failure_grace_s = 600.0;
  double attribution_lookback_s = 60.0;
};

enum class TraceLevel { kFull, kEvents };

struct TraceSpec {
  TraceLevel level = TraceLevel::kFull;
  int compression = 4;  ///< deflate level 0..9
};

/// `reconciliation_check` (docs/reconciliation.md): when the quiet period
/// starts. Every fault window ends at or before it; the checker judges the
/// liveness properties (R1, R7, R9, R10) at the end of the run, after it.
struct ReconciliationCheckSpec {
  std::optional<double> quiet_from_s;
  /// R12: a run raise matches a raise of the true-order replay on the same
  /// sensor when their triggers' true times are within this window.
  double alert_match_window_s = 60.0;
  /// R10: the declared tolerance on the drain bound (unset: the checker's
  /// default, analysis::kDefaultDrainOverhead), and the live data's latency
  /// SLO during a drain (unset: none declared).
  std::optional<double> drain_overhead;
  std::optional<double> live_latency_slo_s;
};

struct Expectation {
  std::string metric;
  std::optional<double> min, max;
};

struct Scenario {
  std::string file;
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  double duration_s = 3600.0;
  std::vector<AssetSpec> assets;
  std::vector<GatewaySpec> gateways;
  BrokerSpec broker;
  CloudSpec cloud;
  std::vector<DeviceSpec> devices;
  std::vector<FaultSpec> faults;
  PipelineSpec pipeline;
  /// Pipelines run beside the primary on the same arrivals, scored alike,
  /// never charged to the cloud's CPU (docs/pipeline.md, "Comparing pipelines").
  std::vector<PipelineSpec> compare_pipelines;
  OperatorSpec operator_;                        ///< scenario key `operator`
  std::vector<CloudCommandSpec> cloud_commands;  ///< scenario key `cloud_commands`
  SecuritySpec security;                         ///< scenario key `security`
  ScoringSpec scoring;
  TraceSpec trace;
  ReconciliationCheckSpec reconciliation_check;
  std::vector<Expectation> expect;

  std::size_t sensor_count() const;
};

/// Loads and validates `path`. Throws ScenarioError (exit code 2) on any problem.
/// `seed`, when given, replaces the scenario's seed (before any draw is made).
Scenario load_scenario(const std::string& path, std::optional<std::uint64_t> seed = std::nullopt);
/// Same, from a JSON text; `file` names it in messages.
Scenario parse_scenario(const std::string& text, const std::string& file,
                        std::optional<std::uint64_t> seed = std::nullopt);

/// Expands an id pattern for index i (1-based): "{i}", "{i:03}", "{i/10}", "{i/10:02}".
/// Returns std::nullopt when the pattern is malformed.
std::optional<std::string> expand_id(const std::string& pattern, long i);

}  // namespace twinbed::sim
