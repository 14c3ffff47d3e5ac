// CloudPipeline: the interface between the simulated plant and the system under test.
//
// The simulator calls configure() once with the device/sensor registry, then
// ingest() with every batch of records as it arrives at the cloud (in arrival
// order, duplicates and all), then finish(). The pipeline appends the alert
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

/// Counters a pipeline reports about what it did with the data.
using PipelineCounters = std::map<std::string, std::uint64_t>;

class CloudPipeline {
 public:
  virtual ~CloudPipeline() = default;

  /// The device registry. `sensors[i]` describes sensor index i used in records.
  virtual void configure(std::span<const SensorInfo> sensors, std::span<const std::string> devices) = 0;

  /// One arriving message worth of records. `ingest_time_s` is the cloud's clock.
  virtual void ingest(std::span<const Record> records, double ingest_time_s,
                      std::vector<AlertEvent>& alerts) = 0;

  /// End of stream: no more records will come. A pipeline may clear open
  /// alerts here; it cannot raise one (there is no record to trigger it).
  virtual void finish(double end_time_s, std::vector<AlertEvent>& alerts) = 0;

  /// What the pipeline counted (records accepted, rejected by reason, duplicates dropped...).
  virtual PipelineCounters counters() const = 0;
};

}  // namespace twinbed::pipeline
