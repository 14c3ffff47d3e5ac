#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "pipeline/conformal.hpp"
#include "synthetic_data.hpp"

using namespace twinbed::pipeline;

TEST_CASE("conformal p-value: (1 + #{calibration ≥ s}) / (n + 1)") {
  const ConformalCalibrator c({5, 1, 3, 2, 4, 3, 8, 6, 7, 9}, 0.2);  // n = 10
  CHECK(c.calibration_size() == 10);
  CHECK(c.p_value(100) == doctest::Approx(1.0 / 11));
  CHECK(c.p_value(9) == doctest::Approx(2.0 / 11));  // ties count as "at or above"
  CHECK(c.p_value(3) == doctest::Approx(9.0 / 11));
  CHECK(c.p_value(-1) == doctest::Approx(1.0));
  CHECK(c.p_value(std::numeric_limits<double>::quiet_NaN()) == doctest::Approx(1.0 / 11));
  CHECK(c.epsilon() == 0.2);
  // ε(n+1) = 2.2: alarm iff at most one calibration score is ≥ s, i.e. s > 8.
  CHECK(c.threshold() == 8.0);
  CHECK_FALSE(c.alarm(8.0));
  CHECK(c.alarm(8.5));
  CHECK(c.can_alarm());
  // Too few calibration scores for ε = 0.01: 1/11 > 0.01, never alarms.
  const ConformalCalibrator small({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.01);
  CHECK_FALSE(small.can_alarm());
  CHECK_FALSE(small.alarm(1e300));
  CHECK(std::isinf(small.threshold()));
  CHECK_THROWS_AS(ConformalCalibrator({}, 0.1), std::invalid_argument);
  CHECK_THROWS_AS(ConformalCalibrator({1.0}, 0.0), std::invalid_argument);
}

// Exchangeable scores (calibration and test drawn alike, here |N(0,1)|³, a
// skewed score no parametric limit would fit): the p-value is uniform on
// {1/(n+1), …, 1}. 4000 trials, each with a fresh calibration set of n = 99
// and one test score. Ten bins of width 0.1 hold ten p-values each, so the
// binned χ² has 9 degrees of freedom: it must stay below 27.88 (the 0.999
// quantile). The false-alarm rate at ε = 0.05 must be at most
// ε + 3·sqrt(ε(1−ε)/4000) = 0.0603 and within 3 sd of exactly 0.05.
TEST_CASE("conformal p-values are uniform on exchangeable data (statistical, fixed seed)") {
  twinbed::test::Gaussian g(99);
  const int trials = 4000, n = 99;
  std::vector<int> bins(10, 0);
  int alarms = 0;
  std::vector<double> p_values;
  for (int t = 0; t < trials; ++t) {
    std::vector<double> calibration(n);
    for (auto& s : calibration) s = std::pow(std::abs(g.next()), 3);
    const ConformalCalibrator c(std::move(calibration), 0.05);
    const double p = c.p_value(std::pow(std::abs(g.next()), 3));
    p_values.push_back(p);
    bins[std::min(9, static_cast<int>(std::ceil(p * 10 - 1e-9)) - 1)]++;
    alarms += c.alarm(std::pow(std::abs(g.next()), 3)) ? 1 : 0;
  }
  double chi2 = 0;
  for (int b : bins) chi2 += (b - trials / 10.0) * (b - trials / 10.0) / (trials / 10.0);
  MESSAGE("binned chi2 " << chi2);
  CHECK(chi2 < 27.88);
  // Kolmogorov–Smirnov against the discrete uniform's CDF at its support points.
  std::sort(p_values.begin(), p_values.end());
  double ks = 0;
  for (int k = 1; k <= n + 1; ++k) {
    const double support = static_cast<double>(k) / (n + 1);
    const auto below = std::upper_bound(p_values.begin(), p_values.end(), support + 1e-12) - p_values.begin();
    ks = std::max(ks, std::abs(static_cast<double>(below) / trials - support));
  }
  MESSAGE("KS distance " << ks);
  CHECK(ks < 1.95 / std::sqrt(static_cast<double>(trials)));  // the 0.999 critical value
  const double rate = static_cast<double>(alarms) / trials;
  const double sd = std::sqrt(0.05 * 0.95 / trials);
  CHECK(rate <= 0.05 + 3 * sd);
  CHECK(rate >= 0.05 - 3 * sd);
}
