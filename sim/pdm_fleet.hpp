// One unit of a predictive-maintenance fleet: its draws, its run-to-failure
// history through the sensors, and its degradation features.
//
// Guarantees:
// - A unit's draws (degradation, onset, time to failure, initial wear, pump
//   parameters, sensor faults, split) come from streams keyed by (seed,
//   unit id, purpose): unit 17's history is the same in a fleet of 20 or 2000.
// - The history runs from the first sample (t = period) to the bearing's
//   failure or the end of observation, whichever comes first; samples are
//   evaluated in one batch per signal (PumpModel::evaluate on an Eigen array)
//   and measured through a SensorChannel each (noise, quantisation, range,
//   the unit's value faults). A missing reading is NaN.
// - The series is turned into features at once and dropped: memory holds
//   one unit's samples at a time, and the features of all.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/pdm_evaluation.hpp"
#include "pipeline/pdm/window_features.hpp"
#include "sim/pdm_study.hpp"

namespace twinbed::sim::pdm {

enum class Split { kTrain, kValidation, kTest };
const char* split_name(Split s);

struct UnitHistory {
  std::string id;
  Split split = Split::kTrain;
  bool degrades = false;
  std::vector<std::string> sensor_faults;  ///< ids of the faults this unit carries
  analysis::pdm::UnitTruth truth;
  pipeline::pdm::FeatureTable features;
  std::vector<std::uint8_t> window_fault;  ///< per feature row: a sensor fault touched the window
  std::size_t samples = 0;                 ///< per signal
};

/// Unit ids: "pump-0001"... (zero-padded to the fleet's width).
std::string unit_id(const StudySpec& spec, int index);

UnitHistory simulate_unit(const StudySpec& spec, int index);

}  // namespace twinbed::sim::pdm
