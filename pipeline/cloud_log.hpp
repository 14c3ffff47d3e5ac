// CloudLog: what a pipeline holds as the plant's history, as a change log
// (since API version 5).
//
// A reconciling pipeline keeps a materialised view of what physically
// happened: the readings it holds as true, in the order it places them; the
// gaps it knows of; event-time window aggregates; and the plant state (the
// digital twin's view: each asset running or stopped, its setpoint, its open
// alarms). It reports every change to that view here. The simulator drains
// the log after each ingest(), issue_command() and finish(), stamps each
// entry with the cloud time, writes it to the trace (`/cloud/*`) and hands it
// to the reconciliation checker (analysis/), which judges it against ground
// truth (docs/reconciliation.md, properties R0–R12).
//
// Order: the view is ordered by (event_time_s, device, boot, seq); a
// pipeline shows where it places a record by the event time it gives it. A
// later correction is a retraction followed by an insertion.
#pragma once

#include <algorithm>
#include <compare>
#include <cstdint>
#include <iterator>
#include <limits>
#include <utility>
#include <vector>

#include "pipeline/record.hpp"

namespace twinbed::pipeline {

/// A device event in the view: its ViewChange carries sensor =
/// kDeviceEventSensorBase + its DeviceEventKind, its value, and count 0 (it
/// stands for no reading), so its placement (R3, R4) can be judged.
inline constexpr std::uint32_t kDeviceEventSensorBase = 0xFFFFFF00u;

/// How the pipeline arrived at a record's event time.
enum class TimeRepair : std::uint8_t {
  kNone = 0,       ///< the device's timestamp, as sent
  kNull = 1,       ///< no timestamp: repaired from the boot anchor and the uptime counter
  kEpoch = 2,      ///< an RTC reset to its epoch or build date: repaired likewise
  kFuture = 3,     ///< ahead of the cloud clock beyond the device's uncertainty: repaired
  kBackwards = 4,  ///< behind an earlier sequence number of the same boot: raised to keep (boot, seq) order
  kSequence = 5,   ///< no anchor at all: placed between its sequence neighbours
  kAnchor = 6,  ///< its anchor (time − uptime) disagreed with its boot's: an undetected clock step, repaired
};

struct ViewChange {
  enum class Kind : std::uint8_t {
    kInsert = 0,      ///< the record joins the view
    kRetract = 1,     ///< a record previously inserted leaves it (a correction)
    kQuarantine = 2,  ///< the record is held out of the view (its time cannot be trusted or repaired)
  };
  Kind kind = Kind::kInsert;
  std::uint32_t device = 0;
  std::uint32_t boot = 0;
  std::uint64_t seq = 0;
  std::uint32_t sensor = 0;
  double value = 0;
  std::uint32_t count = 1;  ///< readings it stands for (an aggregate record: more)
  double event_time_s = 0;  ///< the reconciled event time
  double uncertainty_s =
      std::numeric_limits<double>::infinity();  ///< the bound it claims on |event_time_s − true time|
  TimeRepair repair = TimeRepair::kNone;
};

/// A hole in a (device, boot) sequence the pipeline marks as unrecoverable:
/// sequence numbers [seq_from, seq_to) will never arrive.
enum class GapCause : std::uint8_t {
  kDeviceReported = 0,  ///< the device said so (an eviction or merge by its buffer policy)
  kReboot = 1,          ///< lost with the device's RAM at a reboot (the next boot's first message says so)
  kTimeout = 2,         ///< never arrived within the pipeline's gap timeout
};
struct GapMark {
  std::uint32_t device = 0;
  std::uint32_t boot = 0;
  std::uint64_t seq_from = 0;
  std::uint64_t seq_to = 0;
  GapCause cause = GapCause::kTimeout;
};

/// One revision of an event-time window aggregate of one sensor over
/// [start_s, end_s) in reconciled event time. A later revision of the same
/// (sensor, start_s) replaces it (late data arrived); `final_` once the
/// pipeline promises no further revision.
struct WindowResult {
  std::uint32_t sensor = 0;
  double start_s = 0, end_s = 0;
  std::uint32_t revision = 0;  ///< 0 for the first result, then 1, 2, ...
  std::uint64_t count = 0;     ///< readings in the window (an aggregate record counts its `count`)
  double mean = 0, min = 0, max = 0;
  bool final_ = false;  ///< false: provisional (late data may still revise it)
};

/// The plant state the pipeline materialises, one register per (device, key).
enum class StateKey : std::uint8_t { kRunning = 0, kSetpoint = 1, kAlarmOpen = 2 };
/// Who wrote a register's value, and why it won (docs/reconciliation.md).
inline constexpr std::uint32_t kCloudWriter = std::numeric_limits<std::uint32_t>::max();
enum class MergeRule : std::uint8_t {
  kOnlyWriter = 0,      ///< no concurrent write
  kInterlockWins = 1,   ///< an edge safety interlock beats a concurrent cloud command
  kLastWriterWins = 2,  ///< the larger hybrid-logical-clock stamp
  kTieBySourceId = 3,   ///< equal stamps: the larger writer id
};
struct StateWrite {
  std::uint32_t device = 0;
  StateKey key = StateKey::kRunning;
  std::uint32_t sensor = 0;  ///< kAlarmOpen: the sensor whose alarm it is
  double value = 0;
  std::uint64_t hlc = 0;                ///< stamp of the winning write
  std::uint32_t writer = kCloudWriter;  ///< device index, or kCloudWriter
  MergeRule rule = MergeRule::kOnlyWriter;
};

/// Sequence numbers [seq_from, seq_to) of one boot of a device.
struct SeqRange {
  std::uint32_t boot = 0;
  std::uint64_t seq_from = 0, seq_to = 0;
  auto operator<=>(const SeqRange&) const = default;
};
/// A command's causal context: the ranges of its device's stream (records and
/// events share it) the cloud had received when it issued the command, sorted
/// by (boot, seq_from), disjoint and not adjacent. Empty: it knew nothing.
using CausalContext = std::vector<SeqRange>;
/// Whether the context includes (boot, seq): the cloud had received that
/// message of the device when it issued the command. O(log ranges).
inline bool context_includes(const CausalContext& context, std::uint32_t boot, std::uint64_t seq) {
  const auto it = std::upper_bound(context.begin(), context.end(), std::make_pair(boot, seq),
                                   [](const std::pair<std::uint32_t, std::uint64_t>& key, const SeqRange& r) {
                                     return key < std::make_pair(r.boot, r.seq_from);
                                   });
  if (it == context.begin()) return false;
  const SeqRange& r = *std::prev(it);
  return r.boot == boot && seq < r.seq_to;
}

/// A command the cloud sends to a device (the operator's, or a controller's).
enum class CommandKind : std::uint8_t { kStop = 0, kStart = 1, kSetpoint = 2 };
struct CloudCommand {
  std::uint64_t command_id = 0;
  std::uint32_t device = 0;
  CommandKind kind = CommandKind::kStop;
  double value = 0;
  std::uint64_t hlc = 0;  ///< filled by the pipeline's cloud clock when it is issued (0: none)
  /// Filled with `hlc` by a reconciling pipeline: what the cloud had received
  /// from `device` (docs/reconciliation.md, "Plant state and conflict rules").
  CausalContext context;
};

struct CloudLog {
  std::vector<ViewChange> view;
  std::vector<GapMark> gaps;
  std::vector<WindowResult> windows;
  std::vector<StateWrite> state;
  bool empty() const { return view.empty() && gaps.empty() && windows.empty() && state.empty(); }
  void clear() {
    view.clear();
    gaps.clear();
    windows.clear();
    state.clear();
  }
};

}  // namespace twinbed::pipeline
