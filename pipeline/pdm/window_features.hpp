// Degradation features for predictive maintenance, computed over sliding
// windows of what the cloud holds for one asset.
//
// Guarantees:
// - Only measured data: the series a pipeline receives (values on a common
//   sample grid, NaN where a reading is missing). Nothing here sees ground truth.
// - Each signal is judged against the load: during a commissioning period
//   (`baseline_s` from the series start) the pipeline fits x = a + b * ref by
//   least squares, `ref` the load reference (flow or current); afterwards
//   r = x - (a + b * ref) is the signal's residual, near 0 on a healthy asset
//   whatever its load.
// - Per window (the samples with t in (t_end - window_s, t_end]), for each
//   health signal: `.mean` (raw level), `.resid_mean`, `.resid_slope_per_day`
//   (least-squares slope of the residual against time) and `.resid_ewma` (an
//   EWMA of resid_mean over successive windows, smoothing `ewma_alpha`); the
//   reference's `.mean`; and `consensus.resid_z_median` (+ `_ewma`): the
//   median over the health signals of resid_mean / (the signal's residual
//   standard deviation in the baseline). Wear raises vibration, temperature
//   and current together; a drifting or spiking sensor moves one of them, and
//   with three or more signals one sensor alone cannot move the median.
//   Window ends are every `step_s`, the first once a whole baseline and a
//   whole window lie behind it.
// - O(1) per window whatever its length (prefix sums), no allocation per window.
// - A window with fewer than `min_samples` valid samples gives no row (and
//   does not move the EWMAs).
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <string>
#include <vector>

namespace twinbed::pipeline::pdm {

/// What the cloud holds for one asset: readings on one sample grid.
struct AssetSeries {
  double start_s = 0;   ///< time of sample 0
  double period_s = 1;  ///< sample spacing
  std::string reference_name = "flow";
  Eigen::ArrayXd reference;  ///< the load reference; NaN = missing
  std::vector<std::string> signal_names;
  std::vector<Eigen::ArrayXd> signals;  ///< health signals, each as long as `reference`; NaN = missing
};

struct FeatureOptions {
  double window_s = 86400.0;
  double step_s = 3600.0;
  double baseline_s = 7 * 86400.0;
  double ewma_alpha = 0.2;
  int min_samples = 10;
};

/// One row per window, columns named in `names`.
struct FeatureTable {
  std::vector<std::string> names;
  std::vector<double> window_end_s;
  Eigen::MatrixXd rows;
  /// Column of `name`, or -1.
  int column(const std::string& name) const;
};

/// y = intercept + slope * x by least squares over the pairs where both are finite.
struct LineFit {
  double intercept = 0;
  double slope = 0;
  std::size_t n = 0;  ///< pairs used (fewer than 2 or no spread in x: slope 0, intercept the mean of y)
};
LineFit fit_line(const Eigen::ArrayXd& x, const Eigen::ArrayXd& y, Eigen::Index begin, Eigen::Index end);

/// Prefix sums over one series: count, mean and least-squares slope (per
/// sample index) of any index range [i0, i1) in O(1). NaN samples are skipped.
class WindowStats {
 public:
  explicit WindowStats(const Eigen::ArrayXd& values);
  std::size_t count(Eigen::Index i0, Eigen::Index i1) const;
  double mean(Eigen::Index i0, Eigen::Index i1) const;
  /// Slope of value against sample index; 0 with fewer than two samples.
  double slope_per_sample(Eigen::Index i0, Eigen::Index i1) const;

 private:
  // Index k is taken relative to i0 inside a window; prefix sums keep k
  // absolute and the window shifts the origin algebraically.
  Eigen::ArrayXd n_, k_, k2_, x_, kx_;
};

/// Exponentially weighted moving average: the first value starts it.
class Ewma {
 public:
  explicit Ewma(double alpha) : alpha_(alpha) {}
  double update(double x);
  double value() const { return value_; }
  bool started() const { return started_; }

 private:
  double alpha_;
  double value_ = 0;
  bool started_ = false;
};

/// The columns compute_features() gives for these health signals and reference, in order.
std::vector<std::string> feature_names(const std::vector<std::string>& signal_names,
                                       const std::string& reference_name);

FeatureTable compute_features(const AssetSeries& series, const FeatureOptions& options);

}  // namespace twinbed::pipeline::pdm
