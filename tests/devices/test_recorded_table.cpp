#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include "devices/recorded_table.hpp"

using namespace twinbed::devices;

namespace {
/// Rows at 10, 20, 30 s; column "x" = 1, 3, 7 and "y" = -1, -2, -3.
std::shared_ptr<const RecordedTable> three_rows() {
  auto t = std::make_shared<RecordedTable>();
  t->source = "three_rows";
  t->names = {"x", "y"};
  t->time_s = {10, 20, 30};
  t->columns = {{1, 3, 7}, {-1, -2, -3}};
  return t;
}

double at(RecordedSignal& s, double t_s) {
  const auto v = s.value_at(t_s);
  REQUIRE(v.has_value());
  return *v;
}
}  // namespace

TEST_CASE("recorded table: columns by name, ranges, and the time base check") {
  auto t = three_rows();
  CHECK(t->column_index("y") == 1u);
  CHECK_FALSE(t->column_index("z").has_value());
  CHECK(t->column_range(0) == std::pair<double, double>{1, 7});
  CHECK_FALSE(t->check_time_base().has_value());
  RecordedTable bad = *t;
  bad.time_s = {10, 20, 20};
  CHECK(bad.check_time_base() == 2u);  // equal times are not increasing
  bad.time_s = {10, 5, 30};
  CHECK(bad.check_time_base() == 1u);
  bad.time_s = {10, NAN, 30};
  CHECK(bad.check_time_base() == 1u);
}

TEST_CASE("recorded signal: hold keeps the last row at or before the time") {
  RecordedSignal s(three_rows(), 0, {Interpolation::kHold, PastEnd::kHoldLast, 0.0});
  CHECK(at(s, 0) == 1);  // before the first row: the first value
  CHECK(at(s, 10) == 1);
  CHECK(at(s, 19.999) == 1);
  CHECK(at(s, 20) == 3);
  CHECK(at(s, 29.9) == 3);
  CHECK(at(s, 30) == 7);
  CHECK(at(s, 1e6) == 7);  // hold_last
  // A time computed in floating point a hair below its row counts as the row.
  CHECK(at(s, 20 - 1e-9) == 3);
  CHECK(at(s, 20 - 1e-3) == 1);
}

TEST_CASE("recorded signal: linear interpolates between rows, exact on rows") {
  RecordedSignal s(three_rows(), 0, {Interpolation::kLinear, PastEnd::kHoldLast, 0.0});
  CHECK(at(s, 5) == 1);
  CHECK(at(s, 10) == 1);
  CHECK(at(s, 15) == doctest::Approx(2.0).epsilon(1e-12));
  CHECK(at(s, 20) == 3);
  CHECK(at(s, 22.5) == doctest::Approx(4.0).epsilon(1e-12));
  CHECK(at(s, 30) == 7);
  CHECK(at(s, 31) == 7);
}

TEST_CASE("recorded signal: the time offset shifts the recording into the run") {
  // Recording time τ plays at τ + 100: row 10 s at 110 s.
  RecordedSignal s(three_rows(), 1, {Interpolation::kHold, PastEnd::kHoldLast, 100.0});
  CHECK(at(s, 50) == -1);
  CHECK(at(s, 119) == -1);
  CHECK(at(s, 120) == -2);
  CHECK(s.end_s() == 130);
  RecordedSignal early(three_rows(), 1, {Interpolation::kLinear, PastEnd::kHoldLast, -10.0});
  CHECK(at(early, 5) == doctest::Approx(-1.5).epsilon(1e-12));  // τ = 15
}

TEST_CASE("recorded signal: a stopped source has no value past its end") {
  RecordedSignal s(three_rows(), 0, {Interpolation::kHold, PastEnd::kStop, 0.0});
  CHECK(at(s, 30) == 7);
  CHECK(at(s, 30 + 1e-9) == 7);  // within the row match
  CHECK_FALSE(s.value_at(30.001).has_value());
  CHECK_FALSE(s.value_at(1e6).has_value());
  Eigen::ArrayXd times(5), out;
  times << 10, 20, 30, 40, 50;
  RecordedSignal batch(three_rows(), 0, {Interpolation::kHold, PastEnd::kStop, 0.0});
  CHECK(batch.evaluate(times, out) == 3);
  CHECK(out(0) == 1);
  CHECK(out(2) == 7);
  RecordedSignal held(three_rows(), 0, {Interpolation::kHold, PastEnd::kHoldLast, 0.0});
  CHECK(held.evaluate(times, out) == 5);
  CHECK(out(4) == 7);
}

TEST_CASE("recorded signal: the cursor walks forward and recovers when asked an earlier time") {
  auto t = std::make_shared<RecordedTable>();
  t->names = {"ramp"};
  for (int r = 0; r < 1000; ++r) {
    t->time_s.push_back(2.0 * r);
    t->columns.resize(1);
    t->columns[0].push_back(r);
  }
  RecordedSignal s(t, 0, {Interpolation::kLinear, PastEnd::kHoldLast, 0.0});
  // Forward, then back: the value is a pure function of time whatever the order.
  for (double x : {0.0, 1.0, 999.0, 1500.5, 3.0, 1998.0, 0.5, 1997.0})
    CHECK(at(s, x) == doctest::Approx(std::min(x / 2.0, 999.0)).epsilon(1e-12));
}

TEST_CASE("recorded signal: an empty recording or a missing column is refused") {
  auto empty = std::make_shared<RecordedTable>();
  empty->names = {"x"};
  empty->columns = {{}};
  CHECK_THROWS_AS(RecordedSignal(empty, 0, {}), std::invalid_argument);
  CHECK_THROWS_AS(RecordedSignal(three_rows(), 2, {}), std::invalid_argument);
}
