// CloudPipeline: the interface between the simulated plant and the system under test.
//
// The simulator calls configure() once with the device/sensor registry, then
// ingest() with every message as it arrives at the cloud (in arrival order,
// duplicates and all: its header and its records), then finish(). The pipeline appends the alert
// transitions it decides to `alerts`. It never sees ground truth.
//
// Thread safety: none needed; the simulator calls from one thread.
// Errors: a pipeline must not throw on bad data; bad data is its job.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "pipeline/cloud_log.hpp"
#include "pipeline/record.hpp"

namespace twinbed::pipeline {

inline constexpr std::uint32_t kUnauthenticated = std::numeric_limits<std::uint32_t>::max();
/// The payload's MAC or signature checked against the authenticated device's key.
enum class MessageIntegrity : std::uint8_t { kUnchecked = 0, kValid = 1, kInvalid = 2 };

/// What the ingestion endpoint knows of one message besides its records
/// (since API version 3): the sender the message names and the schema its
/// payload declares. The spans are valid for the duration of ingest().
struct MessageInfo {
  std::uint32_t device = 0;           ///< the sender, as the message names it (device registry index)
  std::uint32_t schema_version = 1;   ///< the payload schema version the device declares
  std::span<const FieldDecl> fields;  ///< the fields the payload declares, in payload order
  /// Since API version 5: what the ingestion endpoint verified. These are the
  /// results of real checks a platform makes (a TLS client certificate, a
  /// payload MAC or signature with the device's key, a per-device message
  /// counter inside the authenticated header); the pipeline decides what to
  /// do with them. A plant without message authentication sets
  /// `authenticated_device` to kUnauthenticated and `integrity` to kUnchecked.
  std::uint32_t authenticated_device = kUnauthenticated;  ///< whose credential the message carries
  MessageIntegrity integrity = MessageIntegrity::kUnchecked;
  std::uint64_t message_counter = 0;  ///< the authenticated per-device counter (anti-replay); 0: none
  /// Events the device reports in this message (since API version 5).
  std::span<const DeviceEvent> events;
  /// Gap notices the message carries in its header (since API version 5):
  /// sequence ranges the device's own policy dropped and says so (firmware
  /// `gap_notices`, docs/firmware.md). A notice may come again (the message
  /// was resent, or put back after a failed send) and may describe a range
  /// the pipeline already gave up on; empty from devices that do not send them.
  std::span<const GapNotice> gaps;
};

/// A detector whose threshold claims a false-alarm rate (e.g. conformal
/// p ≤ ε), and every decision it took, so the simulator can measure the
/// rate on incident-free data (since API version 3).
struct CalibratedDetector {
  std::string name;
  double claimed_false_alarm_rate = 0;
  std::vector<std::uint32_t> sensors;    ///< the registry sensors it watches
  std::vector<double> decision_times_s;  ///< device time of each decision, in decision order
  std::vector<std::uint8_t> alarms;      ///< parallel to decision_times_s: 1 when it alarmed
};

/// Counters a pipeline reports about what it did with the data.
using PipelineCounters = std::map<std::string, std::uint64_t>;

class CloudPipeline {
 public:
  virtual ~CloudPipeline() = default;

  /// The device registry. `sensors[i]` describes sensor index i used in records.
  virtual void configure(std::span<const SensorInfo> sensors, std::span<const std::string> devices) = 0;

  /// One arriving message: its header and its records. `ingest_time_s` is the cloud's clock.
  virtual void ingest(const MessageInfo& message, std::span<const Record> records, double ingest_time_s,
                      std::vector<AlertEvent>& alerts) = 0;

  /// End of stream: no more records will come. A pipeline may clear open
  /// alerts here; it cannot raise one (there is no record to trigger it).
  virtual void finish(double end_time_s, std::vector<AlertEvent>& alerts) = 0;

  /// What the pipeline counted (records accepted, rejected by reason, duplicates dropped...).
  virtual PipelineCounters counters() const = 0;

  /// The detectors that claim a false-alarm rate, with their decisions (none by default).
  virtual std::vector<CalibratedDetector> calibrated_detectors() const { return {}; }

  /// The cloud issues a command to a device (since API version 5): a
  /// reconciling pipeline records it in its plant state and stamps
  /// `command.hlc` with its cloud clock; the simulator then carries the
  /// command, stamp included, to the device. Default: nothing.
  virtual void issue_command(CloudCommand& /*command*/, double /*now_s*/) {}

  /// Appends the changes to the pipeline's materialised view since the last
  /// call (pipeline/cloud_log.hpp). Returns false when the pipeline keeps no
  /// such view (the default): the reconciliation checker then has nothing to
  /// judge.
  virtual bool drain_log(CloudLog& /*out*/) { return false; }

  /// Optional (since API version 5): the simulator asks to be told of every
  /// record the pipeline accepts (passes its checks into its detectors'
  /// state), so ground truth can tell which forged records got in. The
  /// observer is called with the accepted record (the arriving one, or the
  /// copy a buffer releases) during ingest(). Returns false when the pipeline
  /// does not report acceptance (the default): the forged-record figures are
  /// then left out of the report.
  using AcceptedObserver = std::function<void(const Record&)>;
  virtual bool observe_accepted(AcceptedObserver /*observer*/) { return false; }
};

}  // namespace twinbed::pipeline
