// Predictive-maintenance pipeline pieces: window features, logistic
// regression with class weights, the stop rule. Statistical checks run on
// fixed seeds with the tolerances stated beside them.
#include <doctest/doctest.h>

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "pipeline/pdm/logistic_regression.hpp"
#include "pipeline/pdm/stop_rule.hpp"
#include "pipeline/pdm/window_features.hpp"

using namespace twinbed::pipeline::pdm;

namespace {
/// A small portable generator (splitmix64): the pipeline tests link nothing from faults/.
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double normal() {  // Box–Muller
    const double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
};
}  // namespace

TEST_CASE("window stats: the mean and least-squares slope of a known line, NaN skipped") {
  Eigen::ArrayXd x(100);
  for (int i = 0; i < 100; ++i) x(i) = 3.0 + 0.25 * i;
  x(40) = std::nan("");
  const WindowStats w(x);
  CHECK(w.count(30, 50) == 19);
  CHECK(w.slope_per_sample(30, 50) == doctest::Approx(0.25).epsilon(1e-12));
  CHECK(w.slope_per_sample(0, 100) == doctest::Approx(0.25).epsilon(1e-12));
  // Mean of 3 + 0.25 i over i in [30, 50) without 40: 3 + 0.25 * (sum / 19).
  const double mean_i = (30.0 + 49.0) * 20.0 / 2.0 - 40.0;
  CHECK(w.mean(30, 50) == doctest::Approx(3.0 + 0.25 * mean_i / 19.0).epsilon(1e-12));
  CHECK(w.slope_per_sample(10, 11) == 0.0);  // one sample: no slope
  CHECK(std::isnan(w.mean(40, 41)));         // only a missing sample

  // Far from the origin (a long series) the centred sums keep the precision.
  Eigen::ArrayXd far(200000);
  for (int i = 0; i < 200000; ++i) far(i) = -1.0 + 1e-4 * i + (i % 2 ? 0.01 : -0.01);
  const WindowStats wf(far);
  // The alternating +-0.01 adds 0.01 * 72 / Sjj to the slope over 144 samples (Sjj = n (n^2 - 1) / 12).
  const double expected = 1e-4 + 0.01 * 72.0 / (144.0 * (144.0 * 144.0 - 1.0) / 12.0);
  CHECK(wf.slope_per_sample(199000, 199144) == doctest::Approx(expected).epsilon(1e-9));
}

TEST_CASE("line fit and EWMA") {
  Eigen::ArrayXd x(5), y(5);
  x << 1, 2, 3, 4, std::nan("");
  y << 5, 7, 9, 11, 100;
  const LineFit f = fit_line(x, y, 0, 5);
  CHECK(f.n == 4);
  CHECK(f.slope == doctest::Approx(2.0));
  CHECK(f.intercept == doctest::Approx(3.0));
  Ewma e(0.5);
  CHECK(e.update(4.0) == 4.0);  // the first value starts it
  CHECK(e.update(8.0) == 6.0);
  CHECK(e.update(8.0) == 7.0);
  // A constant input converges geometrically: after n steps the gap is (1 - a)^n.
  Ewma g(0.1);
  g.update(0.0);
  for (int i = 0; i < 20; ++i) g.update(1.0);
  CHECK(g.value() == doctest::Approx(1.0 - std::pow(0.9, 20)).epsilon(1e-12));
}

TEST_CASE("features: residual against load is flat for a healthy asset, rises with wear; slope per day") {
  // 10-minute samples for 20 days; the signal follows the load (flow) plus wear after day 10.
  const double period = 600;
  const int m = 20 * 144;
  AssetSeries s;
  s.start_s = period;
  s.period_s = period;
  s.reference.resize(m);
  s.signal_names = {"vibration_rms"};
  s.signals.emplace_back(m);
  for (int i = 0; i < m; ++i) {
    const double t = period * (i + 1);
    const double load = 0.6 + 0.2 * std::sin(t / 5000.0);
    s.reference(i) = 120 * load;
    const double wear_mm_s = t > 10 * 86400.0 ? 0.5 * (t - 10 * 86400.0) / 86400.0 : 0.0;  // 0.5 mm/s per day
    s.signals[0](i) = 1.2 + 0.8 * load + wear_mm_s;
  }
  FeatureOptions o;
  o.window_s = 86400;
  o.step_s = 86400;
  o.baseline_s = 5 * 86400;
  o.ewma_alpha = 0.5;
  const FeatureTable f = compute_features(s, o);
  REQUIRE(f.names.size() == 7);
  const int resid = f.column("vibration_rms.resid_mean"),
            slope = f.column("vibration_rms.resid_slope_per_day");
  const int ewma = f.column("vibration_rms.resid_ewma");
  REQUIRE(resid >= 0);
  REQUIRE(f.column("flow.mean") == 4);
  // First window ends 5 days in (the baseline is longer than the window).
  CHECK(f.window_end_s.front() == doctest::Approx(period + 5 * 86400.0));
  for (std::size_t w = 0; w < f.window_end_s.size(); ++w) {
    const double end = f.window_end_s[w];
    if (end <= 10 * 86400.0) {
      CHECK(std::fabs(f.rows(w, resid)) < 1e-9);  // healthy: the load explains everything
      CHECK(std::fabs(f.rows(w, slope)) < 1e-9);
    } else if (end - 86400.0 >= 10 * 86400.0) {
      CHECK(f.rows(w, slope) == doctest::Approx(0.5).epsilon(1e-6));  // the wear rate, per day
      CHECK(f.rows(w, resid) ==
            doctest::Approx(0.5 * ((end - 43200.0 + 300.0) / 86400.0 - 10)).epsilon(1e-3));
    }
  }
  // The EWMA follows resid_mean with alpha 0.5.
  double e = f.rows(0, resid);
  for (Eigen::Index w = 1; w < f.rows.rows(); ++w) {
    e += 0.5 * (f.rows(w, resid) - e);
    CHECK(f.rows(w, ewma) == doctest::Approx(e).epsilon(1e-12));
  }
}

TEST_CASE("features: the consensus z ignores one drifting sensor and follows wear seen by all") {
  // Three health signals with unit noise; days 10-20 one drifts by +1 per day, days 30-40 all three
  // rise by +1 per day (wear). The median z stays near 0 through the drift and rises with wear.
  Rng rng{3};
  const double period = 600;
  const int m = 40 * 144;
  AssetSeries s;
  s.period_s = period;
  s.start_s = period;
  s.reference.resize(m);
  s.signal_names = {"a", "b", "c"};
  for (int k = 0; k < 3; ++k) s.signals.emplace_back(m);
  for (int i = 0; i < m; ++i) {
    const double day = period * (i + 1) / 86400.0;
    s.reference(i) = 100 + 10 * std::sin(i / 30.0);
    const double drift = day > 10 && day < 20 ? day - 10 : 0, wear = day > 30 ? day - 30 : 0;
    for (int k = 0; k < 3; ++k)
      s.signals[k](i) = 0.05 * s.reference(i) + rng.normal() + (k == 0 ? drift : 0) + wear;
  }
  FeatureOptions o;
  o.window_s = 86400;
  o.step_s = 86400;
  o.baseline_s = 5 * 86400;
  const FeatureTable f = compute_features(s, o);
  const int z = f.column("consensus.resid_z_median"), a = f.column("a.resid_mean");
  REQUIRE(z >= 0);
  for (std::size_t w = 0; w < f.window_end_s.size(); ++w) {
    const double day = f.window_end_s[w] / 86400.0;
    // The window mean of unit noise has sd 1/12; the baseline sd estimate is within a few % of 1.
    if (day > 16 && day < 20) {
      CHECK(f.rows(w, a) > 5.0);             // the drifting sensor alone is far off
      CHECK(std::fabs(f.rows(w, z)) < 0.5);  // the median is not
    }
    if (day > 36) CHECK(f.rows(w, z) > 5.0);
  }
}

TEST_CASE("features: a window with too few valid samples gives no row") {
  AssetSeries s;
  s.period_s = 60;
  s.reference = Eigen::ArrayXd::Constant(600, 100.0);
  s.signal_names = {"bearing_temp"};
  s.signals.push_back(Eigen::ArrayXd::Constant(600, 50.0));
  s.signals[0].segment(300, 120).setConstant(std::nan(""));  // two hours missing
  FeatureOptions o;
  o.window_s = 3600;
  o.step_s = 3600;
  o.baseline_s = 0;
  o.min_samples = 30;
  const FeatureTable f = compute_features(s, o);
  // Nine windows (ends 1 h ... 9 h); the one inside the gap and the one with a single valid sample dropped.
  CHECK(f.rows.rows() == 7);
  for (double end : f.window_end_s) CHECK((end <= 5 * 3600.0 + 1 || end >= 8 * 3600.0));
}

TEST_CASE("logistic regression recovers known coefficients (n = 20000, within 0.1)") {
  Rng rng{42};
  const int n = 20000;
  Eigen::MatrixXd x(n, 2);
  Eigen::VectorXd y(n);
  const double b0 = -1.0, b1 = 2.0, b2 = -0.5;
  for (int i = 0; i < n; ++i) {
    x(i, 0) = rng.normal();
    x(i, 1) = 3.0 + 2.0 * rng.normal();  // not standardised: the fit standardises internally
    const double p = 1.0 / (1.0 + std::exp(-(b0 + b1 * x(i, 0) + b2 * x(i, 1))));
    y(i) = rng.uniform() < p ? 1.0 : 0.0;
  }
  LogisticOptions o;
  o.l2 = 0.0;
  const LogisticModel m = fit_logistic(x, y, Eigen::VectorXd::Ones(n), o);
  CHECK(m.converged);
  CHECK(m.iterations < 15);  // Newton: a handful of steps
  const Eigen::VectorXd c = m.coefficients_raw();
  // Standard errors here are about 0.03 (b1), 0.01 (b2), 0.04 (b0): 0.1 is 2.5 to 10 of them.
  CHECK(c(0) == doctest::Approx(b1).epsilon(0.05));
  CHECK(std::fabs(c(1) - b2) < 0.1);
  CHECK(std::fabs(m.intercept_raw() - b0) < 0.1);
  // probability() and probabilities() agree.
  CHECK(m.probability(x.row(7)) == doctest::Approx(m.probabilities(x.topRows(8))(7)).epsilon(1e-12));

  // The L2 penalty shrinks the coefficients toward 0.
  o.l2 = 1.0;
  const LogisticModel shrunk = fit_logistic(x, y, Eigen::VectorXd::Ones(n), o);
  CHECK(std::fabs(shrunk.beta(0)) < std::fabs(m.beta(0)));
  CHECK(shrunk.objective > 0);
}

TEST_CASE("class weights inverse to frequency: each class carries half the weight; the boundary moves") {
  Eigen::VectorXd y(10);
  y << 1, 0, 0, 0, 0, 0, 0, 0, 0, 0;
  const Eigen::VectorXd w = inverse_frequency_weights(y);
  CHECK(w(0) == doctest::Approx(5.0));          // 10 / (2 * 1)
  CHECK(w(1) == doctest::Approx(10.0 / 18.0));  // 10 / (2 * 9)
  CHECK((w.array() * y.array()).sum() == doctest::Approx(0.5 * w.sum()));

  // Rare positives (2 %) shifted by +1.5 in one feature: unweighted, the
  // boundary p = 0.5 lies far in the positives' tail; weighted, it lies near
  // the midpoint between the two class means (0.75) where p = 0.5 balances
  // the classes. Checked as the x where p crosses 0.5: x* = -b0 / b1.
  Rng rng{7};
  const int n = 50000;
  Eigen::MatrixXd x(n, 1);
  Eigen::VectorXd label(n);
  for (int i = 0; i < n; ++i) {
    label(i) = rng.uniform() < 0.02 ? 1.0 : 0.0;
    x(i, 0) = rng.normal() + 1.5 * label(i);
  }
  LogisticOptions o;
  o.l2 = 0.0;
  const LogisticModel plain = fit_logistic(x, label, Eigen::VectorXd::Ones(n), o);
  const LogisticModel weighted = fit_logistic(x, label, inverse_frequency_weights(label), o);
  const double cross_plain = -plain.intercept_raw() / plain.coefficients_raw()(0);
  const double cross_weighted = -weighted.intercept_raw() / weighted.coefficients_raw()(0);
  // Bayes boundaries for equal variances: 0.75 + ln(prior odds) / 1.5 -> 0.75 + ln(49)/1.5 = 3.34 unweighted,
  // 0.75 with balanced weights. Within 0.25 (sampling error on 1000 positives is about 0.1).
  CHECK(cross_plain == doctest::Approx(0.75 + std::log(0.98 / 0.02) / 1.5).epsilon(0.08));
  CHECK(std::fabs(cross_weighted - 0.75) < 0.25);
  // So at the default threshold the weighted model flags most positives and the plain one almost none.
  const Eigen::VectorXd pw = weighted.probabilities(x), pp = plain.probabilities(x);
  int hit_w = 0, hit_p = 0, pos = 0;
  for (int i = 0; i < n; ++i)
    if (label(i) > 0.5) {
      ++pos;
      hit_w += pw(i) >= 0.5;
      hit_p += pp(i) >= 0.5;
    }
  CHECK(hit_w > 0.6 * pos);  // P(N(1.5,1) > 0.75) = 0.77
  CHECK(hit_p < 0.1 * pos);  // P(N(1.5,1) > 3.34) = 0.03
}

TEST_CASE("stop rule: k consecutive windows at or above the threshold; NaN breaks the run; hold-off") {
  StopRule r({0.7, 3, 10.0});
  CHECK_FALSE(r.update(1, 0.8));
  CHECK_FALSE(r.update(2, 0.9));
  CHECK_FALSE(r.update(3, 0.6));  // run broken
  CHECK_FALSE(r.update(4, 0.7));  // >= counts
  CHECK_FALSE(r.update(5, std::nan("")));
  CHECK_FALSE(r.update(6, 0.75));
  CHECK_FALSE(r.update(7, 0.75));
  CHECK(r.update(8, 0.75));
  r.restart(8);
  for (double t = 9; t < 18; ++t) CHECK_FALSE(r.update(t, 1.0));  // held off until 18
  CHECK_FALSE(r.update(18, 1.0));
  CHECK_FALSE(r.update(19, 1.0));
  CHECK(r.update(20, 1.0));
  StopRule one({0.5, 1, 0.0});
  CHECK(one.update(0, 0.5));
  CHECK_FALSE(one.update(1, 0.49));
}
