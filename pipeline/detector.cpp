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

double EwmaZScore::std_dev() const { return std::max(min_std_, std::sqrt(var_)); }

std::optional<Transition> EwmaZScore::update(double x) {
  if (n_ < options_.warmup_samples) {  // Welford on the warm-up period
    ++n_;
    const double delta = x - mean_;
    mean_ += delta / static_cast<double>(n_);
    var_ += (delta * (x - mean_) - var_) / static_cast<double>(n_);
    return std::nullopt;
  }
  const double s = std_dev();
  const double z = (x - mean_) / s;
  const double abs_z = std::fabs(z);
  const auto transition = latch_.step(abs_z > options_.z_raise, abs_z < options_.z_clear);

  if (!latch_.raised()) {
    const double clipped = std::clamp(x, mean_ - options_.z_raise * s, mean_ + options_.z_raise * s);
    const double d = clipped - mean_;
    mean_ += options_.alpha * d;
    var_ = (1.0 - options_.alpha) * (var_ + options_.alpha * d * d);
  } else if (options_.rebaseline_after_samples > 0 && latch_.raised_for_samples() >= options_.rebaseline_after_samples) {
    // The process has moved to a new normal: learn it again. The alarm clears
    // through the latch once the new baseline explains the data.
    n_ = 0;
    mean_ = var_ = 0;
  }
  if (!transition) return std::nullopt;
  const Severity severity = abs_z >= 2 * options_.z_raise ? Severity::kCritical : Severity::kWarning;
  return Transition{*transition, abs_z, severity};
}

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
