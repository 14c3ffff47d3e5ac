// Per-sensor detectors with debounce and hysteresis.
//
// A detector turns one sensor's value stream into alert transitions. Both kinds
// share AlarmLatch: it raises after `debounce_samples` consecutive samples past
// the raise threshold and clears after `clear_samples` consecutive samples back
// inside the clear threshold (hysteresis), so one excursion is one episode.
//
// - EwmaZScore: z = (x - m) / s with an exponentially weighted mean m
//   (smoothing `alpha`) and s estimated as in a Shewhart individuals chart:
//   s = MR / 1.128, MR the EWMA of the moving range |x_t - x_{t-1}|, each range
//   capped at 3.267·MR (the MR chart's upper limit). A variance estimated
//   around a lagging mean inflates on any trend and hides it; the moving range
//   sees only the noise. Both are learned on `warmup_samples` first. Samples
//   with |z| >= z_clear move m by at most alpha·z_clear·s, and nothing is
//   learned while the alarm is raised. An alarm
//   that stays raised for `rebaseline_after_samples` re-learns the baseline
//   (the process moved to a new normal, e.g. a stopped machine).
// - Threshold: static high/low limits per measurand, the naive detector that
//   every plant starts with.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>

#include "pipeline/record.hpp"

namespace twinbed::pipeline {

struct EwmaOptions {
  double alpha = 0.01;
  double z_raise = 6.0;
  double z_clear = 3.0;
  int warmup_samples = 300;
  int debounce_samples = 3;
  int clear_samples = 10;
  int rebaseline_after_samples = 3600;
  double min_std_fraction_of_range = 0.001;  ///< floor for s, as a fraction of the sensor's range
};

struct ThresholdLimits {
  double high = std::numeric_limits<double>::infinity();
  double low = -std::numeric_limits<double>::infinity();
  double hysteresis = 0.0;  ///< the clear threshold is this far inside the limit
};

struct ThresholdOptions {
  std::map<std::string, ThresholdLimits> by_measurand;  ///< measurands without limits never alarm
  int debounce_samples = 1;
  int clear_samples = 1;
};

/// A state transition decided by a detector on one sample.
struct Transition {
  AlertTransition transition;
  double score;
  Severity severity;
};

/// Debounce + hysteresis: the state machine shared by all detectors.
class AlarmLatch {
 public:
  AlarmLatch(int debounce_samples, int clear_samples) : debounce_(debounce_samples), clear_(clear_samples) {}
  /// `beyond_raise`: the sample is past the raise threshold; `inside_clear`: inside the clear threshold.
  std::optional<AlertTransition> step(bool beyond_raise, bool inside_clear);
  bool raised() const { return raised_; }
  int raised_for_samples() const { return raised_for_; }
  /// Keeps the alarm raised but starts its counters afresh (after a re-baseline).
  void restart_counts() { over_ = under_ = raised_for_ = 0; }

 private:
  int debounce_, clear_;
  bool raised_ = false;
  int over_ = 0, under_ = 0, raised_for_ = 0;
};

class EwmaZScore {
 public:
  EwmaZScore(const EwmaOptions& options, double range_span);
  std::optional<Transition> update(double value);
  double mean() const { return mean_; }
  double std_dev() const;

 private:
  EwmaOptions options_;
  double min_std_;
  AlarmLatch latch_;
  std::int64_t n_ = 0;
  double mean_ = 0;
  double moving_range_ = 0;  ///< average |x_t - x_{t-1}|
  double previous_ = 0;
};

class ThresholdDetector {
 public:
  ThresholdDetector(const ThresholdLimits& limits, int debounce_samples, int clear_samples)
      : limits_(limits), latch_(debounce_samples, clear_samples) {}
  std::optional<Transition> update(double value);

 private:
  ThresholdLimits limits_;
  AlarmLatch latch_;
};

// d2 for subgroups of two: E|x_t - x_{t-1}| = 1.128·sigma for Gaussian noise.
inline constexpr double kD2 = 1.128;
// D4 for subgroups of two: the moving-range chart's upper control limit factor.
inline constexpr double kD4 = 3.267;

inline double EwmaZScore::std_dev() const {
  return std::max(min_std_, moving_range_ / kD2);
}

// Defined here and always inlined: it runs once per accepted record, inside
// the pipeline's per-record loop.
[[gnu::always_inline]] inline std::optional<Transition> EwmaZScore::update(double x) {
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

}  // namespace twinbed::pipeline
