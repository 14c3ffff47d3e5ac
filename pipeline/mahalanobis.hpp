// MahalanobisModel: squared Mahalanobis distance of a new observation from the
// training distribution, with a control limit.
//
// Guarantees:
// - fit() takes the training mean μ and sample covariance S (divisor n - 1).
//   If S is singular or badly conditioned (its smallest eigenvalue below
//   `min_eigenvalue_fraction` × its mean eigenvalue, e.g. a constant sensor
//   or n ≤ m), it is regularised by shrinkage: S + δI with δ that fraction of
//   the mean eigenvalue; regularised() says so. No input makes it divide by zero.
// - distance2(x) = (x − μ)ᵀ S⁻¹ (x − μ), computed with an LDLᵀ factorisation
//   (no explicit inverse).
// - limit(): for LimitKind::kF the exact limit for a new observation
//   independent of the training data under normality,
//   m(n−1)(n+1) / (n(n−m)) · F_{m,n−m}(confidence) (needs n > m; otherwise
//   fit() falls back to χ²); for kChiSquared the large-sample χ²_m(confidence).
// - contributions(x)_j = (x−μ)_j (S⁻¹(x−μ))_j, summing exactly to D².
// - fit() throws std::invalid_argument for fewer than 2 rows or no column.
#pragma once

#include <Eigen/Dense>

namespace twinbed::pipeline {

enum class LimitKind { kF, kChiSquared };

struct MahalanobisOptions {
  LimitKind limit = LimitKind::kF;
  double confidence = 0.99;
  double min_eigenvalue_fraction = 1e-9;
};

class MahalanobisModel {
 public:
  MahalanobisModel() = default;
  static MahalanobisModel fit(const Eigen::MatrixXd& training, const MahalanobisOptions& options);

  double distance2(const Eigen::VectorXd& x) const;
  Eigen::VectorXd contributions(const Eigen::VectorXd& x) const;
  double limit() const { return limit_; }
  double limit_at(double confidence) const;
  LimitKind limit_kind() const { return kind_; }
  bool regularised() const { return regularised_; }
  const Eigen::VectorXd& mean() const { return mean_; }
  const Eigen::MatrixXd& covariance() const { return covariance_; }

 private:
  Eigen::VectorXd mean_;
  Eigen::MatrixXd covariance_;  ///< after regularisation
  Eigen::LDLT<Eigen::MatrixXd> factor_;
  LimitKind kind_ = LimitKind::kF;
  bool regularised_ = false;
  int rows_ = 0;
  double limit_ = 0;
};

}  // namespace twinbed::pipeline
