// Logistic regression fitted by Newton's method (IRLS) with an L2 penalty
// and per-sample weights, for "fails within the horizon" classifiers.
//
// Guarantees:
// - Minimises  sum_i w_i * logloss(y_i, p_i) / sum_i w_i  +  (l2 / 2) * |beta|^2
//   over standardised features (each column centred and scaled by its
//   weighted mean and standard deviation on the training rows; a constant
//   column gets scale 1). The intercept is not penalised.
// - Each Newton step solves the (p+1)x(p+1) system with Eigen's LDLT and is
//   halved until the objective does not increase, so the objective never
//   rises from one iteration to the next. Stops when the largest change in a
//   coefficient is below `tolerance` or after `max_iterations`.
// - Deterministic: no randomness, a fixed order of operations.
// - inverse_frequency_weights(): the answer to class imbalance, w_c = n / (2 n_c)
//   per class c, so each class carries half the total weight.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

namespace twinbed::pipeline::pdm {

struct LogisticOptions {
  double l2 = 1e-3;
  int max_iterations = 100;
  double tolerance = 1e-8;
};

struct LogisticModel {
  Eigen::VectorXd mean;   ///< per feature, for standardisation
  Eigen::VectorXd scale;  ///< per feature
  double intercept = 0;   ///< on standardised features
  Eigen::VectorXd beta;   ///< on standardised features
  int iterations = 0;
  bool converged = false;
  double objective = 0;  ///< the penalised objective at the solution

  /// P(y = 1 | x) for each row of x.
  Eigen::VectorXd probabilities(const Eigen::MatrixXd& x) const;
  double probability(const Eigen::RowVectorXd& x) const;
  /// Coefficients on the original feature scale: logit = intercept_raw() + x . coefficients_raw().
  Eigen::VectorXd coefficients_raw() const { return beta.cwiseQuotient(scale); }
  double intercept_raw() const { return intercept - beta.dot(mean.cwiseQuotient(scale)); }
};

/// Fits y (0 or 1) on the rows of x with sample weights w (all > 0; same length as y).
LogisticModel fit_logistic(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& w,
                           const LogisticOptions& options);

/// Weights inverse to class frequency: n / (2 n_pos) for positives, n / (2 n_neg)
/// for negatives (1 for a class that is absent).
Eigen::VectorXd inverse_frequency_weights(const Eigen::VectorXd& y);

}  // namespace twinbed::pipeline::pdm
