#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "pipeline/multivariate_stage.hpp"
#include "synthetic_data.hpp"

using namespace twinbed::pipeline;

namespace {

// Three sensors (registry indices 5, 7, 9) driven by one latent load L, each with its own noise.
struct Plant {
  twinbed::test::Gaussian g{17};
  Eigen::Vector3d row() {
    const double load = g.next();
    return {50 + 5 * load + 0.3 * g.next(), 20 + 4 * load + 0.3 * g.next(), 10 - 3 * load + 0.3 * g.next()};
  }
  Eigen::MatrixXd rows(int n) {
    Eigen::MatrixXd m(n, 3);
    for (int i = 0; i < n; ++i) m.row(i) = row().transpose();
    return m;
  }
};

const std::vector<std::uint32_t> kSensors = {5, 7, 9};

Record rec(std::uint32_t sensor, double t, double value) {
  Record r;
  r.sensor = sensor;
  r.device = sensor;
  r.device_time_s = t;
  r.value = value;
  r.seq = static_cast<std::uint64_t>(t);
  return r;
}

std::vector<MultivariateRow> add_row(MultivariateStage& s, double t, const Eigen::Vector3d& v) {
  std::vector<MultivariateRow> out;
  for (int j = 0; j < 3; ++j) {
    for (auto& r : s.add(rec(kSensors[static_cast<std::size_t>(j)], t, v(j)))) out.push_back(r);
  }
  return out;
}

MultivariateStageOptions trained_options(Plant& p) {
  MultivariateStageOptions o;
  o.sensors = kSensors;
  o.row_period_s = 1.0;
  o.max_row_lag = 2;
  o.training_rows = p.rows(400);
  o.monitor.pca.rule = ComponentRule::kFixed;
  o.monitor.pca.fixed_components = 1;
  return o;
}

}  // namespace

TEST_CASE("stage: a complete row is scored when its last member arrives") {
  Plant p;
  MultivariateStage s(trained_options(p));
  REQUIRE(s.trained());
  CHECK(s.monitor()->calibrated());
  CHECK(s.monitor()->calibration_rows() == 100);  // the last 25 % of 400
  const Eigen::Vector3d v = p.row();
  CHECK(s.add(rec(5, 100.2, v(0))).empty());  // jitter within the bucket: round(100.2) = 100
  CHECK(s.add(rec(7, 99.9, v(1))).empty());
  const auto rows = s.add(rec(9, 100.0, v(2)));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].bucket == 100);
  CHECK(rows[0].time_s == 100.0);
  CHECK(rows[0].missing == 0);
  CHECK(rows[0].trigger.sensor == 9);
  CHECK(rows[0].score.p_combined.has_value());
  CHECK(s.counters().rows_scored == 1);
  CHECK(s.counters().records_used == 3);
}

TEST_CASE("stage: a late member is imputed after max_row_lag buckets, then counted late") {
  Plant p;
  MultivariateStage s(trained_options(p));
  const Eigen::Vector3d v = p.row();
  s.add(rec(5, 101, v(0)));
  s.add(rec(7, 101, v(1)));  // sensor 9 of row 101 is late
  CHECK(add_row(s, 102, p.row()).size() == 1);
  const auto rows = add_row(s, 103, p.row());  // newest 103: 103 − 2 ≥ 101, row 101 is final
  REQUIRE(rows.size() == 2);
  // Row 101 is final as soon as the first record of row 103 arrives; row 103 when its last does.
  CHECK(rows[0].bucket == 101);
  CHECK(rows[0].missing == 1);
  CHECK(rows[0].top_sensor != 9);  // an imputed member is never the culprit
  CHECK(rows[1].bucket == 103);
  CHECK(rows[1].missing == 0);
  CHECK(s.counters().rows_incomplete == 1);
  CHECK(s.add(rec(9, 101, v(2))).empty());
  CHECK(s.counters().records_late == 1);
  CHECK(s.add(rec(9, 103, v(2))).empty());  // row 103 is final (complete) though above the watermark
  CHECK(s.counters().records_late == 2);
}

TEST_CASE("stage: skip policy, duplicates, strangers and bad values") {
  Plant p;
  auto o = trained_options(p);
  o.incomplete = IncompleteRows::kSkip;
  MultivariateStage s(o);
  const Eigen::Vector3d v = p.row();
  s.add(rec(5, 10, v(0)));
  s.add(rec(5, 10, v(0) + 1));  // duplicate: the first is kept
  CHECK(s.counters().records_duplicate == 1);
  s.add(rec(42, 10, 1.0));  // not a member
  CHECK(s.counters().records_ignored == 1);
  s.add(rec(7, 10, std::numeric_limits<double>::quiet_NaN()));
  Record bad = rec(7, 10, 1.0);
  bad.status = DeviceStatus::kSensorFault;
  s.add(bad);
  CHECK(s.counters().records_invalid == 2);
  add_row(s, 11, p.row());
  const auto rows = add_row(s, 12, p.row());
  REQUIRE(rows.size() == 1);  // row 12 only: row 10 was skipped
  CHECK(s.counters().rows_skipped == 1);
  CHECK(s.counters().rows_incomplete == 0);
  // flush() finalises what is open.
  s.add(rec(5, 13, v(0)));
  CHECK(s.flush().empty());
  CHECK(s.counters().rows_skipped == 2);
}

TEST_CASE("stage: a broken correlation alarms and names the sensor that broke it") {
  Plant p;
  MultivariateStage s(trained_options(p));
  Eigen::Vector3d v = p.row();
  v(1) += 2.0;  // b off by half its spread: each value is ordinary, the relation is not
  const auto rows = add_row(s, 200, v);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].score.alarm);
  CHECK(rows[0].score.q > rows[0].score.q_limit);
  CHECK(*rows[0].score.p_combined <= s.monitor()->epsilon());
  CHECK(rows[0].top_sensor == 7);
  CHECK(s.counters().rows_alarm == 1);
}

TEST_CASE("stage: learns on the training window, then freezes") {
  Plant p;
  MultivariateStageOptions o;
  o.sensors = kSensors;
  o.row_period_s = 2.0;
  o.max_row_lag = 3;
  o.training_start_s = 100;
  o.training_end_s = 600;     // buckets 50..299: 250 rows
  o.training_rows_max = 200;  // the bound: the last 50 are not learned
  o.monitor.pca.rule = ComponentRule::kFixed;
  o.monitor.pca.fixed_components = 1;
  MultivariateStage s(o);
  std::vector<MultivariateRow> scored;
  for (int k = 40; k < 400; ++k) {
    for (auto& r : add_row(s, 2.0 * k, p.row())) scored.push_back(r);
    if (k == 301) CHECK_FALSE(s.trained());  // bucket 299 final only when the newest is 302
  }
  CHECK(s.trained());
  CHECK(s.training_error().empty());
  CHECK(s.counters().rows_before_training == 10);
  CHECK(s.counters().rows_training == 200);
  CHECK(s.counters().rows_skipped == 50);
  REQUIRE(scored.size() == 100);  // buckets 300..399, the held ones included, in order
  CHECK(scored.front().bucket == 300);
  CHECK(scored.back().bucket == 399);
  CHECK(s.monitor()->fitted_rows() + s.monitor()->calibration_rows() == 200);
  // Normal rows: a handful of alarms at most (claimed ε = 1 %).
  int alarms = 0;
  for (const auto& r : scored) alarms += r.score.alarm;
  CHECK(alarms <= 5);
}

TEST_CASE("stage: too short a training window is reported, never thrown mid-stream") {
  Plant p;
  MultivariateStageOptions o;
  o.sensors = kSensors;
  o.training_start_s = 0;
  o.training_end_s = 4;  // 4 rows: fewer than m + 2 fitting rows
  MultivariateStage s(o);
  for (int k = 0; k < 20; ++k) add_row(s, k, p.row());
  CHECK_FALSE(s.trained());
  CHECK(s.training_error().find("needs at least") != std::string::npos);
  CHECK(s.counters().rows_untrained > 0);
  MultivariateStageOptions bad = o;
  bad.sensors = {5, 5};
  CHECK_THROWS_AS(MultivariateStage{bad}, std::invalid_argument);
}
