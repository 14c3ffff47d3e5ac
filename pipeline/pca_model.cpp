#include "pipeline/pca_model.hpp"

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <vector>

namespace twinbed::pipeline {

std::string to_string(ComponentRule rule) {
  switch (rule) {
    case ComponentRule::kFixed:
      return "fixed";
    case ComponentRule::kCumulativeVariance:
      return "cumulative_variance";
    case ComponentRule::kKaiser:
      return "kaiser";
    case ComponentRule::kParallelAnalysis:
      return "parallel_analysis";
  }
  return "unknown";
}

namespace {

/// Eigenvalues (largest first) of a symmetric matrix, negatives clamped to 0.
Eigen::VectorXd descending_eigenvalues(const Eigen::MatrixXd& symmetric) {
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(symmetric, Eigen::EigenvaluesOnly);
  return solver.eigenvalues().reverse().cwiseMax(0.0);
}

/// Correlation matrix of the columns of `data` (a constant column gets 0 off-diagonal, 1 on it).
Eigen::MatrixXd correlation(const Eigen::MatrixXd& data) {
  const Eigen::MatrixXd centred = data.rowwise() - data.colwise().mean();
  Eigen::MatrixXd cov = (centred.transpose() * centred) / static_cast<double>(data.rows() - 1);
  Eigen::VectorXd inv_sd = cov.diagonal().cwiseSqrt().cwiseInverse();
  Eigen::MatrixXd r = inv_sd.asDiagonal() * cov * inv_sd.asDiagonal();
  return r;
}

/// splitmix64 with Box–Muller: portable standard normal draws.
class NormalStream {
 public:
  explicit NormalStream(std::uint64_t seed) : state_(seed) {}
  double next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = 0;
    while (u1 <= 0) u1 = uniform();
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2 * std::numbers::pi * u2);
    has_spare_ = true;
    return r * std::cos(2 * std::numbers::pi * u2);
  }

 private:
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  std::uint64_t next_u64() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t state_;
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace

Eigen::VectorXd parallel_analysis_reference(int rows, int columns, int replicates, std::uint64_t seed,
                                            double percentile) {
  if (rows < 3 || columns < 1 || replicates < 1 || !(percentile >= 0 && percentile < 1)) {
    throw std::invalid_argument(
        "parallel_analysis_reference: needs rows >= 3, columns >= 1, replicates >= 1, percentile in [0, 1)");
  }
  NormalStream normal(seed);
  Eigen::MatrixXd eigenvalues(columns, replicates);  // column r: replicate r, largest first
  Eigen::MatrixXd data(rows, columns);
  for (int r = 0; r < replicates; ++r) {
    for (int j = 0; j < columns; ++j) {
      for (int i = 0; i < rows; ++i) data(i, j) = normal.next();
    }
    eigenvalues.col(r) = descending_eigenvalues(correlation(data));
  }
  if (percentile == 0) return eigenvalues.rowwise().mean();
  // The empirical percentile per rank (nearest rank: the ⌈p·R⌉-th smallest of R).
  Eigen::VectorXd reference(columns);
  const auto k = static_cast<std::size_t>(std::max(1.0, std::ceil(percentile * replicates)) - 1);
  for (int j = 0; j < columns; ++j) {
    std::vector<double> values(static_cast<std::size_t>(replicates));
    for (int r = 0; r < replicates; ++r) values[static_cast<std::size_t>(r)] = eigenvalues(j, r);
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
    reference(j) = values[k];
  }
  return reference;
}

int choose_components(const Eigen::VectorXd& eigenvalues, const PcaOptions& options,
                      const Eigen::VectorXd& reference) {
  const int m = static_cast<int>(eigenvalues.size());
  int a = 0;
  switch (options.rule) {
    case ComponentRule::kFixed:
      a = options.fixed_components;
      break;
    case ComponentRule::kCumulativeVariance: {
      const double total = eigenvalues.sum();
      double cumulative = 0;
      while (a < m) {
        cumulative += eigenvalues(a++);
        if (cumulative >= options.variance_fraction * total) break;
      }
      break;
    }
    case ComponentRule::kKaiser:
      while (a < m && eigenvalues(a) >= 1.0) ++a;
      break;
    case ComponentRule::kParallelAnalysis:
      while (a < m && a < reference.size() && eigenvalues(a) > reference(a)) ++a;
      break;
  }
  return std::clamp(a, 1, m - 1);
}

PcaModel PcaModel::fit(const Eigen::MatrixXd& training, const PcaOptions& options) {
  if (training.rows() < 3 || training.cols() < 2) {
    throw std::invalid_argument("PcaModel::fit: needs at least 3 rows and 2 columns");
  }
  if (!(options.confidence > 0 && options.confidence < 1) || options.fixed_components < 1 ||
      !(options.variance_fraction > 0 && options.variance_fraction <= 1) || options.parallel_replicates < 1 ||
      !(options.parallel_percentile >= 0 && options.parallel_percentile < 1)) {
    throw std::invalid_argument("PcaModel::fit: option out of range");
  }
  PcaModel model;
  model.rows_ = static_cast<int>(training.rows());
  model.rule_ = options.rule;
  model.standardiser_ = Standardiser::fit(training);
  const Eigen::MatrixXd z = model.standardiser_.apply_rows(training);
  const Eigen::MatrixXd r = (z.transpose() * z) / static_cast<double>(model.rows_ - 1);

  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(r);
  if (solver.info() != Eigen::Success)
    throw std::invalid_argument("PcaModel::fit: eigen-decomposition failed");
  const Eigen::Index m = r.rows();
  model.eigenvalues_ = solver.eigenvalues().reverse().cwiseMax(0.0);
  const Eigen::MatrixXd vectors = solver.eigenvectors().rowwise().reverse();

  if (options.rule == ComponentRule::kParallelAnalysis) {
    model.parallel_reference_ =
        parallel_analysis_reference(model.rows_, static_cast<int>(m), options.parallel_replicates,
                                    options.parallel_seed, options.parallel_percentile);
  }
  model.components_ = choose_components(model.eigenvalues_, options, model.parallel_reference_);
  const int a = model.components_;
  model.loadings_ = vectors.leftCols(a);
  model.inverse_retained_.resize(a);
  for (int i = 0; i < a; ++i) {
    // A retained zero eigenvalue (a rank-deficient fixed choice) carries no variance: ignore its score.
    const double lambda = model.eigenvalues_(i);
    model.inverse_retained_(i) = lambda > 0 ? 1.0 / lambda : 0.0;
  }
  const Eigen::VectorXd residual = model.eigenvalues_.tail(m - a);
  model.theta1_ = residual.sum();
  model.theta2_ = residual.array().square().sum();
  model.theta3_ = residual.array().cube().sum();
  model.h0_ = model.theta2_ > 0
                  ? 1.0 - 2.0 * model.theta1_ * model.theta3_ / (3.0 * model.theta2_ * model.theta2_)
                  : 1.0;
  model.confidence_ = options.confidence;
  model.t2_limit_ = model.t2_limit_at(options.confidence);
  model.q_limit_ = model.q_limit_at(options.confidence);
  return model;
}

double PcaModel::t2(const Eigen::VectorXd& x) const {
  const Eigen::VectorXd t = loadings_.transpose() * standardiser_.apply(x);
  return t.array().square().matrix().dot(inverse_retained_);
}

double PcaModel::q(const Eigen::VectorXd& x) const {
  const Eigen::VectorXd z = standardiser_.apply(x);
  return (z - loadings_ * (loadings_.transpose() * z)).squaredNorm();
}

Eigen::VectorXd PcaModel::t2_contributions(const Eigen::VectorXd& x) const {
  const Eigen::VectorXd z = standardiser_.apply(x);
  const Eigen::VectorXd weighted = loadings_ * inverse_retained_.asDiagonal() * (loadings_.transpose() * z);
  return z.cwiseProduct(weighted);
}

Eigen::VectorXd PcaModel::q_contributions(const Eigen::VectorXd& x) const {
  const Eigen::VectorXd z = standardiser_.apply(x);
  return (z - loadings_ * (loadings_.transpose() * z)).array().square();
}

double PcaModel::t2_limit_at(double confidence) const {
  const double a = components_, n = rows_;
  if (n - a < 1) return std::numeric_limits<double>::infinity();
  const boost::math::fisher_f f(a, n - a);
  return a * (n - 1) * (n + 1) / (n * (n - a)) * boost::math::quantile(f, confidence);
}

const char* PcaModel::q_limit_rule() const {
  return h0_ > 0 ? "jackson_mudholkar" : "box_chi2";
}

double PcaModel::q_limit_at(double confidence) const {
  if (theta1_ <= 0 || theta2_ <= 0) return 0.0;  // no residual variance in training
  if (h0_ > 0) {
    const double c = boost::math::quantile(boost::math::normal(), confidence);
    const double base = c * std::sqrt(2.0 * theta2_ * h0_ * h0_) / theta1_ + 1.0 +
                        theta2_ * h0_ * (h0_ - 1.0) / (theta1_ * theta1_);
    return theta1_ * std::pow(base, 1.0 / h0_);
  }
  const double g = theta2_ / theta1_, h = theta1_ * theta1_ / theta2_;
  return g * boost::math::quantile(boost::math::chi_squared(h), confidence);
}

}  // namespace twinbed::pipeline
