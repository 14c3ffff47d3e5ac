// Edge setup: turns a device's `edge` keys (DeviceSpec::EdgeStages and its
// interlocks) into its EdgeChain, and declares the channels its stages
// derive in the device registry, after the device's own sensors:
//   features "<sensor>.<feature>": measurand "vibration_<feature>", unit the
//     sensor's (rms, peak) or "1" (crest_factor, kurtosis), range [0, max |range|]
//     or [0, 1000], rate the sensor's / window;
//   events "<id>": measurand "event", the watched channel's unit, range and rate.
// The registry is what the cloud sees: derived channels are ordinary sensors.
// Fixed stage order: normalise, filters, features, events, deadband; then the
// decisions: interlocks, detector.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analysis/trace_schema.hpp"
#include "devices/edge_chain.hpp"
#include "pipeline/deadband.hpp"
#include "pipeline/event_detector.hpp"
#include "pipeline/int8_detector.hpp"
#include "pipeline/vibration_features.hpp"
#include "sim/scenario.hpp"

namespace twinbed::sim {

struct EdgeSetup {
  std::unique_ptr<devices::EdgeChain> chain;
  /// Stages the world reads figures from (owned by the chain; null when absent).
  const pipeline::Deadband* deadband = nullptr;
  const pipeline::VibrationFeatures* features = nullptr;
  const pipeline::EventDetector* events = nullptr;
  const pipeline::Int8Detector* detector = nullptr;
  /// What a decision stops: by the registry index a decision names, the
  /// device's sensor whose asset stops, and when the operator restarts it.
  struct Stop {
    std::uint32_t sensor;
    std::size_t device_sensor;
    double restart_after_s;
  };
  std::vector<Stop> stops;
  /// Feature channels: registry index → feature name (for the report's errors).
  std::vector<std::pair<std::uint32_t, std::string>> feature_channels;
  /// Event channels: registry index → event id.
  std::vector<std::pair<std::uint32_t, std::string>> event_channels;
};

/// `first_sensor`: the registry index of the device's first sensor (its
/// sensors are consecutive). Appends derived channels to `registry` and
/// `metas`. Null when the device runs no edge stage.
std::unique_ptr<EdgeSetup> build_edge(const DeviceSpec& spec, std::uint32_t first_sensor,
                                      std::vector<pipeline::SensorInfo>& registry,
                                      std::vector<analysis::SensorMeta>& metas);

}  // namespace twinbed::sim
