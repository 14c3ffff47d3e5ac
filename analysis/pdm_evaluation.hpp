// Predictive-maintenance evaluation: a stop rule's decisions on held-out
// units judged against the simulator's ground truth.
//
// Guarantees:
// - A stop at window end t is *true* when the unit's bearing fails within
//   the horizon H after it (failure_s - t <= H; the failure time is the
//   simulator's, known even beyond the observed history); the unit is then
//   taken out for repair and its evaluation ends. Any other stop is *false*:
//   an inspection finds the unit sound enough, it runs again and the rule
//   holds off (StopRule::restart). A false stop's cause is "sensor_fault"
//   when an injected sensor fault touched the stop window, else
//   "degrading_early" when the bearing's wear had begun, else "none".
// - A failing unit (its failure inside its history) is *caught* by its first
//   true stop (lead time = failure - stop) and *missed* otherwise.
// - Unit-years are the time each unit was watched: from its first window's
//   end to its true stop or the end of its history.
// - choose_threshold() considers candidate thresholds (quantiles of the
//   validation scores, log-spaced from the single highest window to the top
//   half) whose false stops per unit-year on the validation units are at
//   most the target, and picks with kMostSensitive the lowest of them (the
//   earliest stops the false-stop budget affords), with kFewestFalseStops the
//   highest among those that catch the most validation failures (the budget
//   is a ceiling, not something to spend). When no candidate meets the
//   target, the rule never stops.
// - Pure functions of their inputs: deterministic.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/pdm/stop_rule.hpp"

namespace twinbed::analysis::pdm {

/// Ground truth of one unit (the simulator's).
struct UnitTruth {
  double failure_s = std::numeric_limits<double>::infinity();  ///< may lie beyond the history
  double history_end_s = 0;                                    ///< failure or the end of observation
  double onset_s = std::numeric_limits<double>::infinity();    ///< wear onset
  bool fails_in_history() const { return failure_s <= history_end_s; }
};

/// One unit's scored windows.
struct UnitWindows {
  std::vector<double> end_s;
  std::vector<double> score;
  std::vector<std::uint8_t> sensor_fault;  ///< an injected sensor fault touched the window
};

/// One stop the rule made: which unit (index in the evaluated list), when, and its verdict.
struct StopEvent {
  std::size_t unit = 0;
  double t_s = 0;
  bool true_stop = false;
  const char* cause = "";  ///< "true", or the false stop's cause
};

struct StopFigures {
  int units = 0;
  int failing_units = 0;
  int caught = 0;
  int missed = 0;
  int true_stops = 0;  ///< includes units whose failure lies just beyond their history
  int false_stops = 0;
  std::map<std::string, int> false_stops_by_cause;
  double unit_years = 0;
  std::vector<double> lead_times_s;  ///< one per caught unit, in unit order
  std::vector<StopEvent> stops;      ///< every stop, in unit then time order

  std::optional<double> recall() const;
  std::optional<double> false_stops_per_unit_year() const;
};

StopFigures evaluate_stops(const std::vector<const UnitTruth*>& truth,
                           const std::vector<const UnitWindows*>& windows,
                           const pipeline::pdm::StopRuleOptions& rule, double horizon_s);

enum class ThresholdRule { kMostSensitive, kFewestFalseStops };

struct ThresholdChoice {
  double threshold = std::numeric_limits<double>::infinity();
  bool met_target = false;
  int candidates = 0;
  StopFigures validation;
};

ThresholdChoice choose_threshold(const std::vector<const UnitTruth*>& truth,
                                 const std::vector<const UnitWindows*>& windows,
                                 pipeline::pdm::StopRuleOptions rule, double horizon_s,
                                 double max_false_stops_per_unit_year,
                                 ThresholdRule how = ThresholdRule::kMostSensitive, int max_candidates = 200);

/// Area under the ROC curve (Mann–Whitney, ties counted half); nullopt without both classes.
std::optional<double> roc_auc(const std::vector<double>& scores, const std::vector<std::uint8_t>& labels);

/// Sample quantile q in [0, 1], linear interpolation between order statistics
/// (Hyndman–Fan type 7, as numpy and R by default); nullopt for no values.
std::optional<double> quantile(std::vector<double> values, double q);

}  // namespace twinbed::analysis::pdm
