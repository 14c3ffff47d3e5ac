// ReconciliationInput: what the reconciliation checker judges, in memory —
// the ground truth of one run and the cloud log its primary pipeline kept.
//
// The trace reader (analysis/trace_tables.hpp) fills it from trace.h5; tests
// build it by hand. Every ground-truth table is optional: a table the trace
// does not hold is nullopt ("not available"), and the properties that need it
// are then not applicable. A column the trace does not hold takes the default
// written here (boot absent ⇒ 1; an unknown uncertainty ⇒ +inf).
//
// Keys: an event is (device, boot, seq); readings and device events share the
// device's sequence space (docs/trace-format.md).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "analysis/trace_schema.hpp"
#include "pipeline/cloud_log.hpp"

namespace twinbed::analysis {

/// /truth/samples: one reading the device generated.
struct TrueReading {
  std::uint32_t device = 0, sensor = 0, boot = 1;
  std::uint64_t seq = 0;
  double true_time_s = 0;
  double true_value = 0;
  double device_time_s = 0;
  double value = 0;  ///< as transmitted: the value the cloud must hold (R0)
};

/// /readings/lost: a reading that never reached the cloud, and why (the
/// trace's cause codes, docs/trace-format.md; 8 = aggregated is not a loss).
struct LostReading {
  std::uint32_t device = 0, sensor = 0, boot = 1;
  std::uint64_t seq = 0;
  double true_time_s = 0;
  std::uint8_t cause = 0;
};
inline constexpr std::uint8_t kLostAggregated = 8;

/// /readings/received: one record that reached the cloud (copies included).
struct ReceivedReading {
  std::uint32_t device = 0, sensor = 0, boot = 1;
  std::uint64_t seq = 0;
  double device_time_s = 0, value = 0, ingest_time_s = 0;
  bool duplicate = false;
};

/// /truth/events: a device event (interlock trip, command applied, HMI
/// setpoint, restart), as it physically happened.
struct TrueEvent {
  std::uint32_t device = 0, boot = 1;
  std::uint64_t seq = 0;
  std::uint8_t kind = 0;  ///< pipeline::DeviceEventKind
  double true_time_s = 0, device_time_s = 0, value = 0;
  std::uint64_t command_id = 0, hlc = 0, cause_hlc = 0;
  double ingest_time_s = kNever;  ///< its first receipt by the cloud (+inf: never, or not in the trace)
  /// Its fate (column `fate`; absent ⇒ 0): 0 delivered, a /readings/lost
  /// cause code when it never reached the cloud, kEventFateHeld at the end.
  std::uint8_t fate = 0;
};
inline constexpr std::uint8_t kEventFateHeld = 255;

/// /cloud/commands: a command the cloud issued, and when the device applied it.
struct IssuedCommand {
  std::uint64_t command_id = 0;
  std::uint32_t device = 0;
  std::uint8_t kind = 0;  ///< pipeline::CommandKind
  double value = 0;
  std::uint64_t hlc = 0;
  double issue_time_s = 0;
  double applied_time_s = kNever;  ///< +inf: never applied
};

/// Rows of the cloud log (/cloud/*), each stamped with the cloud time it was drained at.
struct CloudViewRow {
  double cloud_time_s = 0;
  pipeline::ViewChange change;
};
struct CloudGapRow {
  double cloud_time_s = 0;
  pipeline::GapMark gap;
};
struct CloudWindowRow {
  double cloud_time_s = 0;
  pipeline::WindowResult window;
};
struct CloudStateRow {
  double cloud_time_s = 0;
  pipeline::StateWrite write;
};

/// /topology/devices: where a device sits and what its uplink can carry (one
/// row per device, docs/trace-format.md). R10's bound is computed from it.
struct DeviceTopology {
  std::uint32_t device = 0;
  std::string gateway;   ///< the gateway it sits behind (its backhaul carries the device's traffic)
  std::string protocol;  ///< analysis::protocol_kinds() name: mqtt, coap, lte_m, lorawan, ble, zigbee, http
  double uplink_bytes_per_s = 0;      ///< the narrowest link on its path to the broker
  double backhaul_bytes_per_s = 0;    ///< its gateway's backhaul, shared by the devices behind it
  double latency_s = 0;               ///< one way, device to broker (the path's link latencies)
  double record_bytes = 0;            ///< one reading on the wire
  double message_overhead_bytes = 0;  ///< per message: publish header, MAC and counter
  std::uint64_t max_batch_records = 1, max_inflight = 1;
  double drain_records_per_s = 0;  ///< the firmware's drain-rate limit (0: none)
  double reconnect_interval_s = 0, ack_timeout_s = 0;
  std::uint64_t buffer_capacity_records = 0;
};

/// R10's declared tolerance on its bound when the scenario declares none
/// (`reconciliation_check.drain_overhead`, docs/reconciliation.md).
inline constexpr double kDefaultDrainOverhead = 0.25;

struct ReconciliationInput {
  std::vector<std::string> devices;  ///< /registry/devices/id: index = device
  std::vector<std::string> sensors;  ///< "device/sensor" per sensor index
  std::vector<std::string> assets;   ///< asset ids (fault targets that are process events)
  std::vector<FaultLabel> faults;    ///< /truth/faults
  double duration_s = 0;
  /// Faults stop and links heal before it; liveness is judged at the end of
  /// the run, after it. nullopt: no quiet period declared (liveness is then
  /// not applicable).
  std::optional<double> quiet_from_s;

  std::optional<std::vector<TrueReading>> samples;
  std::optional<std::vector<LostReading>> lost;
  std::optional<std::vector<ReceivedReading>> received;
  std::optional<std::vector<TrueEvent>> events;
  std::optional<std::vector<IssuedCommand>> commands;
  /// /topology/devices, by device index; nullopt: the trace does not say
  /// (R10 then judges drains, not their bound).
  std::optional<std::vector<DeviceTopology>> topology;
  /// R10: the bound's declared tolerance (1 + drain_overhead), and the live
  /// data's latency SLO during a drain (nullopt: none declared).
  double drain_overhead = kDefaultDrainOverhead;
  std::optional<double> live_latency_slo_s;

  bool cloud_log = false;  ///< the primary pipeline kept a log (the /cloud group exists)
  std::vector<CloudViewRow> view;
  std::vector<CloudGapRow> gaps;
  std::vector<CloudWindowRow> windows;
  std::vector<CloudStateRow> state;
};

}  // namespace twinbed::analysis
