#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "pipeline/hlc.hpp"

using twinbed::pipeline::HybridLogicalClock;

TEST_CASE("HLC: a holder's stamps strictly increase, even when its clock steps backwards") {
  HybridLogicalClock c;
  CHECK(c.now() == 0);
  const std::uint64_t a = c.tick(100.0);
  CHECK(HybridLogicalClock::physical_ms(a) == 100000);
  CHECK(HybridLogicalClock::counter(a) == 0);
  const std::uint64_t b = c.tick(100.0);  // same millisecond: the counter moves
  CHECK(b > a);
  CHECK(HybridLogicalClock::counter(b) == 1);
  const std::uint64_t back = c.tick(40.0);  // the clock stepped back 60 s
  CHECK(back > b);
  CHECK(HybridLogicalClock::physical_ms(back) == 100000);  // l holds the largest time seen
  const std::uint64_t later = c.tick(100.5);               // past l again: the counter resets
  CHECK(later > back);
  CHECK(HybridLogicalClock::counter(later) == 0);
}

TEST_CASE("HLC: a receive is stamped after the message and after the receiver's past") {
  HybridLogicalClock cloud, device;
  device.tick(10.0);
  const std::uint64_t command = cloud.tick(500.0);  // the cloud's clock is ahead
  const std::uint64_t applied = device.receive(command, 10.2);
  CHECK(applied > command);
  CHECK(HybridLogicalClock::physical_ms(applied) == 500000);
  const std::uint64_t next = device.tick(10.3);  // its own later events follow the command
  CHECK(next > applied);
  // Equal physical parts on both sides: the counter takes the larger and moves on.
  HybridLogicalClock x, y;
  x.tick(7.0);
  x.tick(7.0);
  x.tick(7.0);  // (7000, 2)
  const std::uint64_t m = y.tick(7.0);
  CHECK(HybridLogicalClock::counter(x.receive(m, 7.0)) == 3);
  CHECK(HybridLogicalClock::counter(y.receive(x.now(), 7.0)) == 4);
}

TEST_CASE("HLC: null and negative physical times still advance; the counter carries into l") {
  HybridLogicalClock c;
  const std::uint64_t a = c.tick(std::nan(""));
  CHECK(a != 0);
  CHECK(c.tick(-5.0) > a);
  HybridLogicalClock d;
  std::uint64_t last = d.tick(1.0);
  for (int i = 0; i < 70000; ++i) {
    const std::uint64_t s = d.tick(1.0);
    REQUIRE(s > last);
    last = s;
  }
  CHECK(HybridLogicalClock::physical_ms(last) == 1001);  // one carry past 0xFFFF
}

TEST_CASE(
    "HLC: causality over random message exchanges with skewed clocks (happens-before => smaller stamp)") {
  // Three holders with clock errors of up to ±2 s exchange messages at random.
  std::mt19937_64 gen(7);  // raw outputs: the same sequence on every platform
  auto uniform = [&] { return static_cast<double>(gen() >> 11) * 0x1.0p-53; };
  std::vector<HybridLogicalClock> h(3);
  const double offset_s[3] = {-2.0, 0.0, 1.5};
  std::uint64_t last_sent = 0;
  int last_from = -1;
  double t = 0;
  for (int step = 0; step < 20000; ++step) {
    t += -0.1 * std::log(1.0 - uniform());  // mean 0.1 s between events
    const int who = static_cast<int>(3.0 * uniform());
    const double pt = t + offset_s[who];
    std::uint64_t stamp;
    if (last_from >= 0 && last_from != who && uniform() < 0.5) {
      stamp = h[who].receive(last_sent, pt);
      REQUIRE(stamp > last_sent);
    } else {
      const std::uint64_t before = h[who].now();
      stamp = h[who].tick(pt);
      REQUIRE(stamp > before);
    }
    // l stays within the largest clock error of true time (2 s) plus one carry.
    REQUIRE(static_cast<double>(HybridLogicalClock::physical_ms(stamp)) / 1000.0 <= t + 1.5 + 0.002);
    REQUIRE(HybridLogicalClock::counter(stamp) < 1000);
    last_sent = stamp;
    last_from = who;
  }
}
