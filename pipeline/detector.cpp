#include "pipeline/detector.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::pipeline {

std::optional<AlertTransition> AlarmLatch::step(bool beyond_raise, bool inside_clear) {
  if (!raised_) {
    over_ = beyond_raise ? over_ + 1 : 0;
    if (over_ >= debounce_) {
      raised_ = true;
      over_ = under_ = raised_for_ = 0;
      return AlertTransition::kRaise;
    }
    return std::nullopt;
  }
  ++raised_for_;
  under_ = inside_clear ? under_ + 1 : 0;
  if (under_ >= clear_) {
    raised_ = false;
    over_ = under_ = raised_for_ = 0;
    return AlertTransition::kClear;
  }
  return std::nullopt;
}

EwmaZScore::EwmaZScore(const EwmaOptions& options, double range_span)
    : options_(options),
      min_std_(std::max(1e-12, options.min_std_fraction_of_range * range_span)),
      latch_(options.debounce_samples, options.clear_samples) {}

std::optional<Transition> ThresholdDetector::update(double x) {
  const bool beyond = x > limits_.high || x < limits_.low;
  const bool inside = x <= limits_.high - limits_.hysteresis && x >= limits_.low + limits_.hysteresis;
  const auto transition = latch_.step(beyond, inside);
  if (!transition) return std::nullopt;
  const double excess = std::max(x - limits_.high, limits_.low - x);
  const double span = std::isfinite(limits_.high) ? std::fabs(limits_.high) : 1.0;
  const Severity severity = excess > 0.5 * span ? Severity::kCritical : Severity::kWarning;
  return Transition{*transition, x, severity};
}

}  // namespace twinbed::pipeline
