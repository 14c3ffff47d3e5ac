// Standardiser: column-wise centring and scaling learned from a training matrix.
//
// Guarantees:
// - fit() takes each column's mean and sample standard deviation (divisor
//   n - 1) from the training rows; apply() maps x to (x - mean) / scale.
// - A column whose standard deviation is at most `constant_tolerance` times
//   max(1, |mean|) is *constant* in training. Dividing by its (near-)zero
//   spread would blow any later change up to infinity, and leaving it out
//   would hide the change altogether, so its scale is 1: the standardised
//   value is the raw departure from the training constant, zero while the
//   sensor keeps its value and visible in the residual (Q) the moment it moves.
//   constant_columns() lists them so a caller can report it.
// - Needs at least two rows and one column; otherwise fit() throws
//   std::invalid_argument (a programming or configuration error, not data).
#pragma once

#include <Eigen/Dense>
#include <vector>

namespace twinbed::pipeline {

class Standardiser {
 public:
  Standardiser() = default;
  /// Learns mean and scale per column of `training` (rows = observations).
  static Standardiser fit(const Eigen::MatrixXd& training, double constant_tolerance = 1e-12);

  /// (x - mean) / scale for one observation (a column vector of the same width).
  Eigen::VectorXd apply(const Eigen::VectorXd& x) const;
  /// The same for every row of `rows`.
  Eigen::MatrixXd apply_rows(const Eigen::MatrixXd& rows) const;

  const Eigen::VectorXd& mean() const { return mean_; }
  const Eigen::VectorXd& scale() const { return scale_; }
  const std::vector<int>& constant_columns() const { return constant_; }
  int columns() const { return static_cast<int>(mean_.size()); }

 private:
  Eigen::VectorXd mean_, scale_;
  std::vector<int> constant_;
};

}  // namespace twinbed::pipeline
