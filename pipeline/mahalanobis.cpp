#include "pipeline/mahalanobis.hpp"

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/fisher_f.hpp>
#include <stdexcept>

namespace twinbed::pipeline {

MahalanobisModel MahalanobisModel::fit(const Eigen::MatrixXd& training, const MahalanobisOptions& options) {
  if (training.rows() < 2 || training.cols() < 1) {
    throw std::invalid_argument("MahalanobisModel::fit: needs at least 2 rows and 1 column");
  }
  if (!(options.confidence > 0 && options.confidence < 1) || !(options.min_eigenvalue_fraction > 0)) {
    throw std::invalid_argument("MahalanobisModel::fit: option out of range");
  }
  MahalanobisModel model;
  model.rows_ = static_cast<int>(training.rows());
  const Eigen::Index m = training.cols();
  model.mean_ = training.colwise().mean().transpose();
  const Eigen::MatrixXd centred = training.rowwise() - model.mean_.transpose();
  model.covariance_ = (centred.transpose() * centred) / static_cast<double>(model.rows_ - 1);

  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(model.covariance_, Eigen::EigenvaluesOnly);
  const double mean_eigenvalue = std::max(model.covariance_.trace() / static_cast<double>(m), 1e-300);
  const double floor = options.min_eigenvalue_fraction * mean_eigenvalue;
  if (solver.eigenvalues().minCoeff() < floor) {
    model.covariance_.diagonal().array() += floor;
    model.regularised_ = true;
  }
  model.factor_.compute(model.covariance_);
  model.kind_ = (options.limit == LimitKind::kF && model.rows_ > m) ? LimitKind::kF : LimitKind::kChiSquared;
  model.limit_ = model.limit_at(options.confidence);
  return model;
}

double MahalanobisModel::distance2(const Eigen::VectorXd& x) const {
  const Eigen::VectorXd d = x - mean_;
  return d.dot(factor_.solve(d));
}

Eigen::VectorXd MahalanobisModel::contributions(const Eigen::VectorXd& x) const {
  const Eigen::VectorXd d = x - mean_;
  return d.cwiseProduct(factor_.solve(d));
}

double MahalanobisModel::limit_at(double confidence) const {
  const double m = static_cast<double>(mean_.size()), n = rows_;
  if (kind_ == LimitKind::kF) {
    const boost::math::fisher_f f(m, n - m);
    return m * (n - 1) * (n + 1) / (n * (n - m)) * boost::math::quantile(f, confidence);
  }
  return boost::math::quantile(boost::math::chi_squared(m), confidence);
}

}  // namespace twinbed::pipeline
