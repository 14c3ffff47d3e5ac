// Validation-side data-quality stages: NAMUR NE 43, timestamp sanity, rate of change, stuck values.
#include <doctest/doctest.h>

#include <vector>

#include "pipeline/rate_of_change.hpp"
#include "pipeline/stuck_detector.hpp"
#include "pipeline/timestamp_check.hpp"
#include "pipeline/validation.hpp"

using namespace twinbed::pipeline;

namespace {
SensorInfo loop_sensor(bool loop) {
  SensorInfo s{"edge-01", "temp", "bearing_temp", "degC", 0.0, 160.0, 1.0};
  s.current_loop = loop;
  return s;
}
Record at(std::uint32_t sensor, std::uint64_t seq, double t, double v, std::uint32_t boot = 0) {
  Record r;
  r.sensor = sensor;
  r.seq = seq;
  r.boot = boot;
  r.device_time_s = t;
  r.value = v;
  return r;
}
}  // namespace

TEST_CASE(
    "NE 43: a loop's failure currents are rejected, the measuring band passes, other sensors untouched") {
  ValidationOptions o;
  o.ne43 = true;
  const Validator v(o);
  const SensorInfo loop = loop_sensor(true), plain = loop_sensor(false);
  // 3.6 mA through a naive conversion: range_lo − 2.5 % of span = −4 degC, inside the 5 % tolerance.
  const double low_failure = 0.0 + (3.6 - 4.0) / 16.0 * 160.0;
  const double high_failure = 0.0 + (21.0 - 4.0) / 16.0 * 160.0;
  CHECK(loop_current_ma(low_failure, loop) == doctest::Approx(3.6));
  CHECK(v.check(at(0, 0, 0, low_failure), loop) == Verdict::kNe43);
  CHECK(v.check(at(0, 0, 0, high_failure), loop) == Verdict::kNe43);
  CHECK(v.check(at(0, 0, 0, low_failure), plain) == Verdict::kOk);  // not a loop: the range check's job
  // 3.9 mA and 20.4 mA lie inside NE 43's measuring band (3.8–20.5 mA): kept.
  CHECK(v.check(at(0, 0, 0, (3.9 - 4.0) / 16.0 * 160.0), loop) == Verdict::kOk);
  CHECK(v.check(at(0, 0, 0, (20.4 - 4.0) / 16.0 * 160.0), loop) == Verdict::kOk);
  CHECK(Validator{}.check(at(0, 0, 0, low_failure), loop) == Verdict::kOk);  // off by default
}

TEST_CASE("timestamp sanity: null, epoch, future, backwards within a boot; a new boot starts afresh") {
  TimestampOptions o;
  o.enabled = true;
  o.future_tolerance_s = 300;
  TimestampCheck c(o);
  CHECK(c.check(at(0, 0, std::numeric_limits<double>::quiet_NaN(), 1), 1000) == TimestampVerdict::kNull);
  CHECK(c.check(at(0, 1, -1.6e9, 1), 1000) == TimestampVerdict::kEpoch);  // an RTC back at 1970
  CHECK(c.check(at(0, 2, 1000 + 301, 1), 1000) == TimestampVerdict::kFuture);
  CHECK(c.check(at(0, 3, 1000 + 299, 1), 1000) == TimestampVerdict::kOk);
  CHECK(c.check(at(0, 10, 1300, 1), 1000) == TimestampVerdict::kOk);
  CHECK(c.check(at(0, 11, 500, 1), 1000) == TimestampVerdict::kBackwards);    // newer seq, older stamp
  CHECK(c.check(at(0, 5, 500, 1), 1000) == TimestampVerdict::kOk);            // an older seq arriving late
  CHECK(c.check(at(0, 12, 1299.5, 1), 1000) == TimestampVerdict::kOk);        // within the 1 s tolerance
  CHECK(c.check(at(0, 0, 5, 1, /*boot=*/1), 1000) == TimestampVerdict::kOk);  // after a reboot
}

TEST_CASE("rate of change: a spike is rejected, a ramp within the limit passes, a real step re-anchors") {
  SensorInfo s = loop_sensor(false);
  RateOfChangeOptions o;
  o.limit_per_s["bearing_temp"] = 0.5;  // degC per s
  o.reanchor_after = 3;
  RateOfChange rc(o, std::span<const SensorInfo>(&s, 1));
  REQUIRE(rc.enabled());
  double x = 50;
  for (int i = 0; i < 20; ++i) CHECK(rc.accept(0, i, x += 0.4));
  CHECK_FALSE(rc.accept(0, 20, x + 30));  // a 30-degree spike in 1 s
  CHECK(rc.accept(0, 21, x + 0.8));       // back on the ramp: judged over 2 s from the anchor
  // A step to a new level: rejected reanchor_after times, then accepted.
  CHECK_FALSE(rc.accept(0, 22, 100));
  CHECK_FALSE(rc.accept(0, 23, 100));
  CHECK_FALSE(rc.accept(0, 24, 100));
  CHECK(rc.accept(0, 25, 100));
  CHECK(rc.accept(0, 26, 100.2));
  RateOfChange off({}, std::span<const SensorInfo>(&s, 1));
  CHECK_FALSE(off.enabled());
  CHECK(off.accept(0, 0, 1e9));
}

TEST_CASE("stuck: identical readings flag a sensor only while a peer on its device moves") {
  std::vector<SensorInfo> s = {loop_sensor(false), loop_sensor(false), loop_sensor(false)};
  s[1].sensor_id = "vib";
  s[2].device_id = "edge-02";  // another device: not a peer
  StuckDetector d(StuckOptions{10}, s);
  int raised_at = -1;
  for (int i = 0; i < 30; ++i) {
    d.update(1, i, 1.0 + 0.01 * i);  // the peer moves
    if (const auto t = d.update(0, i, 42.0); t && *t == AlertTransition::kRaise) raised_at = i;
  }
  CHECK(raised_at == 9);  // the tenth identical reading
  CHECK(d.stuck(0));
  CHECK(d.update(0, 30, 42.5) == std::optional<AlertTransition>(AlertTransition::kClear));
  CHECK_FALSE(d.stuck(0));
  // The other device's sensor is flat too, but nothing on its device moves: a stopped machine.
  for (int i = 0; i < 30; ++i) CHECK_FALSE(d.update(2, i, 7.0).has_value());
}
