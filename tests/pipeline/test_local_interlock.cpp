#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "pipeline/local_interlock.hpp"

using namespace twinbed::pipeline;

namespace {
std::vector<Record> run_of(std::uint32_t sensor, std::vector<double> values) {
  std::vector<Record> rs;
  std::uint64_t seq = 0;
  for (double v : values) {
    Record r;
    r.sensor = sensor;
    r.seq = seq++;
    r.device_time_s = static_cast<double>(r.seq);
    r.value = v;
    rs.push_back(r);
  }
  return rs;
}
}  // namespace

TEST_CASE("local interlock: trips on a debounced run, only offline when asked, latched until reset") {
  LocalInterlock il({{7, 3.0, 3, true}});
  std::vector<EdgeDecision> d;
  const auto spiky = run_of(7, {1.0, 9.0, 1.0, 9.0, 9.0, 1.0});  // never three in a row
  il.process(spiky, {0, 0.0, false}, d);
  CHECK(d.empty());
  const auto high = run_of(7, {4.0, 4.0, 4.0, 4.0});
  il.process(high, {0, 0.0, true}, d);  // online: the cloud decides
  CHECK(d.empty());
  il.process(high, {0, 0.0, false}, d);
  REQUIRE(d.size() == 1);
  CHECK(d[0].seq == 0);  // the run began while online: the first offline reading completes it
  CHECK(d[0].value == 4.0);
  il.process(high, {0, 0.0, false}, d);  // latched
  CHECK(d.size() == 1);
  il.reset(7);
  il.process(high, {0, 0.0, false}, d);
  CHECK(d.size() == 2);
}

TEST_CASE("local interlock: NaN and flagged readings break the run; other sensors are ignored") {
  LocalInterlock il({{1, 3.0, 2, false}});
  std::vector<EdgeDecision> d;
  auto rs = run_of(1, {5.0, std::nan(""), 5.0, 1.0});
  il.process(rs, {0, 0.0, true}, d);
  CHECK(d.empty());
  rs = run_of(1, {5.0, 5.0, 1.0});
  rs[1].status = DeviceStatus::kSensorFault;
  il.process(rs, {0, 0.0, true}, d);
  CHECK(d.empty());
  il.process(run_of(2, {9.0, 9.0, 9.0}), {0, 0.0, true}, d);
  CHECK(d.empty());
  il.process(run_of(1, {5.0, 5.0}), {0, 0.0, true}, d);  // `always`: online too
  CHECK(d.size() == 1);
}
