// Predictive-maintenance evaluation: stops judged against truth, the
// threshold chosen on validation units, ROC AUC and quantiles.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "analysis/pdm_evaluation.hpp"

using namespace twinbed::analysis::pdm;
using twinbed::pipeline::pdm::StopRuleOptions;

namespace {
constexpr double kH = 3600.0, kDay = 86400.0;
/// Hourly windows from hour 1 to `hours`, scores from `score(h)`.
template <typename F>
UnitWindows hourly(int hours, F score, int fault_from = -1, int fault_to = -1) {
  UnitWindows w;
  for (int h = 1; h <= hours; ++h) {
    w.end_s.push_back(h * kH);
    w.score.push_back(score(h));
    w.sensor_fault.push_back(h >= fault_from && h < fault_to ? 1 : 0);
  }
  return w;
}
}  // namespace

TEST_CASE("evaluate_stops: lead time, missed failures, false stops by cause, unit-years") {
  const double inf = std::numeric_limits<double>::infinity();
  // A: fails at hour 100; its score passes 0.5 from hour 80 -> stop at 82 (k = 3), lead 18 h.
  UnitTruth a{100 * kH, 100 * kH, 50 * kH};
  UnitWindows wa = hourly(99, [](int h) { return h >= 80 ? 0.9 : 0.1; });
  // B: fails at hour 100, never scores high: missed.
  UnitTruth b{100 * kH, 100 * kH, 50 * kH};
  UnitWindows wb = hourly(99, [](int) { return 0.1; });
  // C: healthy; a drifting sensor from hour 10 to 30 keeps the score high: one false stop at hour 12,
  //    then held off for 24 h, by when the fault is over.
  UnitTruth c{inf, 200 * kH, inf};
  UnitWindows wc = hourly(
      199, [](int h) { return h >= 10 && h < 30 ? 0.9 : 0.1; }, 10, 30);
  // D: degrading (onset hour 20), fails at hour 400 beyond its 200-hour history; stops at hour 52: early.
  UnitTruth d{400 * kH, 200 * kH, 20 * kH};
  UnitWindows wd = hourly(199, [](int h) { return h >= 50 && h < 53 ? 0.9 : 0.1; });
  const std::vector<const UnitTruth*> truth = {&a, &b, &c, &d};
  const std::vector<const UnitWindows*> windows = {&wa, &wb, &wc, &wd};
  const StopFigures f = evaluate_stops(truth, windows, {0.5, 3, 24 * kH}, 2 * kDay);
  CHECK(f.units == 4);
  CHECK(f.failing_units == 2);
  CHECK(f.caught == 1);
  CHECK(f.missed == 1);
  REQUIRE(f.lead_times_s.size() == 1);
  CHECK(f.lead_times_s[0] == doctest::Approx(18 * kH));
  CHECK(f.true_stops == 1);
  CHECK(f.false_stops == 2);
  CHECK(f.false_stops_by_cause.at("sensor_fault") == 1);
  CHECK(f.false_stops_by_cause.at("degrading_early") == 1);
  CHECK(f.false_stops_by_cause.count("none") == 0);
  // Watched: A 1 h -> 82 h (81), B 1 -> 100 (99), C and D 1 -> 200 (199 each).
  CHECK(f.unit_years == doctest::Approx((81 + 99 + 199 + 199) * kH / (365.25 * kDay)));
  // The stops behind the figures, in unit then time order.
  REQUIRE(f.stops.size() == 3);
  CHECK((f.stops[0].unit == 0 && f.stops[0].true_stop && f.stops[0].t_s == 82 * kH));
  CHECK(
      (f.stops[1].unit == 2 && std::string(f.stops[1].cause) == "sensor_fault" && f.stops[1].t_s == 12 * kH));
  CHECK((f.stops[2].unit == 3 && std::string(f.stops[2].cause) == "degrading_early" &&
         f.stops[2].t_s == 52 * kH));
  CHECK(*f.recall() == doctest::Approx(0.5));
  CHECK(*f.false_stops_per_unit_year() == doctest::Approx(2 / f.unit_years));

  // Without the hold-off the drift stops C again after every three windows: 20 h of fault -> 6 stops.
  const StopFigures no_holdoff = evaluate_stops({&c}, {&wc}, {0.5, 3, 0.0}, 2 * kDay);
  CHECK(no_holdoff.false_stops == 6);
}

TEST_CASE("choose_threshold: the lowest candidate meeting the false-stop target") {
  const double inf = std::numeric_limits<double>::infinity();
  // Ten healthy units with a score peak of 0.1 * u, and one failing unit rising to 0.95.
  std::vector<UnitTruth> truths;
  std::vector<UnitWindows> ws;
  for (int u = 1; u <= 10; ++u) {
    truths.push_back({inf, 1000 * kH, inf});
    ws.push_back(hourly(999, [u](int h) { return h >= 500 && h < 505 ? 0.09 * u : 0.01; }));
  }
  truths.push_back({300 * kH, 300 * kH, 100 * kH});
  ws.push_back(hourly(299, [](int h) { return h >= 260 ? 0.95 : 0.01; }));  // 40 h before failure
  std::vector<const UnitTruth*> t;
  std::vector<const UnitWindows*> w;
  for (std::size_t i = 0; i < truths.size(); ++i) {
    t.push_back(&truths[i]);
    w.push_back(&ws[i]);
  }
  const StopRuleOptions rule{0.5, 1, 24 * kH};  // the hold-off makes each five-hour peak one stop
  // Unit-years: 10 x 998 h + 259 h (stopped at 260). Allowing 3 false stops' worth: units with peaks
  // 0.72, 0.81, 0.90 may stop, 0.63 may not -> the threshold is 0.72 (a peak value).
  const double years = (10 * 998 + 259) * kH / (365.25 * kDay);
  const ThresholdChoice c = choose_threshold(t, w, rule, 2 * kDay, 3.0 / years + 1e-9);
  CHECK(c.met_target);
  CHECK(c.threshold == doctest::Approx(0.72));
  CHECK(c.validation.false_stops == 3);
  CHECK(c.validation.caught == 1);
  // No false stop allowed: only 0.95 (above every healthy peak) meets it, and still catches the failure.
  const ThresholdChoice strict = choose_threshold(t, w, rule, 2 * kDay, 0.0);
  CHECK(strict.met_target);
  CHECK(strict.threshold == doctest::Approx(0.95));
  CHECK(strict.validation.false_stops == 0);
  // The same budget as the first, spent only where it catches more: 0.95 already catches the one
  // failure, so kFewestFalseStops keeps it and its zero false stops.
  const ThresholdChoice frugal =
      choose_threshold(t, w, rule, 2 * kDay, 3.0 / years + 1e-9, ThresholdRule::kFewestFalseStops);
  CHECK(frugal.met_target);
  CHECK(frugal.threshold == doctest::Approx(0.95));
  CHECK(frugal.validation.caught == 1);
  CHECK(frugal.validation.false_stops == 0);
}

TEST_CASE("roc_auc and quantile") {
  CHECK(*roc_auc({0.1, 0.2, 0.8, 0.9}, {0, 0, 1, 1}) == doctest::Approx(1.0));
  CHECK(*roc_auc({0.9, 0.8, 0.2, 0.1}, {0, 0, 1, 1}) == doctest::Approx(0.0));
  CHECK(*roc_auc({0.5, 0.5, 0.5, 0.5}, {0, 1, 0, 1}) == doctest::Approx(0.5));  // ties count half
  CHECK(*roc_auc({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1}) == doctest::Approx(0.75));
  CHECK_FALSE(roc_auc({0.1, 0.2}, {0, 0}).has_value());
  CHECK(*quantile({4, 1, 3, 2}, 0.5) == doctest::Approx(2.5));
  CHECK(*quantile({1, 2, 3, 4, 5}, 0.1) == doctest::Approx(1.4));  // type 7: 1 + 0.4 * (2 - 1)
  CHECK(*quantile({7}, 0.9) == 7);
  CHECK_FALSE(quantile({}, 0.5).has_value());
}
