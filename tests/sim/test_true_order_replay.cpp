#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "pipeline/reference_pipeline.hpp"
#include "sim/true_order_replay.hpp"

using namespace twinbed;

namespace {
pipeline::ReferencePipeline threshold_pipeline(int debounce) {
  pipeline::ReferencePipelineOptions o;
  o.detector = pipeline::DetectorKind::kThreshold;
  o.threshold.by_measurand["vibration_rms"] = {6.0, -1e9, 0.5};
  o.threshold.debounce_samples = debounce;
  pipeline::ReferencePipeline p(o);
  const std::vector<pipeline::SensorInfo> sensors = {{"edge-1", "vib", "vibration_rms", "mm/s", 0, 50, 1},
                                                     {"edge-2", "vib", "vibration_rms", "mm/s", 0, 50, 1}};
  const std::vector<std::string> devices = {"edge-1", "edge-2"};
  p.configure(sensors, devices);
  return p;
}

/// Device d's readings at 1 Hz for 200 s: 2 mm/s, with values over the limit at `high`.
std::vector<sim::ReplayReading> history(std::uint32_t d, std::vector<int> high) {
  std::vector<sim::ReplayReading> out;
  for (int k = 0; k < 200; ++k) {
    sim::ReplayReading r;
    r.record.device = d;
    r.record.sensor = d;
    r.record.boot = 3;
    r.record.seq = 1000 + static_cast<std::uint64_t>(k);
    r.record.device_time_s = k + 0.3;  // the device clock is off: the replay uses true times
    r.record.value = std::find(high.begin(), high.end(), k) != high.end() ? 9.0 : 2.0;
    r.true_time_s = k;
    out.push_back(r);
  }
  return out;
}
}  // namespace

TEST_CASE(
    "true-order replay: a shuffled history gives the raises of the physical order, tied to true readings") {
  auto readings = history(0, {50, 51, 52, 120, 121});
  const auto more = history(1, {70, 71});
  readings.insert(readings.end(), more.begin(), more.end());
  const std::vector<std::vector<pipeline::FieldDecl>> fields = {{{0, "vib", "mm/s"}}, {{1, "vib", "mm/s"}}};
  auto p = threshold_pipeline(2);  // two readings over the limit in a row raise
  const auto raises = sim::replay_in_true_order(p, readings, fields);
  REQUIRE(raises.size() == 3);
  CHECK(raises[0].sensor == 0);
  CHECK(raises[0].trigger_true_time_s == 51);  // the second reading over the limit
  CHECK(raises[0].seq == 1051);                // the identity it had on the wire
  CHECK(raises[0].boot == 3);
  CHECK(raises[1].sensor == 1);
  CHECK(raises[1].trigger_true_time_s == 71);
  CHECK(raises[2].trigger_true_time_s == 121);
  // Any arrival order of the same readings: the same raises (the replay sorts by true time).
  std::mt19937_64 gen(11);
  for (int k = 0; k < 5; ++k) {
    std::shuffle(readings.begin(), readings.end(), gen);
    auto fresh = threshold_pipeline(2);
    const auto again = sim::replay_in_true_order(fresh, readings, fields);
    REQUIRE(again.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(again[i].sensor == raises[i].sensor);
      CHECK(again[i].trigger_true_time_s == raises[i].trigger_true_time_s);
    }
  }
  // Fed the same readings in arrival order with device 0's readings 50..52 interleaved
  // with later ones, a debouncing detector would see no two in a row: the parity check's case.
  auto direct = threshold_pipeline(2);
  std::vector<pipeline::AlertEvent> alerts;
  int raised = 0;
  const std::vector<int> order = {49, 50, 60, 51, 61, 52, 62};
  for (int k : order) {
    pipeline::Record r = history(0, {50, 51, 52})[static_cast<std::size_t>(k)].record;
    pipeline::MessageInfo m;
    m.device = 0;
    alerts.clear();
    direct.ingest(m, std::span<const pipeline::Record>(&r, 1), k, alerts);
    raised += static_cast<int>(std::count_if(alerts.begin(), alerts.end(), [](const pipeline::AlertEvent& a) {
      return a.transition == pipeline::AlertTransition::kRaise;
    }));
  }
  CHECK(raised == 0);  // late records are skipped by the reference pipeline: the alert is lost
}
