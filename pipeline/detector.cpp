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

// d2 for subgroups of two: E|x_t - x_{t-1}| = 1.128·sigma for Gaussian noise.
constexpr double kD2 = 1.128;
// D4 for subgroups of two: the moving-range chart's upper control limit factor.
constexpr double kD4 = 3.267;

double EwmaZScore::std_dev() const {
  return std::max(min_std_, moving_range_ / kD2);
}

std::optional<Transition> EwmaZScore::update(double x) {
  const double range = n_ > 0 ? std::fabs(x - previous_) : 0.0;
  previous_ = x;
  if (n_ < options_.warmup_samples) {  // plain averages over the warm-up period
    ++n_;
    mean_ += (x - mean_) / static_cast<double>(n_);
    if (n_ > 1) moving_range_ += (range - moving_range_) / static_cast<double>(n_ - 1);
    return std::nullopt;
  }
  const double s = std_dev();
  const double z = (x - mean_) / s;
  const double abs_z = std::fabs(z);
  const auto transition = latch_.step(abs_z > options_.z_raise, abs_z < options_.z_clear);

  if (!latch_.raised()) {
    // A suspect sample (|z| >= z_clear) moves the mean at a bounded rate, so a
    // slow legitimate shift is absorbed while a faster trend or a step goes on
    // to raise the alarm.
    const double limit = abs_z < options_.z_clear ? std::fabs(x - mean_) : options_.z_clear * s;
    mean_ += options_.alpha * std::clamp(x - mean_, -limit, limit);
    moving_range_ +=
        options_.alpha * (std::min(range, kD4 * std::max(moving_range_, min_std_ * kD2)) - moving_range_);
  } else if (options_.rebaseline_after_samples > 0 &&
             latch_.raised_for_samples() >= options_.rebaseline_after_samples) {
    // The process has moved to a new normal: learn it again. The alarm clears
    // through the latch once the new baseline explains the data.
    n_ = 0;
    mean_ = moving_range_ = 0;
    latch_.restart_counts();  // or the next sample would re-baseline again
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
