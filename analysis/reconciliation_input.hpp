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

  bool cloud_log = false;  ///< the primary pipeline kept a log (the /cloud group exists)
  std::vector<CloudViewRow> view;
  std::vector<CloudGapRow> gaps;
  std::vector<CloudWindowRow> windows;
  std::vector<CloudStateRow> state;
};

}  // namespace twinbed::analysis
