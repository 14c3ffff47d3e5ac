#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "analysis/alert_parity.hpp"
#include "analysis/reconciliation_check.hpp"

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

TEST_CASE(
    "R12 verdict: judge_alert_parity fills the checker's R12 — pass, or fail with a witness per raise") {
  twinbed::analysis::ReconciliationInput in;  // no cloud log: every other property is not applicable
  auto verdicts = twinbed::analysis::check_reconciliation(in);
  auto r12 = [&]() -> const twinbed::analysis::PropertyVerdict& {
    for (const auto& p : verdicts.properties)
      if (p.id == "R12") return p;
    FAIL("no R12");
    return verdicts.properties.front();
  };
  CHECK(r12().verdict == twinbed::analysis::Verdict::kNotApplicable);
  const std::vector<RaiseRef> ref = {raise(0, 100, 1), raise(1, 300, 2)};
  twinbed::analysis::judge_alert_parity(verdicts, compare_alerts(ref, ref, 10.0), 10.0);
  CHECK(r12().verdict == twinbed::analysis::Verdict::kPass);
  CHECK(r12().witnesses.empty());
  RaiseRef dup = raise(0, 200, 9);
  dup.trigger_duplicate = true;
  twinbed::analysis::judge_alert_parity(verdicts, compare_alerts({ref[0], dup}, ref, 10.0), 10.0);
  CHECK(r12().verdict == twinbed::analysis::Verdict::kFail);
  REQUIRE(r12().witnesses.size() == 2);  // the duplicate's alert, and sensor 1's alert the run lost
  CHECK(r12().witnesses[0].what.find("transport duplicate") != std::string::npos);
  CHECK(r12().witnesses[0].events.at(0).seq == 9);
  CHECK(r12().witnesses[1].events.at(0).seq == 2);
  double caused_duplicate = -1;
  for (const auto& [name, v] : r12().metrics)
    if (name == "caused_by_duplicate") caused_duplicate = v.value_or(-1);
  CHECK(caused_duplicate == 1);
}
