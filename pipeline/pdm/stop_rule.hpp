// StopRule: the predictive-maintenance decision on one asset's window scores.
//
// Guarantees:
// - Stops the asset when the score (a failure probability, or any score on
//   which higher means nearer failure) is >= `threshold` for
//   `consecutive_windows` successive windows. A NaN score breaks the run.
// - After restart() (an inspection found the asset sound and it runs again),
//   windows ending before restart time + `holdoff_s` are ignored and the run
//   starts afresh: a persistent cause (a drifting sensor) stops the asset at
//   most once per hold-off plus k windows, not at every window.
// - Window end times must not decrease.
#pragma once

namespace twinbed::pipeline::pdm {

struct StopRuleOptions {
  double threshold = 0.5;
  int consecutive_windows = 1;
  double holdoff_s = 0.0;
};

class StopRule {
 public:
  explicit StopRule(const StopRuleOptions& options) : options_(options) {}
  /// One window's score; true when the asset must stop now.
  bool update(double window_end_s, double score);
  /// The asset runs again from `at_s` after an inspection.
  void restart(double at_s);
  int run() const { return run_; }

 private:
  StopRuleOptions options_;
  int run_ = 0;
  double holdoff_until_s_ = -1e300;
};

}  // namespace twinbed::pipeline::pdm
