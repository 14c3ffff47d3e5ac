#include "pipeline/standardiser.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace twinbed::pipeline {

Standardiser Standardiser::fit(const Eigen::MatrixXd& training, double constant_tolerance) {
  if (training.rows() < 2 || training.cols() < 1) {
    throw std::invalid_argument("Standardiser::fit: needs at least 2 rows and 1 column");
  }
  Standardiser s;
  const double n = static_cast<double>(training.rows());
  s.mean_ = training.colwise().mean().transpose();
  s.scale_.resize(training.cols());
  for (Eigen::Index j = 0; j < training.cols(); ++j) {
    const double ss = (training.col(j).array() - s.mean_(j)).square().sum();
    const double sd = std::sqrt(ss / (n - 1.0));
    if (sd <= constant_tolerance * std::max(1.0, std::abs(s.mean_(j)))) {
      s.scale_(j) = 1.0;
      s.constant_.push_back(static_cast<int>(j));
    } else {
      s.scale_(j) = sd;
    }
  }
  return s;
}

Eigen::VectorXd Standardiser::apply(const Eigen::VectorXd& x) const {
  return (x - mean_).cwiseQuotient(scale_);
}

Eigen::MatrixXd Standardiser::apply_rows(const Eigen::MatrixXd& rows) const {
  return (rows.rowwise() - mean_.transpose()).array().rowwise() / scale_.transpose().array();
}

}  // namespace twinbed::pipeline
