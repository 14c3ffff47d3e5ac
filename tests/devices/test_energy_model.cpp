// Energy and battery accounting against hand-computed closed forms.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

#include "devices/energy_model.hpp"

using namespace twinbed::devices;

namespace {
constexpr double kYear_s = 365.25 * 86400.0;
constexpr double kToa_s = 0.0566;  // LoRa SF7, 125 kHz, 20 B: 56.576 ms (tests/sim/test_protocols.cpp)
constexpr double kPeriod_s = 600.0;

double sum_of_uses_mah(const EnergyMeter& m) {
  double sum = 0;
  for (std::size_t u = 0; u < kEnergyUseCount; ++u) sum += m.consumed_mah(static_cast<EnergyUse>(u));
  return sum;
}
}  // namespace

TEST_CASE("Energy: a LoRa node (10 µA sleep, 40 mA TX for 56.6 ms every 600 s, 2400 mAh) lasts 19.88 years") {
  EnergyParams p;
  p.battery_mah = 2400.0;
  p.sleep_current_ua = 10.0;
  p.tx_current_ma = 40.0;
  // Closed form: I = (40 mA × 0.0566 s + 0.010 mA × (600 − 0.0566) s) / 600 s = 0.013772 mA.
  const double i_ma = (40.0 * kToa_s + 0.010 * (kPeriod_s - kToa_s)) / kPeriod_s;
  const double lifetime_s = 2400.0 * 3600.0 / i_ma;
  CHECK(i_ma == doctest::Approx(0.01377239).epsilon(1e-6));
  CHECK(lifetime_s / kYear_s == doctest::Approx(19.879).epsilon(1e-4));

  EnergyMeter m(p);
  double t = 0.0;
  for (int cycle = 0; cycle < 144; ++cycle) {  // one day
    m.transmit(kToa_s);
    m.sleep_until(t += kPeriod_s);
  }
  CHECK(m.now_s() == doctest::Approx(86400.0));
  CHECK(m.average_current_ma() == doctest::Approx(i_ma).epsilon(1e-9));
  CHECK(m.projected_lifetime_s() == doctest::Approx(lifetime_s).epsilon(1e-3));
  CHECK(m.projected_remaining_s() == doctest::Approx(lifetime_s - 86400.0).epsilon(1e-3));
  CHECK(m.consumed_mah(EnergyUse::kTx) == doctest::Approx(144 * 40.0 * kToa_s / 3600.0).epsilon(1e-12));
  CHECK(m.time_s(EnergyUse::kTx) == doctest::Approx(144 * kToa_s).epsilon(1e-12));
  // To the end: the battery runs out within 0.1 % of the closed form (in fact within one cycle).
  while (m.transmit(kToa_s) && m.sleep_until(t += kPeriod_s)) {
  }
  REQUIRE(m.depleted());
  CHECK(*m.depleted_at_s() == doctest::Approx(lifetime_s).epsilon(1e-3));
  CHECK(std::fabs(*m.depleted_at_s() - lifetime_s) < kPeriod_s);
  CHECK(m.remaining_mah() == doctest::Approx(0.0).epsilon(1e-9).scale(2400));
  CHECK(m.projected_lifetime_s() == *m.depleted_at_s());
}

TEST_CASE(
    "Energy: a LoRaWAN class A cycle by category; categories sum to the total; cut-off and self-discharge") {
  EnergyParams p;
  p.battery_mah = 2400.0;
  p.voltage_v = 3.6;
  p.sleep_current_ua = 10.0;
  p.active_current_ma = 5.0;
  p.sample_active_s = 0.005;
  p.tx_power_mw = 144.0;  // at 3.6 V: 40 mA
  p.rx_current_ma = 12.0;
  p.wake_current_ma = 5.0;
  p.wake_s = 0.002;
  p.self_discharge_pct_per_month = 0.1;
  p.cutoff_pct = 5.0;
  CHECK(p.tx_ma() == doctest::Approx(40.0));
  // 0.1 % of 2400 mAh per 730.5 h.
  CHECK(p.self_discharge_ma() == doctest::Approx(2.4 / 730.5).epsilon(1e-12));
  CHECK(p.usable_mah() == doctest::Approx(2280.0));

  // Per 600 s: a wake-up, 4 samples, one uplink, RX1 and RX2 (20 ms each), sleep.
  const double busy_s = 0.002 + 4 * 0.005 + kToa_s + 2 * 0.020;
  const double charge_mas =
      5.0 * 0.002 + 5.0 * 0.020 + 40.0 * kToa_s + 12.0 * 0.040 + 0.010 * (kPeriod_s - busy_s);
  const double i_ma = charge_mas / kPeriod_s + p.self_discharge_ma();
  const double lifetime_s = 2280.0 * 3600.0 / i_ma;
  CHECK(lifetime_s / kYear_s == doctest::Approx(14.418).epsilon(1e-4));

  EnergyMeter m(p);
  double t = 0.0;
  auto cycle = [&] {
    return m.wake_up() && m.sample(4) && m.transmit(kToa_s) && m.receive(0.020) && m.receive(0.020) &&
           m.sleep_until(t += kPeriod_s);
  };
  for (int i = 0; i < 144; ++i) REQUIRE(cycle());
  const double day_h = 24.0;
  CHECK(m.consumed_mah(EnergyUse::kWakeUp) == doctest::Approx(144 * 5.0 * 0.002 / 3600).epsilon(1e-12));
  CHECK(m.consumed_mah(EnergyUse::kSampling) == doctest::Approx(144 * 5.0 * 0.020 / 3600).epsilon(1e-12));
  CHECK(m.consumed_mah(EnergyUse::kTx) == doctest::Approx(144 * 40.0 * kToa_s / 3600).epsilon(1e-12));
  CHECK(m.consumed_mah(EnergyUse::kRx) == doctest::Approx(144 * 12.0 * 0.040 / 3600).epsilon(1e-12));
  CHECK(m.consumed_mah(EnergyUse::kSleep) ==
        doctest::Approx(144 * 0.010 * (kPeriod_s - busy_s) / 3600).epsilon(1e-9));
  CHECK(m.consumed_mah(EnergyUse::kSelfDischarge) ==
        doctest::Approx(p.self_discharge_ma() * day_h).epsilon(1e-12));
  CHECK(sum_of_uses_mah(m) == doctest::Approx(m.consumed_mah()).epsilon(1e-12));
  CHECK(m.consumed_mah() == doctest::Approx(i_ma * day_h).epsilon(1e-9));
  CHECK(m.consumed_j() ==
        doctest::Approx(m.consumed_mah() * 3.6 * 3.6).epsilon(1e-12));  // 1 mAh at 3.6 V = 12.96 J
  double activity_s = 0;
  for (EnergyUse u :
       {EnergyUse::kSleep, EnergyUse::kSampling, EnergyUse::kTx, EnergyUse::kRx, EnergyUse::kWakeUp})
    activity_s += m.time_s(u);
  CHECK(activity_s == doctest::Approx(m.elapsed_s()).epsilon(1e-12));
  CHECK(m.projected_lifetime_s() == doctest::Approx(lifetime_s).epsilon(1e-6));

  while (cycle()) {
  }
  REQUIRE(m.depleted());
  CHECK(*m.depleted_at_s() == doctest::Approx(lifetime_s).epsilon(1e-3));
  CHECK(m.remaining_mah() == doctest::Approx(120.0).epsilon(1e-9));  // the cut-off's 5 % stay in the cell
  CHECK(sum_of_uses_mah(m) == doctest::Approx(m.consumed_mah()).epsilon(1e-9));
  const double consumed = m.consumed_mah();
  CHECK_FALSE(m.transmit(1.0));  // browned out: nothing more is drawn, time still passes
  CHECK(m.consumed_mah() == consumed);
}

TEST_CASE("Energy: depletion time exact for a constant draw") {
  EnergyParams p;
  p.battery_mah = 100.0;
  p.sleep_current_ua = 10'000.0;  // 10 mA
  SUBCASE("no cut-off: 100 mAh / 10 mA = 36,000 s") {
    EnergyMeter m(p, 1000.0);
    int calls = 0;
    while (m.sleep(7.0)) ++calls;  // 36,000 s falls inside a 7 s step
    CHECK(calls == 5142);
    CHECK(*m.depleted_at_s() == doctest::Approx(1000.0 + 36000.0).epsilon(1e-12));
    CHECK(m.projected_lifetime_s() == doctest::Approx(36000.0).epsilon(1e-12));
    CHECK(m.consumed_mah(EnergyUse::kSleep) == doctest::Approx(100.0).epsilon(1e-12));
    CHECK(m.time_s(EnergyUse::kSleep) == doctest::Approx(36000.0).epsilon(1e-12));
    CHECK(m.now_s() == doctest::Approx(1000.0 + 5143 * 7.0));  // the clock ran to the end of the step
  }
  SUBCASE("cut-off at 10 %: 32,400 s") {
    p.cutoff_pct = 10.0;
    EnergyMeter m(p);
    CHECK(m.projected_lifetime_s() == INFINITY);  // nothing drawn yet
    CHECK(m.sleep(3600.0));
    CHECK(m.projected_lifetime_s() == doctest::Approx(32400.0).epsilon(1e-12));
    CHECK(m.projected_remaining_s() == doctest::Approx(28800.0).epsilon(1e-12));
    CHECK_FALSE(m.sleep(40000.0));
    CHECK(*m.depleted_at_s() == doctest::Approx(32400.0).epsilon(1e-12));
    CHECK(m.remaining_mah() == doctest::Approx(10.0).epsilon(1e-12));
  }
  SUBCASE("self-discharge adds a constant current") {
    p.self_discharge_pct_per_month = 50.0;  // 50 mAh per 730.5 h
    EnergyMeter m(p);
    const double i_ma = 10.0 + 50.0 / 730.5;
    CHECK_FALSE(m.sleep(1e6));
    CHECK(*m.depleted_at_s() == doctest::Approx(100.0 * 3600.0 / i_ma).epsilon(1e-12));
    CHECK(m.consumed_mah(EnergyUse::kSelfDischarge) ==
          doctest::Approx(100.0 * (50.0 / 730.5) / i_ma).epsilon(1e-12));
  }
  EnergyMeter m(p);
  CHECK_THROWS_AS(m.sleep(-1.0), std::invalid_argument);
  m.sleep(10.0);
  CHECK_THROWS_AS(m.sleep_until(5.0), std::invalid_argument);
  CHECK(to_string(EnergyUse::kWakeUp) == "wake_up");
}
