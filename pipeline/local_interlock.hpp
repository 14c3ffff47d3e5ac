// LocalInterlock: the reference edge stage that trips an asset on the device.
//
// Each rule watches one sensor: `debounce_readings` consecutive readings
// strictly above `trip_above` trip it (NaN and non-good status readings
// break the run: a device does not trip on a reading it knows is bad). With
// `offline_only` the rule acts only while the cloud is unreachable (the
// cloud's own logic decides otherwise); a rule trips once and stays latched
// until reset(). What it cannot know: whether the values are real. A spike
// run or a stuck-high sensor trips it as surely as a failing bearing, which
// is what the report's false_trips measure.
#pragma once

#include <cstdint>
#include <vector>

#include "pipeline/edge_stage.hpp"

namespace twinbed::pipeline {

class LocalInterlock : public EdgeStage {
 public:
  struct Rule {
    std::uint32_t sensor = 0;
    double trip_above = 0;
    int debounce_readings = 1;
    bool offline_only = true;
  };
  explicit LocalInterlock(std::vector<Rule> rules);

  void process(std::span<const Record> readings, const EdgeContext& context,
               std::vector<EdgeDecision>& decisions) override;
  void reset(std::uint32_t sensor) override;

 private:
  struct State {
    Rule rule;
    int run = 0;
    bool tripped = false;
  };
  std::vector<State> states_;
};

}  // namespace twinbed::pipeline
