// Adversarial fault processes (faults/adversarial.hpp), tested statistically
// on fixed seeds with tolerances of several standard errors, and exactly
// where they have no randomness.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "faults/adversarial.hpp"

using namespace twinbed::faults;

TEST_CASE("spoof arrivals: Poisson count and mean gap against the rate, inside the window, sorted") {
  RandomStream draws(7, "spoof-1@edge-01", "spoof");
  const double rate_per_s = 12.0 / 3600.0, start_s = 3600.0, end_s = 3600.0 + 1000.0 * 3600.0;
  const std::vector<double> t = spoof_times(rate_per_s, start_s, end_s, {}, draws);
  // E[N] = 12,000, sd = √12,000 ≈ 110: 4 sd is ±440.
  const double expected = rate_per_s * (end_s - start_s);
  CHECK(std::fabs(static_cast<double>(t.size()) - expected) < 4.0 * std::sqrt(expected));
  CHECK(std::is_sorted(t.begin(), t.end()));
  CHECK(t.front() >= start_s);
  CHECK(t.back() < end_s);
  // Gaps are exponential with mean 300 s: the sample mean's sd is 300/√N ≈ 2.7 s; 4 sd ≈ 11 s.
  double sum = 0, sq = 0;
  for (std::size_t k = 1; k < t.size(); ++k) {
    const double g = t[k] - t[k - 1];
    sum += g;
    sq += g * g;
  }
  const double n = static_cast<double>(t.size() - 1), mean = sum / n;
  CHECK(std::fabs(mean - 300.0) < 4.0 * 300.0 / std::sqrt(n));
  // Exponential: sd = mean (coefficient of variation 1, within 5 %).
  CHECK(std::sqrt(sq / n - mean * mean) / mean == doctest::Approx(1.0).epsilon(0.05));
}

TEST_CASE("spoof arrivals: scheduled times inside the window join the Poisson ones; none without a rate") {
  RandomStream draws(1, "s", "spoof");
  const std::vector<double> only = spoof_times(0.0, 100.0, 200.0, {50.0, 150.0, 120.0, 200.0}, draws);
  CHECK(only == std::vector<double>{120.0, 150.0});
  RandomStream a(3, "s", "spoof"), b(3, "s", "spoof");
  const auto with = spoof_times(0.01, 0.0, 10000.0, {5000.5}, a);
  const auto without = spoof_times(0.01, 0.0, 10000.0, {}, b);
  CHECK(with.size() == without.size() + 1);
  CHECK(std::count(with.begin(), with.end(), 5000.5) == 1);
}

TEST_CASE("tamper: each message altered with its probability; the value changed as the mode says") {
  TamperParams p{0.3, TamperMode::kOffset, 5.0};
  RandomStream draws(11, "tamper-1@edge-01", "tamper");
  int altered = 0;
  const int n = 100000;
  for (int k = 0; k < n; ++k) altered += tamper_draw(p, draws);
  // sd of the fraction: √(0.3·0.7/10⁵) ≈ 0.00145; 4 sd ≈ 0.0058.
  CHECK(std::fabs(altered / static_cast<double>(n) - 0.3) < 0.0058);
  CHECK(tampered_value(10.0, p) == 15.0);
  CHECK(tampered_value(10.0, {1.0, TamperMode::kScale, 1.5}) == 15.0);
  CHECK(tampered_value(10.0, {1.0, TamperMode::kSet, -3.0}) == -3.0);
  CHECK(tamper_mode("scale") == TamperMode::kScale);
  CHECK_THROWS(tamper_mode("rotate"));
  RandomStream never(1, "x", "tamper"), always(1, "x", "tamper");
  int n0 = 0, n1 = 0;
  for (int k = 0; k < 1000; ++k) {
    n0 += tamper_draw({0.0, TamperMode::kOffset, 1.0}, never);
    n1 += tamper_draw({1.0, TamperMode::kOffset, 1.0}, always);
  }
  CHECK(n0 == 0);
  CHECK(n1 == 1000);
}

TEST_CASE("replay capture: the capture probability, and the count limit") {
  ReplayCapture c({0.25, 600.0, 0}, RandomStream(5, "replay-1@edge-01", "replay"));
  int captured = 0;
  const int n = 40000;
  for (int k = 0; k < n; ++k) captured += c.capture();
  // sd of the fraction: √(0.25·0.75/4·10⁴) ≈ 0.00217; 4 sd ≈ 0.0087.
  CHECK(std::fabs(captured / static_cast<double>(n) - 0.25) < 0.0087);
  CHECK(c.captured() == static_cast<std::uint64_t>(captured));
  ReplayCapture limited({1.0, 600.0, 7}, RandomStream(5, "r", "replay"));
  int got = 0;
  for (int k = 0; k < 100; ++k) got += limited.capture();
  CHECK(got == 7);
}
