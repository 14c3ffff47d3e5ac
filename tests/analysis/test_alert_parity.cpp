#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "analysis/alert_parity.hpp"

using twinbed::analysis::compare_alerts;
using twinbed::analysis::RaiseRef;

namespace {
RaiseRef raise(std::uint32_t sensor, double true_s, std::uint64_t seq) {
  RaiseRef r;
  r.sensor = sensor;
  r.trigger_true_time_s = true_s;
  r.trigger_device_time_s = true_s;
  r.seq = seq;
  return r;
}
}  // namespace

TEST_CASE("R12 parity: equal raises pass; near ones match within the window, per sensor") {
  const std::vector<RaiseRef> ref = {raise(0, 100, 1), raise(0, 500, 2), raise(1, 100, 3)};
  auto same = compare_alerts(ref, ref, 10.0);
  CHECK(same.pass());
  CHECK(same.matched == 3);
  CHECK(same.missing == 0);
  // The run decided 5 s later on sensor 0 (another record of the same episode): still the same alert.
  std::vector<RaiseRef> run = {raise(0, 105, 9), raise(0, 500, 2), raise(1, 100, 3)};
  CHECK(compare_alerts(run, ref, 10.0).pass());
  // A raise on the other sensor at the same time is not a match.
  run = {raise(1, 500, 7)};
  const auto other = compare_alerts(run, {raise(0, 500, 2)}, 10.0);
  CHECK_FALSE(other.pass());
  CHECK(other.caused_by.at("reordering") == 1);
  CHECK(other.missing == 1);
  REQUIRE(other.extra_witnesses.size() == 1);
  CHECK(other.extra_witnesses[0].seq == 7);
  REQUIRE(other.missing_witnesses.size() == 1);
  CHECK(other.missing_witnesses[0].seq == 2);
}

TEST_CASE(
    "R12 parity: an extra raise is attributed to its trigger: sentinel, duplicate, timestamp, reordering") {
  RaiseRef sentinel = raise(0, 100, 1);
  sentinel.trigger_fault_coded = true;
  RaiseRef duplicate = raise(0, 200, 2);
  duplicate.trigger_duplicate = true;
  RaiseRef stamp = raise(0, 300, 3);
  stamp.trigger_device_time_s = 300 - 3600;  // an hour off: a time-zone error
  const RaiseRef reorder = raise(0, 400, 4);
  const auto p = compare_alerts({sentinel, duplicate, stamp, reorder}, {}, 10.0);
  CHECK(p.caused() == 4);
  CHECK(p.caused_by.at("sentinel") == 1);
  CHECK(p.caused_by.at("duplicate") == 1);
  CHECK(p.caused_by.at("timestamp") == 1);
  CHECK(p.caused_by.at("reordering") == 1);
  CHECK(p.run_raises == 4);
  CHECK(p.reference_raises == 0);
}

TEST_CASE("R12 parity: one reference raise matches one run raise; the result ignores the lists' order") {
  // Two run raises near one reference raise: one matches, the other is the pipeline's own.
  const auto two = compare_alerts({raise(0, 100, 1), raise(0, 104, 2)}, {raise(0, 102, 5)}, 10.0);
  CHECK(two.matched == 1);
  CHECK(two.caused() == 1);
  std::vector<RaiseRef> run, ref;
  for (int i = 0; i < 50; ++i) {
    run.push_back(
        raise(static_cast<std::uint32_t>(i % 3), 100.0 * i + (i % 7), static_cast<std::uint64_t>(i)));
    if (i % 5 != 0) ref.push_back(raise(static_cast<std::uint32_t>(i % 3), 100.0 * i, 1000u + i));
  }
  const auto base = compare_alerts(run, ref, 10.0);
  CHECK(base.matched == 40);
  CHECK(base.caused() == 10);
  std::mt19937_64 gen(3);
  for (int k = 0; k < 20; ++k) {
    std::shuffle(run.begin(), run.end(), gen);
    std::shuffle(ref.begin(), ref.end(), gen);
    const auto p = compare_alerts(run, ref, 10.0);
    CHECK(p.matched == base.matched);
    CHECK(p.caused_by == base.caused_by);
    REQUIRE(p.extra_witnesses.size() == base.extra_witnesses.size());
    for (std::size_t i = 0; i < p.extra_witnesses.size(); ++i)
      CHECK(p.extra_witnesses[i].seq == base.extra_witnesses[i].seq);
  }
}
