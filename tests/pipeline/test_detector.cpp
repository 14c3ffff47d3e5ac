#include <doctest/doctest.h>

#include <cmath>
#include <optional>
#include <random>

#include "pipeline/detector.hpp"
#include "pipeline/validation.hpp"

using namespace twinbed::pipeline;

namespace {
struct Run {
  int raises = 0, clears = 0;
  int first_raise = -1;
};
template <typename Detector, typename Signal>
Run drive(Detector& d, int n, Signal signal) {
  Run r;
  for (int i = 0; i < n; ++i) {
    if (auto t = d.update(signal(i))) {
      if (t->transition == AlertTransition::kRaise) {
        ++r.raises;
        if (r.first_raise < 0) r.first_raise = i;
      } else {
        ++r.clears;
      }
    }
  }
  return r;
}
}  // namespace

TEST_CASE("alarm latch: debounce and hysteresis") {
  AlarmLatch latch(3, 2);
  CHECK_FALSE(latch.step(true, false));
  CHECK_FALSE(latch.step(true, false));
  CHECK(latch.step(true, false) == AlertTransition::kRaise);
  CHECK_FALSE(latch.step(false, false));  // between thresholds: stays raised
  CHECK_FALSE(latch.step(false, true));
  CHECK(latch.step(false, true) == AlertTransition::kClear);
  CHECK_FALSE(latch.raised());
}

TEST_CASE("ewma z-score: quiet on stationary noise, no alarm from single spikes with debounce") {
  EwmaOptions o;
  o.alpha = 0.01;
  o.warmup_samples = 300;
  o.debounce_samples = 3;
  EwmaZScore d(o, 50.0);
  std::mt19937_64 rng(1);
  std::normal_distribution<double> noise(0.0, 0.1);
  const auto r = drive(d, 20000, [&](int i) { return 5.0 + noise(rng) + (i % 997 == 500 ? 8.0 : 0.0); });
  CHECK(r.raises == 0);
}

TEST_CASE("ewma z-score: a slow exponential trend is detected (the moving range does not chase it)") {
  EwmaOptions o;
  o.alpha = 0.002;
  o.warmup_samples = 900;
  EwmaZScore d(o, 50.0);
  std::mt19937_64 rng(2);
  std::normal_distribution<double> noise(0.0, 0.05);
  const auto r = drive(d, 18000, [&](int t) {
    const double wear = t < 3600 ? 0.0 : 0.01 * std::exp((t - 3600) / 3127.0);
    return 2.0 + 9.0 * wear + noise(rng);
  });
  REQUIRE(r.raises >= 1);
  // Wear reaches 0.1 (+0.9 mm/s) at t = 10800: the alarm must come before the failure at 18000.
  CHECK(r.first_raise > 3600);
  CHECK(r.first_raise < 12600);
}

TEST_CASE("ewma z-score: a step raises, and a new normal is re-learned") {
  EwmaOptions o;
  o.rebaseline_after_samples = 600;
  EwmaZScore d(o, 50.0);
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0.0, 0.1);
  const auto r = drive(d, 6000, [&](int i) { return (i < 2000 ? 10.0 : 0.0) + noise(rng); });
  CHECK(r.raises == 1);
  CHECK(r.clears == 1);
  CHECK(r.first_raise >= 2000);
  CHECK(r.first_raise <= 2003);
}

TEST_CASE(
    "ewma z-score: after a re-baseline the alarm clears promptly (it does not re-learn again and again)") {
  EwmaOptions o;
  o.rebaseline_after_samples = 600;
  o.warmup_samples = 300;
  o.clear_samples = 10;
  EwmaZScore d(o, 50.0);
  std::mt19937_64 rng(4);
  std::normal_distribution<double> noise(0.0, 0.1);
  int raised_at = -1, cleared_at = -1;
  for (int i = 0; i < 8000 && cleared_at < 0; ++i)
    if (auto t = d.update((i < 2000 ? 10.0 : 0.0) + noise(rng)))
      (t->transition == AlertTransition::kRaise ? raised_at : cleared_at) = i;
  REQUIRE(raised_at >= 2000);
  // Raised for 600 samples, re-learned over 300, then 10 quiet samples clear it.
  CHECK(cleared_at > raised_at + 600 + 300);
  CHECK(cleared_at <= raised_at + 600 + 300 + 10 + 2);
}

TEST_CASE("threshold detector: raises on every excursion, which is why it alarms on EMI") {
  ThresholdDetector d({8.0, -1e9, 0.5}, 1, 1);
  const auto r = drive(d, 100, [](int i) { return i % 10 == 5 ? 12.0 : 2.0; });
  CHECK(r.raises == 10);
  CHECK(r.clears == 10);
}

TEST_CASE("validation: sentinels, non-finite and out-of-range values are rejected") {
  Validator v;
  SensorInfo s{"d", "s", "vibration_rms", "mm/s", 0.0, 50.0, 1.0};
  auto rec = [](double value) {
    Record r;
    r.value = value;
    return r;
  };
  CHECK(v.check(rec(3.0), s) == Verdict::kOk);
  CHECK(v.check(rec(-9999.0), s) == Verdict::kSentinel);
  CHECK(v.check(rec(65535.0), s) == Verdict::kSentinel);
  CHECK(v.check(rec(std::nan("")), s) == Verdict::kNotFinite);
  CHECK(v.check(rec(INFINITY), s) == Verdict::kNotFinite);
  CHECK(v.check(rec(60.0), s) == Verdict::kOutOfRange);
  CHECK(v.check(rec(51.0), s) == Verdict::kOk);  // within the 5 % tolerance
  Record flagged = rec(3.0);
  flagged.status = DeviceStatus::kSensorFault;
  CHECK(v.check(flagged, s) == Verdict::kDeviceFlagged);
}
