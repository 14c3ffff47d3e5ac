// Unit tests for the transforming edge stages (pipeline/ only: runs in the
// pipeline-alone suite too).
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "pipeline/deadband.hpp"
#include "pipeline/event_detector.hpp"
#include "pipeline/int8_detector.hpp"
#include "pipeline/noise_filter.hpp"
#include "pipeline/normaliser.hpp"
#include "pipeline/vibration_features.hpp"

using namespace twinbed::pipeline;

namespace {
/// One pass: readings of one sensor at 1 s, values as given.
struct Pass {
  std::vector<Record> records;
  std::vector<EdgeFate> fate;
  std::vector<DerivedRecord> derived;
  Pass(std::uint32_t sensor, const std::vector<double>& values, double t0_s = 1.0, std::uint64_t seq0 = 0) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      Record r;
      r.sensor = sensor;
      r.boot = 1;
      r.seq = seq0 + i;
      r.device_time_s = t0_s + static_cast<double>(i);
      r.value = values[i];
      records.push_back(r);
    }
    fate.assign(records.size(), EdgeFate::kSend);
  }
  EdgePass view() { return {records, fate, derived}; }
  std::vector<std::size_t> sent() const {
    std::vector<std::size_t> s;
    for (std::size_t i = 0; i < fate.size(); ++i)
      if (fate[i] == EdgeFate::kSend) s.push_back(i);
    return s;
  }
};
}  // namespace

TEST_CASE(
    "deadband: sends what moved more than the band, suppresses the rest, heartbeats after max_silence_s") {
  Deadband db({{3, 0.5, 0.0, 10.0, 5.0}});
  // t = 1..10 s. Sent: 10.0 (first), 10.6 (moved 0.6 > 0.5), 10.0 (moved 0.6), then 10.2..: within the band
  // until t = 8 (5 s after the last send at t = 3): a heartbeat. 10.5 exactly the band: not sent (strict).
  Pass p(3, {10.0, 10.6, 10.0, 10.2, 10.3, 10.5, 10.4, 10.1, 10.2, 10.3});
  EdgePass v = p.view();
  db.transform(v, {});
  CHECK(p.sent() == std::vector<std::size_t>{0, 1, 2, 7});
  CHECK(db.suppressed() == 6);
  CHECK(db.heartbeats() == 1);
  for (std::size_t i : {3, 4, 5, 6, 8, 9}) CHECK(p.fate[i] == EdgeFate::kSuppressed);
  // Another sensor passes untouched; NaN and flagged readings are always sent and are not a reference.
  Pass q(3, {10.2, std::nan(""), 10.2, 10.8}, 11.0, 10);
  q.records[2].status = DeviceStatus::kSensorFault;
  EdgePass w = q.view();
  db.transform(w, {});
  CHECK(q.sent() == std::vector<std::size_t>{1, 2, 3});  // 10.8 moved 0.7 from 10.1, the last sent
  Pass other(4, {1, 1, 1});
  EdgePass o = other.view();
  db.transform(o, {});
  CHECK(other.sent().size() == 3);
}

TEST_CASE("deadband: percent of span; a new boot epoch sends its first reading") {
  Deadband db({{0, 0.0, 1.0, 200.0, 1e9}});  // 1 % of 200: a band of 2
  Pass p(0, {50, 51.9, 52.1, 52.1});
  EdgePass v = p.view();
  db.transform(v, {});
  CHECK(p.sent() == std::vector<std::size_t>{0, 2});
  Pass q(0, {52.1}, 10.0, 0);
  q.records[0].boot = 2;
  EdgePass w = q.view();
  db.transform(w, {});
  CHECK(q.sent().size() == 1);
}

TEST_CASE("noise filter: EWMA and moving median; bad readings pass untouched and do not poison the state") {
  NoiseFilter ewma({{0, NoiseFilter::Kind::kEwma, 0.5, 1}});
  Pass p(0, {10, 20, std::nan(""), 20, 1000});
  p.records[4].status = DeviceStatus::kSensorFault;
  EdgePass v = p.view();
  ewma.transform(v, {});
  CHECK(p.records[0].value == 10);
  CHECK(p.records[1].value == 15);
  CHECK(std::isnan(p.records[2].value));
  CHECK(p.records[3].value == 17.5);  // 0.5 * 20 + 0.5 * 15: the NaN left no trace
  CHECK(p.records[4].value == 1000);  // flagged: untouched
  NoiseFilter median({{1, NoiseFilter::Kind::kMedian, 0.2, 3}});
  Pass m(1, {1, 9, 2, 100, 3, 4});
  EdgePass mv = m.view();
  median.transform(mv, {});
  // windows: {1}, {1,9}, {1,9,2}, {9,2,100}, {2,100,3}, {100,3,4}
  const std::vector<double> expect = {1, 5, 2, 9, 3, 4};
  for (std::size_t i = 0; i < expect.size(); ++i) CHECK(m.records[i].value == expect[i]);
}

TEST_CASE("normaliser: 4-20 mA onto the sensor's range; NaN and flagged pass through") {
  Normaliser n({Normaliser::Rule::from_range(2, 4.0, 20.0, 0.0, 60.0)});
  Pass p(2, {4.0, 12.0, 20.0, std::nan(""), 8.0});
  p.records[4].status = DeviceStatus::kSensorFault;
  EdgePass v = p.view();
  n.transform(v, {});
  CHECK(p.records[0].value == doctest::Approx(0.0));
  CHECK(p.records[1].value == doctest::Approx(30.0));
  CHECK(p.records[2].value == doctest::Approx(60.0));
  CHECK(std::isnan(p.records[3].value));
  CHECK(p.records[4].value == 8.0);
}

TEST_CASE("vibration features: a sine's RMS A/sqrt(2), crest sqrt(2), kurtosis 1.5") {
  const double a = 3.0;
  std::vector<double> x;
  for (int i = 0; i < 4000; ++i) x.push_back(a * std::sin(2 * std::numbers::pi * 25.0 * i / 4000.0 + 0.3));
  const WaveformFeatures f = waveform_features(x);  // 25 whole periods
  CHECK(f.rms == doctest::Approx(a / std::sqrt(2.0)).epsilon(1e-9));
  CHECK(f.peak == doctest::Approx(a).epsilon(1e-4));
  CHECK(f.crest == doctest::Approx(std::sqrt(2.0)).epsilon(1e-4));
  CHECK(f.kurtosis == doctest::Approx(1.5).epsilon(1e-9));
  // Impulses raise kurtosis and crest factor.
  std::vector<double> y = x;
  for (std::size_t i = 0; i < y.size(); i += 400) y[i] += 6 * a;
  const WaveformFeatures g = waveform_features(y);
  CHECK(g.kurtosis > 5.0);
  CHECK(g.crest > 4.0);
}

TEST_CASE(
    "vibration features stage: windows of N samples become derived records; the samples are summarised") {
  VibrationFeatures st({{5, 4, {10, kNoChannel, 12, 13}}});
  Pass p(5, {1, -1, 1, -1, 2, -2});  // one full window, two samples toward the next
  EdgePass v = p.view();
  st.transform(v, {});
  for (EdgeFate f : p.fate) CHECK(f == EdgeFate::kSummarised);
  REQUIRE(p.derived.size() == 3);  // rms, crest, kurtosis (peak not emitted)
  CHECK(p.derived[0].record.sensor == 10);
  CHECK(p.derived[0].record.value == doctest::Approx(1.0));
  CHECK(p.derived[1].record.sensor == 12);
  CHECK(p.derived[1].record.value == doctest::Approx(1.0));
  CHECK(p.derived[2].record.value == doctest::Approx(1.0));  // a square wave: kurtosis 1
  CHECK(p.derived[0].first_seq == 0);
  CHECK(p.derived[0].last_seq == 3);
  CHECK(p.derived[0].record.device_time_s == 4.0);
  Pass q(5, {2, -2}, 7.0, 6);  // completes the second window across passes
  EdgePass w = q.view();
  st.transform(w, {});
  REQUIRE(q.derived.size() == 3);
  CHECK(q.derived[0].record.value == doctest::Approx(2.0));
  CHECK(q.derived[0].first_seq == 4);
  CHECK(st.windows() == 2);
}

TEST_CASE("event detector: debounced run over the limit, one event per excursion, alarm priority") {
  EventDetector ev({{1, 9, 5.0, 4.0, 2}});
  Pass p(1, {6, 1, 6, 6, 7, 4.5, 6, 3.9, 6, 6});
  EdgePass v = p.view();
  ev.transform(v, {});
  REQUIRE(p.derived.size() == 2);
  CHECK(p.derived[0].record.sensor == 9);
  CHECK(p.derived[0].alarm);
  CHECK(p.derived[0].last_seq == 3);  // 6, 6 at seq 2, 3
  CHECK(p.derived[0].record.value == 6);
  CHECK(p.derived[1].last_seq == 9);  // re-armed at 3.9 (<= 4.0), not at 4.5
  CHECK(ev.events() == 2);
  // It watches derived channels too (a feature made by an earlier stage).
  EventDetector on_feature({{20, 21, 3.0, 3.0, 1}});
  Pass f(0, {});
  DerivedRecord k;
  k.record.sensor = 20;
  k.record.value = 4.2;
  k.last_seq = 77;
  f.derived.push_back(k);
  EdgePass fv = f.view();
  on_feature.transform(fv, {});
  REQUIRE(f.derived.size() == 2);
  CHECK(f.derived[1].record.sensor == 21);
  CHECK(f.derived[1].last_seq == 77);
}

TEST_CASE("int8 quantisation: round half away from zero, saturate, error within half a scale step") {
  const double s = int8_scale(8.0);  // 8 / 127
  CHECK(quantise_int8(0.5 * s, s) == 1);
  CHECK(quantise_int8(-0.5 * s, s) == -1);
  CHECK(quantise_int8(100.0, s) == 127);
  CHECK(quantise_int8(-100.0, s) == -127);
  double worst = 0;
  for (int i = -10000; i <= 10000; ++i) {
    const double x = 8.0 * i / 10000.0;
    worst = std::max(worst, std::abs(quantise_int8(x, s) * s - x));
  }
  CHECK(worst <= s / 2 + 1e-12);
  CHECK(worst > s / 2 * 0.95);  // and nearly attained: it is the bound
}
