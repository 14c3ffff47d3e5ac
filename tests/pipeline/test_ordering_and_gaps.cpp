// Event-time ordering (reorder buffer, watermark, side output) and gap markers / filling.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "pipeline/gap_detector.hpp"
#include "pipeline/reorder_buffer.hpp"

using namespace twinbed::pipeline;

namespace {
Record rec(std::uint64_t seq, double t, double v = 0) {
  Record r;
  r.seq = seq;
  r.device_time_s = t;
  r.value = v;
  return r;
}
}  // namespace

TEST_CASE("reorder buffer: shuffled arrivals within the lateness come out in event-time order") {
  std::vector<Record> in;
  for (int i = 0; i < 1000; ++i) in.push_back(rec(static_cast<std::uint64_t>(i), i));
  std::mt19937 gen(7);
  // Shuffle within blocks of 20 readings (at most 19 s late) and allow 20 s.
  for (std::size_t b = 0; b < in.size(); b += 20)
    std::shuffle(in.begin() + static_cast<long>(b), in.begin() + static_cast<long>(b + 20), gen);
  ReorderBuffer buf(20.0, 1);
  std::vector<Record> out;
  for (const Record& r : in) CHECK(buf.push(r, out));
  CHECK(std::is_sorted(out.begin(), out.end(),
                       [](const Record& a, const Record& b) { return a.device_time_s < b.device_time_s; }));
  CHECK(out.size() + buf.held() == in.size());
  CHECK(buf.held() <= 21);  // at most the lateness' worth stays held at the end
}

TEST_CASE("reorder buffer: a record behind the watermark goes to the side output, never released") {
  ReorderBuffer buf(10.0, 1);
  std::vector<Record> out;
  for (int i = 0; i <= 100; ++i) REQUIRE(buf.push(rec(static_cast<std::uint64_t>(i), i), out));
  CHECK(buf.watermark_s(0) == doctest::Approx(90));
  const std::size_t released = out.size();
  CHECK(released == 91);                     // 0..90: the watermark passed them
  CHECK_FALSE(buf.push(rec(500, 50), out));  // a backlog record 50 s behind the newest
  CHECK(out.size() == released);
  CHECK(buf.push(rec(501, 95), out));  // late but within the lateness: placed in order
  CHECK(out.size() == released);
  CHECK(buf.push(rec(502, 106), out));  // the watermark moves to 96: 91..96 and the late 95 come out
  CHECK(out.size() == released + 7);
  CHECK(std::is_sorted(out.begin(), out.end(),
                       [](const Record& a, const Record& b) { return a.device_time_s < b.device_time_s; }));
}

TEST_CASE("gaps: one marker per hole with its missing readings; short holes filled linearly, flagged") {
  const SensorInfo s{"edge-01", "temp", "bearing_temp", "degC", 0, 160, 1.0};
  GapDetector g(GapOptions{true, 3.0, 10.0}, std::span<const SensorInfo>(&s, 1));
  std::vector<GapMarker> markers;
  std::vector<FilledValue> filled;
  for (int i = 0; i < 10; ++i) g.observe(rec(static_cast<std::uint64_t>(i), i, 10.0), markers, filled);
  g.observe(rec(10, 12, 12.0), markers, filled);  // 2 readings missing: 2 periods late, under 3: no gap
  CHECK(markers.empty());
  g.observe(rec(11, 18, 18.0), markers, filled);  // 13..17 missing: 5 readings
  REQUIRE(markers.size() == 1);
  CHECK(markers[0].missing_readings == 5);
  CHECK(markers[0].filled);
  REQUIRE(filled.size() == 5);
  for (const FilledValue& f : filled)
    CHECK(f.value == doctest::Approx(f.device_time_s));  // on the line 12→18
  g.observe(rec(12, 118, 0.0), markers, filled);         // 99 missing: too long to fill
  REQUIRE(markers.size() == 2);
  CHECK(markers[1].missing_readings == 99);
  CHECK_FALSE(markers[1].filled);
  CHECK(filled.size() == 5);
  Record agg = rec(13, 119, 1.0);
  agg.count = 10;  // an aggregate standing for 119..128
  g.observe(agg, markers, filled);
  g.observe(rec(14, 129, 1.0), markers, filled);
  CHECK(markers.size() == 2);  // the aggregate covers its readings: no gap
}
