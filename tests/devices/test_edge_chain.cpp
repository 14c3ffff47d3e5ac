// The edge chain in the firmware: the waveform, features against truth, the
// ledger of fates, and the int8 detector against its float version.
#include <doctest/doctest.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "devices/edge_chain.hpp"
#include "devices/edge_firmware.hpp"
#include "devices/vibration_waveform.hpp"
#include "faults/random_stream.hpp"
#include "pipeline/deadband.hpp"
#include "pipeline/int8_detector.hpp"
#include "pipeline/vibration_features.hpp"

using namespace twinbed;
using namespace twinbed::devices;

namespace {
PumpParams wearing() {
  PumpParams p;
  p.load_amplitude = 0.0;
  p.load_step_std = 0.0;
  p.degrades = true;
  p.onset_s = 0.0;
  p.time_to_failure_s = 10000.0;
  return p;
}
pipeline::WaveformFeatures features_at(const PumpModel& pump, double t0_s, double rate_hz, int n) {
  Eigen::ArrayXd t(n), v;
  for (int i = 0; i < n; ++i) t(i) = t0_s + (i + 1) / rate_hz;
  pump.evaluate(PumpSignal::kVibrationWaveform, t, v);
  return pipeline::waveform_features(std::vector<double>(v.data(), v.data() + n));
}
}  // namespace

TEST_CASE("features: Gaussian noise has kurtosis 3 (fixed seed, within 0.1 for 100,000 samples)") {
  faults::RandomStream rs(42, "test", "gauss");
  std::vector<double> x(100000);
  for (double& v : x) v = rs.normal(0.0, 2.0);
  const pipeline::WaveformFeatures f = pipeline::waveform_features(x);
  // The kurtosis estimator's standard error is sqrt(24 / n) = 0.015: 0.1 is over six of them.
  CHECK(f.kurtosis == doctest::Approx(3.0).epsilon(0.1 / 3.0));
  CHECK(f.rms == doctest::Approx(2.0).epsilon(0.01));
}

TEST_CASE("waveform: its RMS is the pump's vibration RMS; kurtosis and crest rise as the bearing wears") {
  const PumpParams p = wearing();
  const PumpModel pump(p, 1, "pump");
  double last_kurtosis = 0, last_crest = 0;
  for (double t : {100.0, 4000.0, 6000.0, 7000.0}) {  // w from 0.02 to about 0.3
    const pipeline::WaveformFeatures f = features_at(pump, t, 2048.0, 2048);
    const double rms = pump.evaluate_one(PumpSignal::kVibrationRms, t + 0.5);
    // A one-second window holds 24.75 shaft turns: the tones' mean square is off by at most a fraction of a
    // turn.
    CHECK(f.rms == doctest::Approx(rms).epsilon(0.02));
    CHECK(f.kurtosis > last_kurtosis);
    CHECK(f.crest > last_crest);
    last_kurtosis = f.kurtosis;
    last_crest = f.crest;
  }
  CHECK(last_kurtosis > 5.0);                                    // impacts dominate
  CHECK(features_at(pump, 100.0, 2048.0, 2048).kurtosis < 3.0);  // tones alone: sub-Gaussian
  // The batch and the single evaluation agree.
  Eigen::ArrayXd t(3), v;
  t << 5000.0, 5000.001, 5000.002;
  pump.evaluate(PumpSignal::kVibrationWaveform, t, v);
  for (int i = 0; i < 3; ++i)
    CHECK(v(i) == doctest::Approx(pump.evaluate_one(PumpSignal::kVibrationWaveform, t(i))).epsilon(1e-9));
}

TEST_CASE(
    "firmware with stages: features replace the waveform, truth is the true waveform's, the ledger closes") {
  const PumpModel pump(wearing(), 1, "pump");
  std::vector<SensorChannel> sensors(2);
  sensors[0].sensor_index = 0;  // the waveform, noisy
  sensors[0].asset = &pump;
  sensors[0].signal = PumpSignal::kVibrationWaveform;
  sensors[0].params = {1024.0, 0.2, 0.0, -100.0, 100.0};
  sensors[0].noise = faults::RandomStream(1, "w", "noise");
  sensors[1].sensor_index = 1;  // vibration RMS at 1 Hz, deadbanded
  sensors[1].asset = &pump;
  sensors[1].signal = PumpSignal::kVibrationRms;
  sensors[1].params = {1.0, 0.0, 0.0, 0.0, 50.0};
  FirmwareOptions o;
  o.buffer_capacity_records = 100000;
  EdgeFirmware fw(o, std::move(sensors));
  EdgeChain chain;
  pipeline::VibrationFeatures::Rule rule;
  rule.source = 0;
  rule.window = 1024;
  rule.channel = {2, 3, 4, 5};
  chain.add(std::make_unique<pipeline::VibrationFeatures>(std::vector{rule}));
  for (std::uint32_t k = 0; k < 4; ++k)
    chain.feature_channel(2 + k, 0, static_cast<pipeline::VibrationFeature>(k), 1024);
  chain.add(
      std::make_unique<pipeline::Deadband>(std::vector<pipeline::Deadband::Rule>{{1, 0.5, 0, 50, 1e9}}));
  chain.set_transforms();
  std::vector<Reading> derived_seen;
  fw.on_transform(
      [&](std::vector<Reading>& rs, std::vector<pipeline::EdgeFate>& fate, std::vector<Reading>& d) {
        chain.transform(rs, fate, d, {});
        derived_seen.insert(derived_seen.end(), d.begin(), d.end());
      });
  for (double t = 10; t <= 600; t += 10) fw.sample_until(t);
  CHECK(fw.summarised() == 600 * 1024);
  CHECK(fw.derived() == 600 * 4);
  CHECK(fw.suppressed() > 500);  // a slowly wearing pump's RMS barely moves in ten minutes
  CHECK(fw.generated() == 600 * 1024 + 600 + 600 * 4);
  CHECK(fw.held() + fw.summarised() + fw.suppressed() == fw.generated());  // nothing sent yet: all held
  REQUIRE(derived_seen.size() == 2400);
  // Feature k of window j: sent value near the true one (noise 0.2 on an RMS of about 2).
  for (std::size_t j = 0; j < derived_seen.size(); j += 4) {
    const Reading& rms = derived_seen[j];
    CHECK(rms.record.sensor == 2);
    CHECK(rms.truth.true_value ==
          doctest::Approx(pump.evaluate_one(PumpSignal::kVibrationRms, rms.truth.true_time_s)).epsilon(0.02));
    CHECK(std::abs(rms.record.value - rms.truth.true_value) < 0.05 * rms.truth.true_value);
  }
  // Sequence numbers: what is sent is numbered without gaps.
  std::vector<std::uint64_t> seqs;
  while (InFlight* m = fw.form_message()) {
    for (const auto& r : m->batch->records) seqs.push_back(r.seq);
    fw.acknowledged(m->batch->message_id);
  }
  std::sort(seqs.begin(), seqs.end());
  for (std::size_t i = 0; i < seqs.size(); ++i) CHECK(seqs[i] == i);
}

TEST_CASE("int8 Mahalanobis: agrees with the float model on a fixed data set") {
  // Three correlated channels like a pump's (load drives all three), 2000 training vectors.
  faults::RandomStream rs(7, "int8", "data");
  auto draw = [&](double shift) {
    const double load = rs.normal(0.7, 0.05);
    Eigen::VectorXd x(3);
    x << 2.0 * (0.6 + 0.4 * load) + rs.normal(0, 0.05) + shift, 25 + 30 * load + rs.normal(0, 0.3),
        8 + 22 * load + rs.normal(0, 0.2);
    return x;
  };
  Eigen::MatrixXd train(2000, 3);
  for (int i = 0; i < 2000; ++i) train.row(i) = draw(0.0).transpose();
  const auto m = pipeline::MahalanobisModel::fit(train, {});
  const pipeline::Int8Mahalanobis q(m, 8.0);
  REQUIRE(q.valid());
  // Weights: every one within half a step of the float weight.
  for (Eigen::Index j = 0; j < 3; ++j)
    for (Eigen::Index i = 0; i < 3; ++i)
      CHECK(std::abs(q.weights()[static_cast<std::size_t>(j * 3 + i)] * q.weight_scale() -
                     q.whitening()(j, i)) <= q.weight_scale() / 2 + 1e-12);
  // In real arithmetic the int8 model's distance is the float one: |W z|^2 = (x - mean)' S^-1 (x - mean).
  const Eigen::VectorXd probe = draw(0.2);
  const Eigen::VectorXd z = ((probe - m.mean()).array() / m.covariance().diagonal().array().sqrt()).matrix();
  CHECK((q.whitening() * z).squaredNorm() == doctest::Approx(m.distance2(probe)).epsilon(1e-9));
  // 1000 normal vectors and 1000 with a vibration shift of 0.4 mm/s (8 noise sigmas): at a threshold of
  // 25, the two models' alarms agree on at least 98 % of the vectors; both see most of the shifted ones.
  int agree = 0, alarms_int8 = 0, alarms_float = 0;
  double rel_sum = 0;
  for (int i = 0; i < 2000; ++i) {
    const Eigen::VectorXd x = draw(i < 1000 ? 0.0 : 0.4);
    const double sf = m.distance2(x), si = q.score(x);
    agree += (sf > 25) == (si > 25);
    alarms_int8 += si > 25;
    alarms_float += sf > 25;
    rel_sum += std::abs(si - sf) / std::max(sf, 1.0);
  }
  CHECK(agree >= 1960);
  CHECK(alarms_float > 900);
  CHECK(alarms_int8 > 900);
  CHECK(rel_sum / 2000 < 0.1);  // measured 0.038
  MESSAGE("int8 vs float: agree " << agree << " / 2000, mean relative score error " << rel_sum / 2000);
}

TEST_CASE("int8 detector stage: trains on its window, trips offline only, after the debounce") {
  pipeline::Int8Detector::Options o;
  o.channels = {0, 1};
  o.train_until_s = 1000;
  o.threshold = 25;
  o.debounce = 2;
  pipeline::Int8Detector det(o);
  faults::RandomStream rs(3, "det", "data");
  std::vector<pipeline::EdgeDecision> d;
  std::uint64_t seq = 0;
  auto pass = [&](double t_s, double shift, bool online) {
    std::vector<pipeline::Record> rs_out;
    const double common = rs.normal();
    for (std::uint32_t c : {0u, 1u}) {
      pipeline::Record r;
      r.sensor = c;
      r.seq = seq++;
      r.device_time_s = t_s;
      r.value = common + 0.3 * rs.normal() + (c == 0 ? shift : 0.0);
      rs_out.push_back(r);
    }
    det.process(rs_out, {0, t_s, online}, d);
  };
  for (int t = 0; t < 1000; ++t) pass(t, 0, true);
  CHECK(det.stats().training_vectors == 1000);
  CHECK_FALSE(det.stats().trained);
  for (int t = 1000; t < 1100; ++t) pass(t, 5.0, true);  // far out, but online: no decision
  CHECK(det.stats().trained);
  CHECK(det.stats().alarms_int8 > 90);
  CHECK(d.empty());
  pass(1100, 5.0, false);
  pass(1101, 5.0, false);
  REQUIRE(d.size() == 1);
  CHECK(d[0].sensor == 0);
  pass(1102, 5.0, false);  // latched
  CHECK(d.size() == 1);
  det.reset(0);
  pass(1103, 5.0, false);
  pass(1104, 5.0, false);
  CHECK(d.size() == 2);
}
