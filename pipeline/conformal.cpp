#include "pipeline/conformal.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace twinbed::pipeline {

ConformalCalibrator::ConformalCalibrator(std::vector<double> calibration_scores, double epsilon)
    : sorted_(std::move(calibration_scores)), epsilon_(epsilon) {
  if (sorted_.empty()) throw std::invalid_argument("ConformalCalibrator: empty calibration set");
  if (!(epsilon > 0 && epsilon < 1))
    throw std::invalid_argument("ConformalCalibrator: epsilon not in (0, 1)");
  if (std::any_of(sorted_.begin(), sorted_.end(), [](double s) { return std::isnan(s); })) {
    throw std::invalid_argument("ConformalCalibrator: NaN calibration score");
  }
  std::sort(sorted_.begin(), sorted_.end());
}

double ConformalCalibrator::p_value(double score) const {
  const double n = static_cast<double>(sorted_.size());
  if (std::isnan(score)) return 1.0 / (n + 1.0);
  const auto at_or_above = sorted_.end() - std::lower_bound(sorted_.begin(), sorted_.end(), score);
  return (1.0 + static_cast<double>(at_or_above)) / (n + 1.0);
}

bool ConformalCalibrator::can_alarm() const {
  return 1.0 / (static_cast<double>(sorted_.size()) + 1.0) <= epsilon_;
}

double ConformalCalibrator::threshold() const {
  // Alarm iff #{≥ s} ≤ k with k = floor(ε(n+1)) − 1: s must exceed the (k+1)-th largest score.
  const auto n = static_cast<long>(sorted_.size());
  const long k = static_cast<long>(std::floor(epsilon_ * static_cast<double>(n + 1) + 1e-12)) - 1;
  if (k < 0) return std::numeric_limits<double>::infinity();
  if (k >= n) return -std::numeric_limits<double>::infinity();
  return sorted_[static_cast<std::size_t>(n - 1 - k)];
}

}  // namespace twinbed::pipeline
