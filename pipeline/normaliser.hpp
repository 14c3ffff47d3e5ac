// Normaliser: an edge stage that turns a sensor's raw output into
// engineering units in place: value = offset + scale * raw.
//
// The sensor's raw unit (counts, mA) is what the device's converter gives;
// the device registry declares the engineering unit the cloud sees (the
// unit change is the registry's: docs/pipeline.md). NaN and flagged readings
// pass through untouched (a fault code stays recognisable as such).
// `from_range` builds the rule for a linear transmitter whose raw span
// [raw_lo, raw_hi] (e.g. 4–20 mA) maps onto the range [lo, hi].
#pragma once

#include <cstdint>
#include <vector>

#include "pipeline/edge_stage.hpp"

namespace twinbed::pipeline {

class Normaliser : public EdgeStage {
 public:
  struct Rule {
    std::uint32_t sensor = 0;
    double scale = 1.0;
    double offset = 0.0;
    static Rule from_range(std::uint32_t sensor, double raw_lo, double raw_hi, double lo, double hi) {
      const double scale = (hi - lo) / (raw_hi - raw_lo);
      return {sensor, scale, lo - scale * raw_lo};
    }
  };
  explicit Normaliser(std::vector<Rule> rules) : rules_(std::move(rules)) {}

  void transform(EdgePass& pass, const EdgeContext& context) override;

 private:
  std::vector<Rule> rules_;
};

}  // namespace twinbed::pipeline
