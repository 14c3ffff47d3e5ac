// ConformalCalibrator: split-conformal p-values for any anomaly score (larger
// = more anomalous), calibrated on a held-out set of scores from normal data.
//
// Guarantees:
// - p_value(s) = (1 + #{calibration scores ≥ s}) / (n + 1). If the
//   calibration scores and the new score are exchangeable (normal operation,
//   no drift, no autocorrelation that the split breaks), P(p ≤ ε) ≤ ε for
//   every ε, and p is (super-)uniform on {1/(n+1), …, 1}: no distributional
//   assumption on the score.
// - alarm(s) is p_value(s) ≤ epsilon(), the *claimed* false-alarm rate,
//   kept so a report can set it beside the measured rate on incident-free
//   data. With n + 1 < 1/ε no score can reach p ≤ ε: can_alarm() is false
//   and the calibrator never alarms (the caller should get a larger
//   calibration set).
// - A NaN score counts as beyond every calibration score (p = 1/(n+1)).
// - Scores are sorted once at construction: p_value() is O(log n).
// - The constructor throws std::invalid_argument for an empty calibration
//   set, a NaN calibration score, or ε outside (0, 1).
#pragma once

#include <vector>

namespace twinbed::pipeline {

class ConformalCalibrator {
 public:
  ConformalCalibrator() = default;
  ConformalCalibrator(std::vector<double> calibration_scores, double epsilon);

  double p_value(double score) const;
  bool alarm(double score) const { return p_value(score) <= epsilon_; }
  double epsilon() const { return epsilon_; }
  int calibration_size() const { return static_cast<int>(sorted_.size()); }
  bool can_alarm() const;
  /// The smallest calibration score s_c such that scores above it alarm
  /// (+infinity when can_alarm() is false): the equivalent fixed threshold.
  double threshold() const;

 private:
  std::vector<double> sorted_;
  double epsilon_ = 0.01;
};

}  // namespace twinbed::pipeline
