// NoiseFilter: an edge stage that smooths each sensor's readings in place.
//
// Two kinds, state kept per sensor:
// - kEwma: y = alpha x + (1 - alpha) y_prev (the first reading passes as is);
// - kMedian: the median of the last `window` readings (fewer at the start;
//   an even count gives the mean of the middle two).
// A NaN, infinite or flagged (status not good) reading passes through
// untouched and does not enter the state, so one bad reading never poisons
// the readings after it. Readings not sent (fate not kSend) are left alone.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "pipeline/edge_stage.hpp"

namespace twinbed::pipeline {

class NoiseFilter : public EdgeStage {
 public:
  enum class Kind { kEwma, kMedian };
  struct Rule {
    std::uint32_t sensor = 0;
    Kind kind = Kind::kEwma;
    double alpha = 0.2;  ///< kEwma: weight of the new reading, in (0, 1]
    int window = 5;      ///< kMedian: readings, at least 1
  };
  explicit NoiseFilter(std::vector<Rule> rules);

  void transform(EdgePass& pass, const EdgeContext& context) override;
  /// One reading through a rule's state: the filtered value (or `x` itself if it is bad).
  double filter(std::size_t rule, double x, bool good);

 private:
  struct State {
    Rule rule;
    bool primed = false;
    double y = 0;
    std::deque<double> last;  ///< kMedian: the window, oldest first
    std::vector<double> scratch;
  };
  std::vector<State> states_;
};

}  // namespace twinbed::pipeline
