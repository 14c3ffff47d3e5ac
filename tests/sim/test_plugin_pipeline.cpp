// Pipeline plugins (docs/plugins.md): the host adapter over the example
// plugin and the misbehaving test plugin (paths from the build), and the
// scenario keys and metric names of plugins.
#include <doctest/doctest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/metric_catalog.hpp"
#include "sim/plugin_pipeline.hpp"
#include "sim/scenario.hpp"

using namespace twinbed;
using nlohmann::json;

namespace {

std::vector<pipeline::SensorInfo> one_vibration_sensor() {
  return {{"edge-1", "vib", "vibration_rms", "mm/s", 0.0, 100.0, 1.0}};
}

/// A reading of sensor 0 on device 0, boot 0.
pipeline::Record record(std::uint64_t seq, double device_time_s, double value) {
  pipeline::Record r;
  r.seq = seq;
  r.device_time_s = device_time_s;
  r.value = value;
  return r;
}

/// Feeds `values` as consecutive readings seq first_seq... of sensor 0, one
/// message each; returns the alerts raised or cleared.
std::vector<pipeline::AlertEvent> feed(pipeline::CloudPipeline& p, const std::vector<double>& values,
                                       std::uint64_t first_seq) {
  std::vector<pipeline::AlertEvent> all, alerts;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const pipeline::Record r = record(first_seq + i, static_cast<double>(first_seq + i), values[i]);
    alerts.clear();
    p.ingest(pipeline::MessageInfo{}, std::span<const pipeline::Record>(&r, 1),
             static_cast<double>(first_seq + i), alerts);
    all.insert(all.end(), alerts.begin(), alerts.end());
  }
  return all;
}

/// A healthy signal: 10 mm/s with a deterministic wobble of ±0.5.
std::vector<double> healthy(std::size_t n, std::size_t phase) {
  std::vector<double> v;
  for (std::size_t i = 0; i < n; ++i)
    v.push_back(10.0 + 0.5 * std::sin(0.7 * static_cast<double>(i + phase)));
  return v;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const sim::PluginError& e) {
    return e.what();
  }
  FAIL("no PluginError");
  return "";
}

}  // namespace

TEST_CASE("plugin: the rolling-median example ignores spikes, raises on a shift, drops duplicates") {
  auto lib = sim::open_plugin(TWINBED_TEST_ROLLING_MEDIAN);
  CHECK(sim::plugin_name(*lib) == "rolling_median");
  auto p = sim::make_plugin_pipeline(lib, R"({"window": 9, "baseline_samples": 101, "refresh_samples": 50})");
  const auto sensors = one_vibration_sensor();
  const std::vector<std::string> devices{"edge-1"};
  p->configure(sensors, devices);

  std::uint64_t seq = 0;
  CHECK(feed(*p, healthy(200, 0), seq).empty());
  seq += 200;
  // Four consecutive spikes (under half the window): the median does not move.
  CHECK(feed(*p, {60, 60, 60, 60}, seq).empty());
  seq += 4;
  CHECK(feed(*p, healthy(20, seq), seq).empty());
  seq += 20;
  // A duplicate of a reading already seen is dropped, whatever its value.
  CHECK(feed(*p, {90}, seq - 1).empty());
  // A sustained shift: the fifth shifted reading moves the median of nine.
  const auto raised = feed(*p, std::vector<double>(10, 30.0), seq);
  REQUIRE(raised.size() == 1);
  CHECK(raised[0].transition == pipeline::AlertTransition::kRaise);
  CHECK(raised[0].seq == seq + 4);
  CHECK(raised[0].kind == pipeline::AlertKind::kProcess);
  CHECK(raised[0].severity == pipeline::Severity::kCritical);  // |z| far beyond 2 z_raise
  CHECK(raised[0].score > 12.0);
  seq += 10;
  const auto cleared = feed(*p, healthy(20, seq), seq);
  REQUIRE(cleared.size() == 1);
  CHECK(cleared[0].transition == pipeline::AlertTransition::kClear);
  CHECK(cleared[0].seq == seq + 4);  // the baseline was frozen: normal again once the median is
  seq += 20;

  std::vector<pipeline::AlertEvent> tail;
  p->finish(1e6, tail);
  CHECK(tail.empty());
  const auto c = p->counters();
  CHECK(c.at("records_in") == seq + 1);
  CHECK(c.at("duplicates_dropped") == 1);
  CHECK(c.at("accepted") == seq);
  CHECK(c.at("spikes_ignored") == 8);  // the four spikes, and the shift's first four readings
  CHECK(c.at("alerts_raised") == 1);
  CHECK(c.at("alerts_cleared") == 1);
}

TEST_CASE("plugin: the example rejects flagged, non-finite and out-of-range readings by reason") {
  auto p = sim::make_plugin_pipeline(sim::open_plugin(TWINBED_TEST_ROLLING_MEDIAN), "{}");
  const auto sensors = one_vibration_sensor();
  const std::vector<std::string> devices{"edge-1"};
  p->configure(sensors, devices);
  std::vector<pipeline::Record> records(4);
  for (std::uint64_t i = 0; i < 4; ++i) records[i] = record(i, 0.0, 10.0);
  records[0].status = pipeline::DeviceStatus::kSensorFault;
  records[1].value = std::nan("");
  records[2].value = -9999.0;  // a sentinel is out of the range too
  std::vector<pipeline::AlertEvent> alerts;
  p->ingest(pipeline::MessageInfo{}, records, 0.0, alerts);
  const auto c = p->counters();
  CHECK(c.at("rejected.device_flagged") == 1);
  CHECK(c.at("rejected.not_finite") == 1);
  CHECK(c.at("rejected.out_of_range") == 1);
  CHECK(c.at("accepted") == 1);
}

TEST_CASE("plugin: a misbehaving plugin is an error naming it, not a crash") {
  const auto lib = sim::open_plugin(TWINBED_TEST_BROKEN_PLUGIN);
  const auto sensors = one_vibration_sensor();
  const std::vector<std::string> devices{"edge-1"};
  const pipeline::Record r = record(7, 1.0, 10.0);
  std::vector<pipeline::AlertEvent> alerts;
  auto run = [&](const std::string& mode) {
    auto p = sim::make_plugin_pipeline(lib, json(mode).dump());
    p->configure(sensors, devices);
    p->ingest(pipeline::MessageInfo{}, std::span<const pipeline::Record>(&r, 1), 1.0, alerts);
    p->finish(2.0, alerts);
    (void)p->counters();
  };
  CHECK(error_of([&] { run("unknown_sensor"); }).find("pipeline plugin \"broken\"") == 0);
  CHECK(error_of([&] { run("unknown_sensor"); }).find("raised an alert for sensor 4000000000") !=
        std::string::npos);
  CHECK(error_of([&] { run("foreign_record"); }).find("not in the message it was given") !=
        std::string::npos);
  CHECK(error_of([&] { run("raise_in_finish"); }).find("finish() has no record") != std::string::npos);
  CHECK(error_of([&] { run("bad_counter"); }).find("\"no spaces allowed\"") != std::string::npos);
  CHECK(error_of([&] { run("fail_ingest"); }).find("ingest() failed: ingest failed on purpose") !=
        std::string::npos);
  CHECK(error_of([&] { run("refuse"); }).find("refused its configuration") != std::string::npos);
  alerts.clear();
  run("well_behaved");  // no misbehaviour chosen: it runs
  CHECK(alerts.empty());
}

TEST_CASE("plugin: loading checks the file, the entry point and the ABI version") {
  CHECK(error_of([] { sim::open_plugin("/nonexistent/libx.so"); }).find("no such file") != std::string::npos);
  CHECK(error_of([] {
          sim::open_plugin(TWINBED_TEST_NO_ENTRY_PLUGIN);
        }).find("exports no entry point twinbed_pipeline_plugin_v1") != std::string::npos);
  CHECK(error_of([] { sim::open_plugin(TWINBED_TEST_ABI_PLUGIN); }).find("ABI version 999") !=
        std::string::npos);
}

TEST_CASE("plugin: scenario keys and the pipeline.plugin.* metric names") {
  json doc = json::parse(R"({
    "twinbed": 1, "name": "t", "duration_s": 600,
    "assets": [{"id": "pump-1", "model": "pump"}], "gateways": [{"id": "gw-1"}],
    "devices": [{"id": "edge-1", "gateway": "gw-1",
                 "sensors": [{"id": "vib", "asset": "pump-1", "signal": "vibration_rms"}]}]
  })");
  doc["pipeline"] = {{"name", "mine"},
                     {"plugin", {{"path", TWINBED_TEST_ROLLING_MEDIAN}, {"config", {{"z_raise", 5}}}}}};
  doc["expect"] = {{"pipeline.plugin.spikes_ignored", {{"min", 1}}}};
  const sim::Scenario sc = sim::parse_scenario(doc.dump(), "case.json");
  REQUIRE(sc.pipeline.plugin.has_value());
  CHECK(sc.pipeline.plugin->path == TWINBED_TEST_ROLLING_MEDIAN);
  CHECK(sc.pipeline.plugin->config_json == R"({"z_raise":5})");

  json bad = doc;
  bad["pipeline"]["detector"] = {{"kind", "ewma_zscore"}};
  bad["compare_pipelines"] = {{{"name", "x"}, {"plugin", {{"path", "libnone.so"}}}}};
  std::string msg;
  try {
    sim::parse_scenario(bad.dump(), "case.json");
  } catch (const sim::ScenarioError& e) {
    msg = e.what();
  }
  CHECK(msg.find("$.pipeline.detector: expected no detector beside a plugin") != std::string::npos);
  CHECK(msg.find("$.compare_pipelines[0].plugin.path: expected a twinbed pipeline plugin") !=
        std::string::npos);
  CHECK(msg.find("libnone.so: no such file") != std::string::npos);

  CHECK(analysis::is_known_metric("pipeline.plugin.spikes_ignored"));
  CHECK(analysis::is_known_metric("pipeline.plugin.rejected.out_of_range"));
  CHECK_FALSE(analysis::is_known_metric("pipeline.plugin."));
  CHECK_FALSE(analysis::is_known_metric("pipeline.plugin.a b"));
  CHECK_FALSE(analysis::is_known_metric("pipeline.spikes_ignored"));
}
