#include <doctest/doctest.h>

#include <cmath>

#include "pipeline/mahalanobis.hpp"
#include "synthetic_data.hpp"

using namespace twinbed::pipeline;

TEST_CASE("Mahalanobis distance against a hand-computed case") {
  // Rows (0,0) (1,1) (2,2) (1,0) (1,2): mean (1,1); deviations give Sxx = 2, Syy = 4,
  // Sxy = 2; S = [[0.5, 0.5], [0.5, 1]] (n − 1 = 4), S⁻¹ = [[4, −2], [−2, 2]].
  Eigen::MatrixXd x(5, 2);
  x << 0, 0, 1, 1, 2, 2, 1, 0, 1, 2;
  const MahalanobisModel m = MahalanobisModel::fit(x, {});
  CHECK(m.mean()(0) == doctest::Approx(1.0));
  CHECK(m.covariance()(0, 1) == doctest::Approx(0.5));
  CHECK_FALSE(m.regularised());
  CHECK(m.distance2(Eigen::Vector2d(2, 1)) == doctest::Approx(4.0));   // d = (1, 0)
  CHECK(m.distance2(Eigen::Vector2d(1, 2)) == doctest::Approx(2.0));   // d = (0, 1)
  CHECK(m.distance2(Eigen::Vector2d(2, 2)) == doctest::Approx(2.0));   // d = (1, 1): 4 − 2 − 2 + 2
  CHECK(m.distance2(Eigen::Vector2d(0, 2)) == doctest::Approx(10.0));  // d = (−1, 1): 4 + 2 + 2 + 2
  const Eigen::VectorXd c = m.contributions(Eigen::Vector2d(0, 2));
  CHECK(c(0) == doctest::Approx(6.0));  // −1 · (S⁻¹d)_0 = −1 · (−6)
  CHECK(c(1) == doctest::Approx(4.0));  //  1 · (S⁻¹d)_1 = 1 · 4
  // F limit: m(n−1)(n+1)/(n(n−m)) F_{2,3}(0.99) = 2·4·6/(5·3) · 30.8165.
  CHECK(m.limit_kind() == LimitKind::kF);
  CHECK(m.limit() == doctest::Approx(3.2 * 30.8165).epsilon(1e-4));
  MahalanobisOptions chi;
  chi.limit = LimitKind::kChiSquared;
  CHECK(MahalanobisModel::fit(x, chi).limit() == doctest::Approx(9.21034).epsilon(1e-5));  // χ²_2(0.99)
}

TEST_CASE("Mahalanobis: a singular covariance is regularised, never divided by zero") {
  twinbed::test::Gaussian g(4);
  Eigen::MatrixXd x = g.matrix(50, 3);
  x.col(2) = x.col(0) + x.col(1);  // exactly collinear
  const MahalanobisModel m = MahalanobisModel::fit(x, {});
  CHECK(m.regularised());
  const Eigen::VectorXd inside = x.row(3).transpose();
  CHECK(std::isfinite(m.distance2(inside)));
  CHECK(m.distance2(inside) < m.limit());
  Eigen::VectorXd broken = inside;
  broken(2) += 1.0;  // breaks the exact relation: enormous distance, still finite
  CHECK(std::isfinite(m.distance2(broken)));
  CHECK(m.distance2(broken) > 1e3 * m.limit());
  // More variables than rows: χ² fallback for the limit.
  const MahalanobisModel wide = MahalanobisModel::fit(g.matrix(4, 6), {});
  CHECK(wide.regularised());
  CHECK(wide.limit_kind() == LimitKind::kChiSquared);
}

// D² of a new Gaussian observation, model fitted on n rows, follows
// m(n−1)(n+1)/(n(n−m)) F_{m,n−m} exactly (unconditionally: one training's
// own rate varies widely at n = 30, hence many trainings). Over 2000 trainings
// of n = 30 (χ²_4 would give about 4 % here) × 50 new rows, the rate at 1 %
// is within 0.15 points (about 3.5 sd of the trainings' spread and the
// binomial noise together).
TEST_CASE("Mahalanobis F limit holds at the stated confidence (statistical, fixed seed)") {
  twinbed::test::Gaussian g(77);
  long tests = 0, alarms = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    const MahalanobisModel m = MahalanobisModel::fit(g.matrix(30, 4), {});
    const Eigen::MatrixXd fresh = g.matrix(50, 4);
    for (Eigen::Index i = 0; i < fresh.rows(); ++i) {
      alarms += m.distance2(fresh.row(i).transpose()) > m.limit();
      ++tests;
    }
  }
  const double rate = static_cast<double>(alarms) / static_cast<double>(tests);
  MESSAGE("D² false-alarm rate " << rate);
  CHECK(rate == doctest::Approx(0.01).epsilon(0.15));
}
