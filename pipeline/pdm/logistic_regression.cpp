#include "pipeline/pdm/logistic_regression.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace twinbed::pipeline::pdm {

namespace {
/// log(1 + exp(z)) without overflow.
double softplus(double z) {
  return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}
double sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

/// Penalised objective; `eta` the linear predictors.
double objective(const Eigen::VectorXd& eta, const Eigen::VectorXd& y, const Eigen::VectorXd& w, double w_sum,
                 const Eigen::VectorXd& beta, double l2) {
  double loss = 0;
  for (Eigen::Index i = 0; i < eta.size(); ++i) loss += w(i) * (softplus(eta(i)) - y(i) * eta(i));
  return loss / w_sum + 0.5 * l2 * beta.squaredNorm();
}
}  // namespace

Eigen::VectorXd LogisticModel::probabilities(const Eigen::MatrixXd& x) const {
  Eigen::VectorXd eta =
      ((x.rowwise() - mean.transpose()).array().rowwise() / scale.transpose().array()).matrix() * beta;
  eta.array() += intercept;
  return eta.unaryExpr([](double z) { return sigmoid(z); });
}

double LogisticModel::probability(const Eigen::RowVectorXd& x) const {
  const double eta =
      intercept + ((x - mean.transpose()).array() / scale.transpose().array()).matrix().dot(beta);
  return sigmoid(eta);
}

LogisticModel fit_logistic(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& w,
                           const LogisticOptions& options) {
  const Eigen::Index n = x.rows(), p = x.cols();
  if (y.size() != n || w.size() != n)
    throw std::invalid_argument("fit_logistic: x, y and w disagree in length");
  if (n == 0) throw std::invalid_argument("fit_logistic: no rows");
  LogisticModel m;
  const double w_sum = w.sum();
  m.mean = (x.transpose() * w) / w_sum;
  m.scale.resize(p);
  for (Eigen::Index j = 0; j < p; ++j) {
    const double var = (w.array() * (x.col(j).array() - m.mean(j)).square()).sum() / w_sum;
    m.scale(j) = var > 1e-24 ? std::sqrt(var) : 1.0;
  }
  // Design with a leading column of ones: [1, z].
  Eigen::MatrixXd z(n, p + 1);
  z.col(0).setOnes();
  z.rightCols(p) =
      ((x.rowwise() - m.mean.transpose()).array().rowwise() / m.scale.transpose().array()).matrix();

  Eigen::VectorXd theta = Eigen::VectorXd::Zero(p + 1);  // [intercept, beta]
  // Start the intercept at the weighted log-odds: one step fewer, and exact with no features.
  const double ybar = std::clamp(w.dot(y) / w_sum, 1e-12, 1.0 - 1e-12);
  theta(0) = std::log(ybar / (1.0 - ybar));
  Eigen::VectorXd eta = z * theta;
  double obj = objective(eta, y, w, w_sum, theta.tail(p), options.l2);
  Eigen::VectorXd prob(n), curv(n), grad(p + 1);
  Eigen::MatrixXd hess(p + 1, p + 1);
  for (m.iterations = 0; m.iterations < options.max_iterations;) {
    ++m.iterations;
    for (Eigen::Index i = 0; i < n; ++i) {
      prob(i) = sigmoid(eta(i));
      curv(i) = w(i) * prob(i) * (1.0 - prob(i)) / w_sum;
    }
    grad = z.transpose() * (w.cwiseProduct(prob - y) / w_sum);
    grad.tail(p) += options.l2 * theta.tail(p);
    hess.noalias() = z.transpose() * curv.asDiagonal() * z;
    hess.diagonal().tail(p).array() += options.l2;
    hess(0, 0) += 1e-12;  // keeps the system positive definite when every p is 0 or 1
    const Eigen::VectorXd step = hess.ldlt().solve(grad);
    double t = 1.0;
    Eigen::VectorXd next;
    double next_obj = obj;
    for (int halvings = 0; halvings < 40; ++halvings, t *= 0.5) {
      next = theta - t * step;
      eta.noalias() = z * next;
      next_obj = objective(eta, y, w, w_sum, next.tail(p), options.l2);
      if (next_obj <= obj) break;
    }
    if (!(next_obj <= obj)) {  // no descent: at the minimum to numerical precision
      eta.noalias() = z * theta;
      m.converged = true;
      break;
    }
    const double change = (t * step).cwiseAbs().maxCoeff();
    theta = next;
    obj = next_obj;
    if (change < options.tolerance) {
      m.converged = true;
      break;
    }
  }
  m.intercept = theta(0);
  m.beta = theta.tail(p);
  m.objective = obj;
  return m;
}

Eigen::VectorXd inverse_frequency_weights(const Eigen::VectorXd& y) {
  const double n = static_cast<double>(y.size());
  const double n_pos = (y.array() > 0.5).count();
  const double n_neg = n - n_pos;
  const double w_pos = n_pos > 0 ? n / (2.0 * n_pos) : 1.0;
  const double w_neg = n_neg > 0 ? n / (2.0 * n_neg) : 1.0;
  return (y.array() > 0.5).select(Eigen::VectorXd::Constant(y.size(), w_pos), w_neg);
}

}  // namespace twinbed::pipeline::pdm
