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
#include <map>
#include <span>
#include <string>
#include <vector>

#include "pipeline/record.hpp"

namespace twinbed::pipeline {

/// What the ingestion endpoint knows of one message besides its records
/// (since API version 3): the sender the message names and the schema its
/// payload declares. The spans are valid for the duration of ingest().
struct MessageInfo {
  std::uint32_t device = 0;           ///< the sender, as the message names it (device registry index)
  std::uint32_t schema_version = 1;   ///< the payload schema version the device declares
  std::span<const FieldDecl> fields;  ///< the fields the payload declares, in payload order
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
};

}  // namespace twinbed::pipeline
