// StuckDetector: a sensor that repeats one value while its peers move.
//
// Guarantee: a sensor is flagged stuck (raise) on the reading that makes
// `readings` consecutive bit-identical values, provided at least one other
// sensor of the same device changed value after the run began (a stopped
// plant where every signal is flat is not a stuck sensor). It is cleared on
// the first reading with a different value. Quantised signals that rest on
// one step for a while need `readings` above their longest plausible rest.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "pipeline/record.hpp"

namespace twinbed::pipeline {

struct StuckOptions {
  int readings = 0;  ///< 0: the stage is off
};

class StuckDetector {
 public:
  StuckDetector() = default;
  StuckDetector(const StuckOptions& options, std::span<const SensorInfo> sensors);
  bool enabled() const { return readings_ > 0; }
  /// The transition this reading causes, if any (readings in event-time order per sensor).
  std::optional<AlertTransition> update(std::uint32_t sensor, double device_time_s, double value);
  bool stuck(std::uint32_t sensor) const { return sensor < state_.size() && state_[sensor].flagged; }

 private:
  struct State {
    bool any = false;
    double value = 0;
    double run_start_s = 0;  ///< stamp of the first reading of the current run
    int run = 0;
    bool flagged = false;
  };
  int readings_ = 0;
  std::vector<State> state_;
  std::vector<std::vector<std::uint32_t>> peers_;  ///< the other sensors of the same device
};

}  // namespace twinbed::pipeline
