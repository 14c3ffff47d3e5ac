// MultivariateMonitor: one trained bundle of the multivariate detectors —
// PCA (T², Q), Mahalanobis (D²) and split-conformal calibration of each — that
// scores one observation at a time.
//
// Guarantees:
// - fit(rows, options) takes training rows in time order. With
//   calibration_fraction f > 0 the last ⌊f·n⌋ rows are held out: the models
//   are fitted on the first rows only, and the held-out rows' scores calibrate
//   one ConformalCalibrator per statistic (T², Q, D², and the combined score
//   c = max(T²/T²_lim, Q/Q_lim)). Holding out the *last* rows, not a random
//   subset, keeps calibration honest for autocorrelated plant data: a random
//   split would calibrate on rows nearly identical to fitted ones and
//   understate the scores of genuinely new data. With f = 0 there is no
//   conformal calibration and the p-values are absent.
// - score(x) returns all statistics with their parametric limits, the
//   p-values when calibrated, and `alarm`: the combined conformal p ≤ ε when
//   calibrated (one test, so the claimed false-alarm rate is ε, not 2ε), else
//   T² > T²_lim or Q > Q_lim.
// - Attribution: `top_variable` is the variable with the largest share of the
//   combined index, c_j = c_j(T²)/T²_lim + c_j(Q)/Q_lim (Σ c_j = T²/T²_lim +
//   Q/Q_lim); variables flagged in `ignore` (e.g. imputed) are never chosen.
// - fit() throws std::invalid_argument when the fitting part has fewer than
//   m + 2 rows or the calibration part is empty while f > 0; the message says
//   how many rows were needed and found.
#pragma once

#include <Eigen/Dense>
#include <optional>
#include <vector>

#include "pipeline/conformal.hpp"
#include "pipeline/mahalanobis.hpp"
#include "pipeline/pca_model.hpp"

namespace twinbed::pipeline {

struct MonitorOptions {
  PcaOptions pca;
  MahalanobisOptions mahalanobis;
  double calibration_fraction = 0.25;  ///< of the training rows, the last ones, held out for conformal
  double epsilon = 0.01;               ///< the claimed false-alarm rate of the conformal alarms
};

struct MonitorScore {
  double t2 = 0, q = 0, d2 = 0;
  double t2_limit = 0, q_limit = 0, d2_limit = 0;
  double combined = 0;  ///< max(T²/T²_lim, Q/Q_lim)
  std::optional<double> p_t2, p_q, p_d2, p_combined;
  bool alarm = false;
  int top_variable = 0;
  double top_share = 0;  ///< the top variable's c_j over Σ c_j
};

class MultivariateMonitor {
 public:
  MultivariateMonitor() = default;
  static MultivariateMonitor fit(const Eigen::MatrixXd& rows, const MonitorOptions& options);

  MonitorScore score(const Eigen::VectorXd& x, const std::vector<bool>& ignore = {}) const;

  const PcaModel& pca() const { return pca_; }
  const MahalanobisModel& mahalanobis() const { return mahalanobis_; }
  bool calibrated() const { return calibrated_; }
  const ConformalCalibrator& conformal_t2() const { return conformal_t2_; }
  const ConformalCalibrator& conformal_q() const { return conformal_q_; }
  const ConformalCalibrator& conformal_d2() const { return conformal_d2_; }
  const ConformalCalibrator& conformal_combined() const { return conformal_combined_; }
  double epsilon() const { return epsilon_; }
  int fitted_rows() const { return fitted_rows_; }
  int calibration_rows() const { return calibration_rows_; }
  /// Column means of the fitting rows (raw units): what an absent member is imputed with.
  const Eigen::VectorXd& training_mean() const { return pca_.standardiser().mean(); }

 private:
  PcaModel pca_;
  MahalanobisModel mahalanobis_;
  ConformalCalibrator conformal_t2_, conformal_q_, conformal_d2_, conformal_combined_;
  bool calibrated_ = false;
  double epsilon_ = 0.01;
  int fitted_rows_ = 0, calibration_rows_ = 0;
};

}  // namespace twinbed::pipeline
