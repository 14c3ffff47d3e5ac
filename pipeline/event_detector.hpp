// EventDetector: local event detection on the device. Each rule watches one
// channel — a sensor, or a derived channel an earlier stage emits (a
// vibration feature) — and when `debounce` consecutive good values are
// strictly above `trip_above` it emits one event record on its event
// channel with alarm priority (the firmware's alarm queue sends it ahead of
// the buffer). The event's value is the value that completed the run, its
// time that reading's. The rule re-arms when a good value is at or below
// `clear_below` (hysteresis; default trip_above). NaN and flagged values
// break a run and neither trip nor re-arm.
#pragma once

#include <cstdint>
#include <vector>

#include "pipeline/edge_stage.hpp"

namespace twinbed::pipeline {

class EventDetector : public EdgeStage {
 public:
  struct Rule {
    std::uint32_t watch = 0;    ///< the channel watched (registry index)
    std::uint32_t channel = 0;  ///< the event channel (registry index)
    double trip_above = 0;
    double clear_below = 0;
    int debounce = 1;
  };
  explicit EventDetector(std::vector<Rule> rules);

  void transform(EdgePass& pass, const EdgeContext& context) override;
  std::uint64_t events() const { return events_; }

 private:
  struct State {
    Rule rule;
    int run = 0;
    bool raised = false;
  };
  void see(State& s, const Record& r, std::uint32_t source, std::uint64_t first_seq, std::uint64_t last_seq,
           std::vector<DerivedRecord>& out);
  std::vector<State> states_;
  std::vector<DerivedRecord> made_;
  std::uint64_t events_ = 0;
};

}  // namespace twinbed::pipeline
