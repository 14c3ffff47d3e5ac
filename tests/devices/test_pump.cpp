#include <doctest/doctest.h>

#include <cmath>

#include "devices/pump.hpp"

using namespace twinbed::devices;

TEST_CASE("pump: exponential wear law reaches 1 at onset + time_to_failure, then the pump stops") {
  PumpParams p;
  p.degrades = true;
  p.onset_s = 1000;
  p.time_to_failure_s = 8000;
  p.initial_wear = 0.01;
  p.incident_wear = 0.1;
  PumpModel pump(p, 1, "pump-1");
  CHECK(pump.wear_at(999) == 0.0);
  CHECK(pump.wear_at(1000) == doctest::Approx(0.01));
  CHECK(pump.failure_s() == doctest::Approx(9000));
  CHECK(pump.wear_at(8999.999) == doctest::Approx(1.0).epsilon(1e-3));
  // w(t) = w0 exp((t - t_on)/tau), tau = T_f / ln(1/w0): w = 0.1 halfway in log terms.
  CHECK(pump.abnormal_from_s() == doctest::Approx(5000));
  CHECK(pump.wear_at(5000) == doctest::Approx(0.1));
  CHECK(pump.evaluate_one(PumpSignal::kVibrationRms, 9001) == 0.0);
  CHECK(pump.evaluate_one(PumpSignal::kMotorCurrent, 9001) == 0.0);
  CHECK(pump.evaluate_one(PumpSignal::kFlow, 9001) == 0.0);
}

TEST_CASE("pump: wear raises vibration, temperature and current together (correlated signals)") {
  PumpParams p;
  p.degrades = true;
  p.onset_s = 0;
  p.time_to_failure_s = 10000;
  p.load_step_std = 0;
  p.load_amplitude = 0;
  PumpModel pump(p, 1, "pump-1");
  const double t0 = 10, t1 = 9900;
  CHECK(pump.evaluate_one(PumpSignal::kVibrationRms, t1) - pump.evaluate_one(PumpSignal::kVibrationRms, t0) >
        7.0);
  CHECK(pump.evaluate_one(PumpSignal::kBearingTemp, t1) - pump.evaluate_one(PumpSignal::kBearingTemp, t0) >
        25.0);
  CHECK(pump.evaluate_one(PumpSignal::kMotorCurrent, t1) > pump.evaluate_one(PumpSignal::kMotorCurrent, t0));
  // After failure the bearing cools towards ambient with the documented time constant.
  const double at_fail = pump.evaluate_one(PumpSignal::kBearingTemp, 10000);
  const double later = pump.evaluate_one(PumpSignal::kBearingTemp, 10000 + p.cooling_tau_s);
  CHECK((later - p.ambient_c) / (at_fail - p.ambient_c) == doctest::Approx(std::exp(-1.0)).epsilon(1e-6));
}

TEST_CASE("pump: batch evaluation equals point evaluation (the rotation recurrence is exact enough)") {
  PumpParams p;
  PumpModel pump(p, 7, "pump-7");
  Eigen::ArrayXd t(600), out;
  for (int i = 0; i < 600; ++i) t(i) = 3600.0 + i * 0.5;
  pump.evaluate(PumpSignal::kMotorCurrent, t, out);
  for (int i = 0; i < 600; ++i)
    CHECK(out(i) == doctest::Approx(pump.evaluate_one(PumpSignal::kMotorCurrent, t(i))).epsilon(1e-9));
}

TEST_CASE("pump: a pump that does not degrade never wears") {
  PumpParams p;
  p.degrades = false;
  p.onset_s = 100;  // drawn, but the draw said this pump does not degrade
  p.time_to_failure_s = 1000;
  PumpModel pump(p, 1, "pump-2");
  CHECK(pump.wear_at(5000) == 0.0);
  CHECK(std::isinf(pump.failure_s()));
}

TEST_CASE("pump: a stop zeroes flow, current and vibration, cools the bearing, and ends") {
  PumpParams p;
  p.load_amplitude = 0.0;
  p.load_step_std = 0.0;
  PumpModel pump(p, 1, "p");
  const double running_temp = pump.evaluate_one(PumpSignal::kBearingTemp, 999.0);
  pump.stop(1000.0, 2000.0);
  CHECK(pump.running_at(999.0));
  CHECK_FALSE(pump.running_at(1000.0));
  CHECK(pump.running_at(2000.0));
  for (PumpSignal s : {PumpSignal::kFlow, PumpSignal::kMotorCurrent, PumpSignal::kVibrationRms})
    CHECK(pump.evaluate_one(s, 1500.0) == 0.0);
  // The bearing cools from its temperature at the stop with tau = cooling_tau_s.
  const double at_stop = pump.evaluate_one(PumpSignal::kBearingTemp, 1000.0);
  CHECK(at_stop == doctest::Approx(running_temp));
  CHECK(pump.evaluate_one(PumpSignal::kBearingTemp, 1000.0 + p.cooling_tau_s * 0.5) ==
        doctest::Approx(p.ambient_c + (at_stop - p.ambient_c) * std::exp(-0.5)));
  CHECK(pump.evaluate_one(PumpSignal::kFlow, 2000.0) == doctest::Approx(p.flow_rated_m3h * p.load_mean));
  // The batch path agrees with the one-sample path across the stop's edges.
  Eigen::ArrayXd t(5), out;
  t << 999.0, 1000.0, 1500.0, 1999.0, 2000.0;
  pump.evaluate(PumpSignal::kVibrationRms, t, out);
  for (Eigen::Index i = 0; i < t.size(); ++i)
    CHECK(out(i) == pump.evaluate_one(PumpSignal::kVibrationRms, t(i)));
  CHECK_THROWS_AS(pump.stop(500.0, 600.0), std::logic_error);  // stops come in time order
}
