// EdgeStage: pipeline code that runs on the device, in the loop.
//
// The firmware hands each stage the readings it has just sampled (records
// only: what the device itself knows, never ground truth) and what it knows
// of the world: its own clock and whether it can reach the cloud. A stage
// may take local decisions; the simulator carries them out on the plant
// (docs/pipeline.md, "Edge stages"). Interface version: kPipelineApiVersion.
//
// Thread safety: none needed; the simulator calls from one thread.
// Errors: a stage must not throw on bad data.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "pipeline/record.hpp"

namespace twinbed::pipeline {

/// What the device knows when its stages run.
struct EdgeContext {
  std::uint32_t device = 0;
  double device_time_s = 0;     ///< the device's clock now
  bool cloud_reachable = true;  ///< connected to the broker (as the device believes)
};

/// A local decision: stop the asset a sensor watches (a local interlock).
struct EdgeDecision {
  std::uint32_t sensor = 0;  ///< the sensor whose readings decided it
  std::uint32_t boot = 0;    ///< identity of the reading that decided it
  std::uint64_t seq = 0;
  double device_time_s = 0;  ///< that reading's timestamp
  double value = 0;          ///< and value
};

class EdgeStage {
 public:
  virtual ~EdgeStage() = default;
  /// Readings just sampled by the device, in sequence order.
  virtual void process(std::span<const Record> readings, const EdgeContext& context,
                       std::vector<EdgeDecision>& decisions) = 0;
  /// The asset the stage stopped runs again (an operator restarted it).
  virtual void reset(std::uint32_t sensor) = 0;
};

}  // namespace twinbed::pipeline
