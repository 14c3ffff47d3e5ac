#include "pipeline/multivariate_monitor.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace twinbed::pipeline {

MultivariateMonitor MultivariateMonitor::fit(const Eigen::MatrixXd& rows, const MonitorOptions& options) {
  if (!(options.calibration_fraction >= 0 && options.calibration_fraction < 1)) {
    throw std::invalid_argument("MultivariateMonitor::fit: calibration_fraction not in [0, 1)");
  }
  const auto n = static_cast<int>(rows.rows());
  const auto m = static_cast<int>(rows.cols());
  const int n_cal = static_cast<int>(std::floor(options.calibration_fraction * n));
  const int n_fit = n - n_cal;
  if (n_fit < m + 2) {
    throw std::invalid_argument("MultivariateMonitor::fit: needs at least " + std::to_string(m + 2) +
                                " fitting rows for " + std::to_string(m) + " variables, found " +
                                std::to_string(n_fit));
  }
  if (options.calibration_fraction > 0 && n_cal < 1) {
    throw std::invalid_argument(
        "MultivariateMonitor::fit: calibration_fraction leaves no calibration row of " + std::to_string(n));
  }
  MultivariateMonitor monitor;
  const Eigen::MatrixXd fitting = rows.topRows(n_fit);
  monitor.pca_ = PcaModel::fit(fitting, options.pca);
  monitor.mahalanobis_ = MahalanobisModel::fit(fitting, options.mahalanobis);
  monitor.epsilon_ = options.epsilon;
  monitor.fitted_rows_ = n_fit;
  monitor.calibration_rows_ = n_cal;
  if (n_cal > 0) {
    std::vector<double> t2, q, d2, combined;
    for (int i = n_fit; i < n; ++i) {
      const MonitorScore s = monitor.score(rows.row(i).transpose());
      t2.push_back(s.t2);
      q.push_back(s.q);
      d2.push_back(s.d2);
      combined.push_back(s.combined);
    }
    monitor.conformal_t2_ = ConformalCalibrator(std::move(t2), options.epsilon);
    monitor.conformal_q_ = ConformalCalibrator(std::move(q), options.epsilon);
    monitor.conformal_d2_ = ConformalCalibrator(std::move(d2), options.epsilon);
    monitor.conformal_combined_ = ConformalCalibrator(std::move(combined), options.epsilon);
    monitor.calibrated_ = true;
  }
  return monitor;
}

MonitorScore MultivariateMonitor::score(const Eigen::VectorXd& x, const std::vector<bool>& ignore) const {
  MonitorScore s;
  s.t2 = pca_.t2(x);
  s.q = pca_.q(x);
  s.d2 = mahalanobis_.distance2(x);
  s.t2_limit = pca_.t2_limit();
  s.q_limit = pca_.q_limit();
  s.d2_limit = mahalanobis_.limit();
  // A zero Q limit (no residual variance in training) makes any residual infinitely unusual.
  const double q_ratio = s.q_limit > 0 ? s.q / s.q_limit : (s.q > 0 ? HUGE_VAL : 0.0);
  s.combined = std::max(s.t2 / s.t2_limit, q_ratio);
  if (calibrated_) {
    s.p_t2 = conformal_t2_.p_value(s.t2);
    s.p_q = conformal_q_.p_value(s.q);
    s.p_d2 = conformal_d2_.p_value(s.d2);
    s.p_combined = conformal_combined_.p_value(s.combined);
    s.alarm = *s.p_combined <= epsilon_;
  } else {
    s.alarm = s.t2 > s.t2_limit || s.q > s.q_limit;
  }
  const Eigen::VectorXd share = pca_.t2_contributions(x) / s.t2_limit +
                                (s.q_limit > 0 ? Eigen::VectorXd(pca_.q_contributions(x) / s.q_limit)
                                               : Eigen::VectorXd(pca_.q_contributions(x)));
  const double total = share.sum();
  int best = -1;
  for (int j = 0; j < share.size(); ++j) {
    if (j < static_cast<int>(ignore.size()) && ignore[static_cast<std::size_t>(j)]) continue;
    if (best < 0 || share(j) > share(best)) best = j;
  }
  s.top_variable = std::max(best, 0);
  s.top_share = (best >= 0 && total > 0) ? share(best) / total : 0.0;
  return s;
}

}  // namespace twinbed::pipeline
