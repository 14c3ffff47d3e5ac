// Fixed-seed synthetic data for the multivariate detector tests: Boost.Random
// (mt19937 + normal_distribution), whose sequences are specified and so the
// same on every platform, unlike <random>'s distributions.
#pragma once

#include <Eigen/Dense>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <cstdint>

namespace twinbed::test {

class Gaussian {
 public:
  explicit Gaussian(std::uint32_t seed) : engine_(seed) {}
  double next() { return normal_(engine_); }
  Eigen::MatrixXd matrix(Eigen::Index rows, Eigen::Index cols) {
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i) {
      for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = next();
    }
    return m;
  }

 private:
  boost::random::mt19937 engine_;
  boost::random::normal_distribution<double> normal_;
};

/// rows × m data of `rank` latent factors with standard deviations 3, 2.5, 2, ...
/// mixed by a fixed random m × rank matrix, plus independent noise of standard
/// deviation `noise_sd`, plus per-column offsets and scales (so standardisation matters).
inline Eigen::MatrixXd low_rank_plus_noise(Gaussian& g, Eigen::Index rows, Eigen::Index m, Eigen::Index rank,
                                           double noise_sd, const Eigen::MatrixXd& mixing) {
  Eigen::MatrixXd latent = g.matrix(rows, rank);
  for (Eigen::Index k = 0; k < rank; ++k) latent.col(k) *= 3.0 - 0.5 * static_cast<double>(k);
  Eigen::MatrixXd x = latent * mixing.transpose() + noise_sd * g.matrix(rows, m);
  for (Eigen::Index j = 0; j < m; ++j)
    x.col(j) = x.col(j) * (1.0 + static_cast<double>(j)) +
               Eigen::VectorXd::Constant(rows, 10.0 * static_cast<double>(j));
  return x;
}

}  // namespace twinbed::test
