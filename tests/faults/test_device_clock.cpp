// The device clock: free-running error, scheduled steps, NTP and SNTP
// discipline (slew below 128 ms, step after the 900 s stepout, refusal past
// the 1000 s panic threshold), random-walk frequency noise, stamp faults.
#include <doctest/doctest.h>

#include <cmath>

#include "faults/device_clock.hpp"

using namespace twinbed::faults;

TEST_CASE("clock: error after T at a given skew is skew x T (1 ppm = 86.4 ms a day)") {
  ClockParams p;
  p.skew_ppm = 20;
  DeviceClock c(p, 1, "edge-1");
  CHECK(c.error_at(86400) == doctest::Approx(1.728));
  p.skew_ppm = 0;
  p.ageing_ppm_per_day = 1.0;  // frequency grows 1 ppm a day: error ½·D·t² = 43.2 ms after a day
  DeviceClock aged(p, 1, "edge-1");
  CHECK(aged.error_at(86400) == doctest::Approx(0.0432));
}

TEST_CASE("clock: scheduled steps forward and backward") {
  ClockParams p;
  p.steps = {{"jump", 100, 3.0}, {"back", 200, -5.0}};
  DeviceClock c(p, 1, "d");
  CHECK(c.stamp(99) == 99);
  CHECK(c.stamp(150) == 153);
  CHECK(c.stamp(250) == 248);  // a backward step: stamps go back in time
  REQUIRE(c.events().size() == 2);
  CHECK(c.events()[1].magnitude_s == -5.0);
}

TEST_CASE("NTP: an offset under 128 ms is slewed at 500 ppm, never stepped") {
  ClockParams p;
  p.offset_s = 0.05;
  p.sync = ClockSync::kNtp;
  p.sync_noise_s = 0.0;
  DeviceClock c(p, 1, "d");
  CHECK(c.error_at(64) == doctest::Approx(0.05));  // the first poll finds 50 ms
  double previous = c.error_at(64);
  for (double t = 65; t <= 400; t += 1) {
    const double e = c.error_at(t);
    CHECK(previous - e <= 500e-6 + 1e-12);  // at most 500 µs per second
    previous = e;
  }
  // 50 ms at 500 ppm takes 100 s: corrected by t = 164.
  CHECK(std::fabs(c.error_at(170)) < 1e-9);
  CHECK(c.sync_steps() == 0);
}

TEST_CASE("NTP: a 5 s offset is stepped once it has persisted for the 900 s stepout") {
  ClockParams p;
  p.offset_s = 5;
  p.sync = ClockSync::kNtp;
  p.sync_noise_s = 0.0;
  DeviceClock c(p, 1, "d");
  CHECK(c.error_at(1000) == doctest::Approx(5.0));  // first seen at 64; 64 + 900 = 964 < poll 1024
  CHECK(std::fabs(c.error_at(1024)) < 1e-9);
  CHECK(c.sync_steps() == 1);
  CHECK(c.events().back().kind == "clock_sync_step");
  CHECK(c.events().back().at_s == 1024);
}

TEST_CASE("NTP: beyond the 1000 s panic threshold the daemon refuses, unless forced") {
  ClockParams p;
  p.offset_s = 2000;  // an RTC that restarted at its build date
  p.sync = ClockSync::kNtp;
  p.sync_noise_s = 0.0;
  DeviceClock refused(p, 1, "d");
  CHECK(refused.error_at(5000) == doctest::Approx(2000));
  CHECK(refused.sync_refusals() > 10);
  CHECK(refused.events().size() == 1);  // one event for the run of refusals
  p.force_step = true;
  DeviceClock forced(p, 1, "d");
  CHECK(std::fabs(forced.error_at(1024)) < 1e-9);
}

TEST_CASE("SNTP steps at every poll it can make; no sync while the network is unreachable") {
  ClockParams p;
  p.skew_ppm = 100;
  p.sync = ClockSync::kSntp;
  p.poll_s = 600;
  p.sync_noise_s = 0.002;
  DeviceClock c(p, 1, "d", [](double t) { return t < 3600 || t >= 7200; });
  // Between polls the error grows at 100 ppm: at most 60 ms + noise.
  double worst = 0;
  for (double t = 600; t < 3600; t += 10) worst = std::max(worst, std::fabs(c.error_at(t)));
  CHECK(worst < 0.06 + 0.01);
  // Unreachable from 3600 to 7200: the error grows freely, 100 ppm x 3600 s = 0.36 s.
  const double before_s = c.error_at(3599);
  CHECK(c.error_at(7199) - before_s == doctest::Approx(0.36));
  CHECK(c.sync_steps() == 5);                 // polls at 600, 1200, ..., 3000
  CHECK(std::fabs(c.error_at(7201)) < 0.01);  // the poll at 7200 steps it back
  CHECK(c.sync_steps() == 6);
}

TEST_CASE("random-walk frequency noise: phase variance sigma^2 T^3 / 3") {
  // 1 ppm/sqrt(day): after one day Var = (1e-6)^2/86400 * 86400^3/3 = 2.488e-3 s^2.
  // 1500 clocks stepped every 60 s; the variance's relative standard error is
  // sqrt(2/1500) = 3.7 %; tolerance 12 % (the discrete walk also biases it by < 1 %).
  ClockParams p;
  p.rw_ppm_per_sqrt_day = 1.0;
  double s2 = 0;
  const int clocks = 1500;
  for (int i = 0; i < clocks; ++i) {
    DeviceClock c(p, 2, "edge-" + std::to_string(i));
    double e = 0;
    for (double t = 60; t <= 86400; t += 60) e = c.error_at(t);
    s2 += e * e;
  }
  CHECK(s2 / clocks == doctest::Approx(1e-12 * 86400.0 * 86400.0 / 3.0).epsilon(0.12));
}

TEST_CASE("stamp faults: null stamps at rate p, future and time-zone shifts in their episodes") {
  ClockParams p;
  StampFault null_stamps{"timestamp_null", "nulls", {}, 0.01, 0};
  StampFault dst{"timestamp_timezone", "dst", {1000, 2000, false, 0, Law::fixed(0)}, 1.0, 3600};
  p.stamp_faults = {null_stamps, dst};
  DeviceClock c(p, 3, "d");
  int nulls = 0;
  for (int t = 1; t <= 100'000; ++t) {
    const double s = c.stamp(t);
    if (std::isnan(s)) {
      ++nulls;
      continue;
    }
    CHECK(s == (t >= 1000 && t < 2000 ? t + 3600.0 : t));
  }
  CHECK(std::abs(nulls - 1000) < 130);  // Binomial(1e5, 0.01): sd 31
  const auto windows = c.stamp_fault_windows();
  REQUIRE(windows.size() == 2);  // the null-stamp fault's whole window, and the DST hour
}
