#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "faults/bernoulli_loss.hpp"
#include "faults/outage_schedule.hpp"
#include "faults/random_stream.hpp"

using namespace twinbed::faults;

TEST_CASE("random streams: same (seed, entity, purpose) gives the same draws; any difference gives others") {
  RandomStream a(42, "edge-01/vib", "noise"), b(42, "edge-01/vib", "noise");
  RandomStream c(42, "edge-02/vib", "noise"), d(42, "edge-01/vib", "emi"), e(43, "edge-01/vib", "noise");
  int same_c = 0, same_d = 0, same_e = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto x = a.next_u64();
    CHECK(x == b.next_u64());
    same_c += x == c.next_u64();
    same_d += x == d.next_u64();
    same_e += x == e.next_u64();
  }
  CHECK(same_c == 0);
  CHECK(same_d == 0);
  CHECK(same_e == 0);
}

TEST_CASE("random streams: a stream's draws do not depend on other streams being created or used") {
  RandomStream alone(9, "edge-07/temp", "noise");
  std::vector<double> expected;
  for (int i = 0; i < 100; ++i) expected.push_back(alone.normal());
  // "Add a fault elsewhere": create and consume unrelated streams in between.
  RandomStream other(9, "edge-03/vib", "emi");
  RandomStream again(9, "edge-07/temp", "noise");
  for (int i = 0; i < 100; ++i) {
    other.normal();
    other.uniform();
    CHECK(again.normal() == expected[static_cast<std::size_t>(i)]);
  }
}

TEST_CASE("random streams: distributions have the right moments (fixed seed, stated tolerances)") {
  RandomStream s(1, "stats", "moments");
  const int n = 200000;
  double sum = 0, sum2 = 0, esum = 0, lsum_abs = 0;
  for (int i = 0; i < n; ++i) {
    const double x = s.normal();
    sum += x;
    sum2 += x * x;
    esum += s.exponential(3.0);
    lsum_abs += std::fabs(s.laplace(2.0));
  }
  CHECK(sum / n == doctest::Approx(0.0).epsilon(0.01).scale(1.0));
  CHECK(sum2 / n == doctest::Approx(1.0).epsilon(0.01));
  CHECK(esum / n == doctest::Approx(3.0).epsilon(0.01));
  CHECK(lsum_abs / n == doctest::Approx(2.0).epsilon(0.01));  // E|Laplace(b)| = b
}

TEST_CASE("bernoulli loss: mean loss within 3 standard errors of p") {
  BernoulliLoss loss(0.02, RandomStream(5, "edge-01", "uplink"));
  const int n = 100000;
  int lost = 0;
  for (int i = 0; i < n; ++i) lost += loss.lost();
  const double se = std::sqrt(0.02 * 0.98 / n);
  CHECK(std::fabs(lost / static_cast<double>(n) - 0.02) < 3 * se);
}

TEST_CASE("outage schedule: merges windows and answers containment") {
  OutageSchedule o;
  o.add(100, 200);
  o.add(150, 300);
  o.add(500, 600);
  CHECK(o.windows().size() == 2);
  CHECK(o.down_at(100));
  CHECK(o.down_at(299.9));
  CHECK_FALSE(o.down_at(300));
  CHECK_FALSE(o.down_at(50));
  CHECK(o.down_during(450, 510));
  CHECK_FALSE(o.down_during(310, 490));
}
