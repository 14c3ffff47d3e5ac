#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/scenario.hpp"
#include "sim/topology.hpp"

using namespace twinbed::sim;
using nlohmann::json;

namespace {
json base() {
  return json::parse(R"({
    "twinbed": 1, "name": "t", "duration_s": 600,
    "assets": [{"id": "pump-{i}", "count": 2, "model": "pump"}],
    "gateways": [{"id": "gw-1"}],
    "devices": [{"id": "edge-{i}", "count": 2, "gateway": "gw-1",
                 "sensors": [{"id": "vib", "asset": "pump-{i}", "signal": "vibration_rms"}]}],
    "faults": [{"id": "emi", "kind": "emi_spikes", "target": "edge-*/vib", "rate_per_hour": 2,
                "amplitude": {"law": "laplace", "scale": 3}}],
    "expect": {"recall": {"min": 1}}
  })");
}

/// The error text for a scenario that must be rejected.
std::string rejection(const json& doc) {
  try {
    parse_scenario(doc.dump(), "case.json");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  FAIL("the scenario was accepted");
  return "";
}
}  // namespace

TEST_CASE("validation: the base scenario loads and expands its templates") {
  const Scenario sc = parse_scenario(base().dump(), "case.json");
  REQUIRE(sc.devices.size() == 2);
  CHECK(sc.devices[1].id == "edge-2");
  CHECK(sc.devices[1].sensors[0].asset == "pump-2");
  CHECK(sc.faults[0].targets == std::vector<std::string>{"edge-1/vib", "edge-2/vib"});
}

TEST_CASE("validation: unknown keys are errors, with the path and a hint") {
  json doc = base();
  doc["devices"][0]["publish_intervall_s"] = 5;
  const std::string msg = rejection(doc);
  CHECK(msg.find("case.json: $.devices[0].publish_intervall_s: unknown key") != std::string::npos);
  CHECK(msg.find("did you mean \"publish_interval_s\"") != std::string::npos);
}

TEST_CASE("validation: wrong types name what was expected and what was found") {
  json doc = base();
  doc["devices"][0]["sensors"][0]["rate_hz"] = "fast";
  const std::string msg = rejection(doc);
  CHECK(msg.find("$.devices[0].sensors[0].rate_hz: expected a number in (0, 10000]") != std::string::npos);
  CHECK(msg.find("found string \"fast\"") != std::string::npos);
}

TEST_CASE("validation: negative rates and probabilities are rejected") {
  json doc = base();
  doc["faults"][0]["rate_per_hour"] = -2;
  CHECK(rejection(doc).find("$.faults[0].rate_per_hour: expected a number in [0, 1e+06], found number -2") !=
        std::string::npos);
  json loss = base();
  loss["faults"].push_back(
      {{"id", "l"}, {"kind", "packet_loss"}, {"target", "edge-1"}, {"probability", 1.5}});
  CHECK(rejection(loss).find("$.faults[1].probability: expected a number in [0, 1], found number 1.5") !=
        std::string::npos);
}

TEST_CASE("validation: dangling references are errors") {
  json doc = base();
  doc["devices"][0]["sensors"][0]["asset"] = "pump-9";
  CHECK(rejection(doc).find("\"pump-9\", which does not exist") != std::string::npos);
  json gw = base();
  gw["devices"][0]["gateway"] = "gw-7";
  CHECK(rejection(gw).find("\"gw-7\", which does not exist") != std::string::npos);
  json target = base();
  target["faults"][0]["target"] = "pump-*/vib";
  CHECK(rejection(target).find("$.faults[0].target: expected a target matching at least one sensor") !=
        std::string::npos);
}

TEST_CASE("validation: unknown metrics in expect, bad versions, bad JSON, bad enums") {
  json doc = base();
  doc["expect"]["recal"] = {{"min", 1}};
  CHECK(rejection(doc).find("$.expect.recal: expected a metric name") != std::string::npos);
  json v = base();
  v["twinbed"] = 2;
  CHECK(rejection(v).find("$.twinbed: expected format version 1, found number 2") != std::string::npos);
  json e = base();
  e["devices"][0]["buffer"] = {{"overflow", "drop_random"}};
  CHECK(rejection(e).find("expected one of \"drop_oldest\", \"drop_newest\", \"downsample\", \"aggregate\", "
                          "found string \"drop_random\"") != std::string::npos);
  try {
    parse_scenario("{\n  \"twinbed\": 1,\n  \"name\": \"x\"\n  \"duration_s\": 5\n}", "broken.json");
    FAIL("accepted broken JSON");
  } catch (const ScenarioError& err) {
    CHECK(std::string(err.what()).find("broken.json: line 4") != std::string::npos);
  }
}

TEST_CASE("validation: every error is reported, not just the first") {
  json doc = base();
  doc["duration_s"] = -1;
  doc["gateways"][0]["backhaul"] = {{"latency_s", -0.1}};
  doc["devices"][0]["colour"] = "red";
  const ScenarioError* caught = nullptr;
  try {
    parse_scenario(doc.dump(), "case.json");
  } catch (const ScenarioError& e) {
    CHECK(e.errors().size() == 3);
    caught = &e;
  }
  CHECK(caught != nullptr);
}

TEST_CASE("templates: id patterns, widths and integer division") {
  CHECK(expand_id("pump-{i}", 7) == "pump-7");
  CHECK(expand_id("pump-{i:03}", 7) == "pump-007");
  CHECK(expand_id("gw-{i/100}", 1) == "gw-1");
  CHECK(expand_id("gw-{i/100}", 100) == "gw-1");
  CHECK(expand_id("gw-{i/100:02}", 101) == "gw-02");
  CHECK_FALSE(expand_id("pump-{j}", 1).has_value());
  CHECK_FALSE(expand_id("pump-{i", 1).has_value());
  CHECK_FALSE(expand_id("pump-{i/0}", 1).has_value());
}

TEST_CASE("templates: a 10 000-device plant is a few lines") {
  json doc = base();
  doc["assets"][0]["count"] = 10000;
  doc["devices"][0]["count"] = 10000;
  const Scenario sc = parse_scenario(doc.dump(), "case.json");
  CHECK(sc.devices.size() == 10000);
  CHECK(sc.sensor_count() == 10000);
  CHECK(sc.faults[0].targets.size() == 10000);
}

TEST_CASE("topology: routes follow the graph from device to broker") {
  json doc = base();
  doc["gateways"][0]["backhaul"] = {{"latency_s", 0.03}, {"bandwidth_bps", 1e6}};
  doc["devices"][0]["link"] = {{"latency_s", 0.01}, {"bandwidth_bps", 1e5}};
  doc["broker"] = {{"link", {{"latency_s", 0.002}}}};
  const Scenario sc = parse_scenario(doc.dump(), "case.json");
  const Topology topo(sc);
  const Vertex dev = topo.vertex("edge-2");
  const auto path = topo.path_to_core(dev);
  REQUIRE(path.size() == 2);
  CHECK(topo.graph()[path[0]].name == "link:edge-2");
  CHECK(topo.graph()[path[1]].name == "backhaul:gw-1");
  CHECK(topo.latency_to_broker_s(dev) == doctest::Approx(0.042));
  CHECK(topo.devices_per_gateway().at("gw-1") == 2);
}

TEST_CASE("validation: holes found in review stay closed") {
  // A duplicated key is an error, not "last one wins".
  CHECK_THROWS_WITH_AS(parse_scenario(R"({"twinbed": 1, "duration_s": 5, "duration_s": 6})", "dup.json"),
                       doctest::Contains("the key \"duration_s\" appears twice"), ScenarioError);
  // z_raise below the default z_clear: an error naming both, never a crash.
  json z = base();
  z["pipeline"] = {{"detector", {{"kind", "ewma_zscore"}, {"z_raise", 2.5}}}};
  CHECK(rejection(z).find("$.pipeline.detector.z_clear: expected a value <= z_raise = 2.5") !=
        std::string::npos);
  // Ranges drawn per asset obey the same bounds as plain numbers.
  json d = base();
  d["assets"][0]["degradation"] = {{"onset_s", 10}, {"time_to_failure_s", {0, 0}}};
  CHECK(rejection(d).find("$.assets[0].degradation.time_to_failure_s: expected a number or [lo, hi]") !=
        std::string::npos);
  // A misspelled metric in a family is as unknown as any other.
  json m = base();
  m["expect"]["pipeline.duplicate_dropped"] = {{"max", 0}};
  CHECK(rejection(m).find("$.expect.pipeline.duplicate_dropped: expected a metric name") !=
        std::string::npos);
  json ok = base();
  ok["expect"]["pipeline.duplicates_dropped"] = {{"max", 0}};
  ok["expect"]["false_positives.attributed.emi_spike"] = {{"max", 0}};
  CHECK_NOTHROW(parse_scenario(ok.dump(), "case.json"));
}

TEST_CASE("validation: the publish phase grid is below the publish interval, and 0.1 s by default") {
  CHECK(parse_scenario(base().dump(), "case.json").devices[0].publish_phase_grid_s == 0.1);
  json g = base();
  g["devices"][0]["publish_interval_s"] = 5;
  g["devices"][0]["publish_phase_grid_s"] = 5;
  CHECK(rejection(g).find("$.devices[0].publish_phase_grid_s: expected a grid below publish_interval_s") !=
        std::string::npos);
  g["devices"][0]["publish_phase_grid_s"] = -1;
  CHECK(rejection(g).find("$.devices[0].publish_phase_grid_s: expected a number") != std::string::npos);
  g["devices"][0]["publish_phase_grid_s"] = 0;
  CHECK(parse_scenario(g.dump(), "case.json").devices[1].publish_phase_grid_s == 0);
}

TEST_CASE("validation: adversarial inputs are errors (exit 2), never crashes, hangs or silent wraps") {
  // A number that overflows a double.
  CHECK_THROWS_WITH_AS(parse_scenario(R"({"twinbed": 1, "duration_s": 1e400})", "big.json"),
                       doctest::Contains("not valid JSON"), ScenarioError);
  auto rejects = [](const std::function<void(json&)>& edit, const std::string& expected) {
    json doc = base();
    edit(doc);
    const std::string msg = rejection(doc);
    CHECK_MESSAGE(msg.find(expected) != std::string::npos, msg);
  };
  rejects([](json& d) { d["devices"][0]["count"] = 1e15; },
          "$.devices[0].count: expected an integer in [1, 1e+06]");
  rejects(
      [](json& d) {
        d["devices"][0]["mqtt"] = {{"max_attempts", 1e10}};
      },
      "max_attempts: expected an integer in [0, 1e+06]");
  rejects(
      [](json& d) {
        d["devices"][0]["buffer"] = {{"capacity_records", 1e20}};
      },
      "capacity_records: expected an integer");
  rejects(
      [](json& d) {
        d["devices"][0]["mqtt"] = {{"ack_timeout_s", 1e-20}};
      },
      "ack_timeout_s: expected a number in [0.001");
  rejects([](json& d) { d["duration_s"] = 1e300; }, "$.duration_s: expected a number in (0, 1e+08]");
  rejects([](json& d) { d["faults"][0]["rate_per_hour"] = 1e300; },
          "rate_per_hour: expected a number in [0, 1e+06]");
  rejects([](json& d) { d["faults"][0]["target"] = ""; },
          "$.faults[0].target: expected a non-empty id or pattern");
  rejects([](json& d) { d["devices"][0]["sensors"][0]["id"] = "b/c"; },
          "$.devices[0].sensors[0].id: expected an id of letters");
  rejects([](json& d) { d["gateways"][0]["id"] = ""; }, "$.gateways[0].id: expected an id of letters");
  rejects([](json& d) { d["devices"] = json::array(); }, "$.devices: expected at least one device");
  rejects([](json& d) { d["devices"][0]["id"] = "edge-{i}}"; }, "$.devices[0].id: expected a pattern like");
  CHECK_FALSE(expand_id("edge-{i/ 2}", 3).has_value());
  CHECK_FALSE(expand_id("edge-{i: 3}", 3).has_value());
  CHECK(expand_id(std::string(100000, 'x') + "{i}", 3)->size() == 100001);  // long input: no deep recursion
}

TEST_CASE("value faults: every kind loads, with laws, episodes and selectors") {
  json doc = base();
  doc["faults"] = json::array();
  auto add = [&](json f) {
    f["id"] = "f" + std::to_string(doc["faults"].size());
    if (!f.contains("target")) f["target"] = "edge-1/vib";
    doc["faults"].push_back(f);
  };
  add({{"kind", "offset"}, {"bias", 1.5}});
  add({{"kind", "gain"}, {"gain", -0.05}});
  add({{"kind", "drift"}, {"rate_per_day", 2}, {"hold_after_end", true}, {"end_s", 300}});
  add({{"kind", "random_walk_drift"}, {"sigma_per_sqrt_hour", 0.6}});
  add({{"kind", "gauss_markov_drift"}, {"sigma", 1}, {"tau_s", 600}});
  add({{"kind", "high_noise"},
       {"noise_std", 2},
       {"episodes",
        {{"rate_per_day", 4}, {"duration_s", {{"law", "lognormal"}, {"median", 60}, {"sigma", 1}}}}}});
  add({{"kind", "impulsive_noise"}, {"sigma", 1}, {"impulsive_index", 0.1}});
  add({{"kind", "emi_spikes"},
       {"rate_per_hour", 2},
       {"amplitude", {{"law", "pareto"}, {"x_m", 2}, {"alpha", 2}}}});
  add({{"kind", "emi_bursts"},
       {"bursts_per_hour", 1},
       {"amplitude", 4},
       {"coupled_to", {{"asset", "pump-2"}, {"load_above", 0.5}}}});
  add({{"kind", "current_loop_failure"}, {"direction", "high"}, {"conversion", "namur_ne43"}});
  add({{"kind", "quantisation"}, {"adc_bits", 8}});
  add({{"kind", "saturation"}, {"rail_lo", 0}, {"rail_hi", 3}});
  add({{"kind", "stuck_at"}, {"episodes", {{"rate_per_hour", 1}, {"duration_s", 120}}}});
  add({{"kind", "sentinel"}, {"code", "nan"}, {"probability", 0.01}});
  add({{"kind", "firmware_code_mapping"}, {"code_value", 4.2}});
  add({{"kind", "dropout"}, {"probability", [] { return json::array({0.01, 0.05}); }()}});
  add({{"kind", "offset"}, {"bias", 1}, {"target", {{"signal", "vibration_rms"}, {"device", "edge-*"}}}});
  const Scenario sc = parse_scenario(doc.dump(), "case.json");
  REQUIRE(sc.faults.size() == 17);
  CHECK(sc.faults[5].value.activity.stochastic);
  CHECK(sc.faults[5].value.activity.onset_rate_per_s == doctest::Approx(4.0 / 86400));
  CHECK(sc.faults[5].value.activity.duration.kind == twinbed::faults::LawKind::kLognormal);
  CHECK(sc.faults[9].value.current_ma == 21.0);
  CHECK_FALSE(sc.faults[9].value.naive_conversion);
  CHECK(sc.faults[15].value.probability >= 0.01);  // drawn from [0.01, 0.05] for this seed
  CHECK(sc.faults[15].value.probability <= 0.05);
  CHECK(sc.faults[16].targets == std::vector<std::string>{"edge-1/vib", "edge-2/vib"});
}

TEST_CASE("value faults: bad parameters name the path, what was expected and what was found") {
  auto rejects = [](json fault, const std::string& expected) {
    json doc = base();
    fault["id"] = "bad";
    if (!fault.contains("target")) fault["target"] = "edge-1/vib";
    doc["faults"] = json::array({fault});
    const std::string msg = rejection(doc);
    CHECK_MESSAGE(msg.find(expected) != std::string::npos, msg);
  };
  rejects({{"kind", "offset"}}, "$.faults[0].bias: expected a number or [lo, hi], found nothing");
  rejects({{"kind", "gain"}, {"gain", -1}}, "$.faults[0].gain: expected a number in (-1, 100]");
  rejects({{"kind", "sentinel"}, {"code", "-9998"}}, "$.faults[0].code: expected one of");
  rejects({{"kind", "stuck_at"}, {"episodes", {{"duration_s", 5}}}},
          "$.faults[0].episodes: expected exactly one of rate_per_hour, rate_per_day or up_s, found none");
  rejects({{"kind", "high_noise"},
           {"noise_std", 1},
           {"episodes", {{"rate_per_day", 1}, {"duration_s", {{"law", "gamma"}}}}}},
          "$.faults[0].episodes.duration_s.law: expected one of");
  rejects({{"kind", "emi_bursts"},
           {"bursts_per_hour", 1},
           {"amplitude", 1},
           {"coupled_to", {{"asset", "pump-9"}}}},
          "$.faults[0].coupled_to.asset: expected the id of an asset");
  rejects({{"kind", "dropout"}, {"probability", json::array({0.5, 0.1})}},
          "$.faults[0].probability: expected a number or [lo, hi] with lo <= hi");
  rejects({{"kind", "offset"}, {"bias", 1}, {"target", {{"signal", "pressure"}}}},
          "$.faults[0].target: expected a target matching at least one sensor");
  rejects({{"kind", "offset"}, {"bias", 1}, {"target", {{"area", "2"}}}},
          "$.faults[0].target.area: unknown key");
  rejects({{"kind", "saturation"}, {"rail_lo", 5}, {"rail_hi", 1}},
          "$.faults[0].rail_hi: expected a number above rail_lo");
}

TEST_CASE("swarm: enabled_probability draws each fault in or out per seed, reproducibly") {
  json doc = base();
  doc["faults"][0]["enabled_probability"] = 0.5;
  int enabled = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const Scenario a = parse_scenario(doc.dump(), "case.json", seed);
    const Scenario b = parse_scenario(doc.dump(), "case.json", seed);
    CHECK(a.faults[0].enabled == b.faults[0].enabled);
    enabled += a.faults[0].enabled;
  }
  CHECK(enabled > 70);  // Binomial(200, 0.5): sd 7
  CHECK(enabled < 130);
}

TEST_CASE("selectors: every sensor on a line, every device behind a gateway") {
  json doc = base();
  doc["assets"][0]["line"] = "line-{i}";
  doc["faults"] = json::array({json{{"id", "on-line-2"},
                                    {"kind", "offset"},
                                    {"bias", 1},
                                    {"target", {{"line", "line-2"}, {"signal", "vibration_rms"}}}},
                               json{{"id", "behind-gw"},
                                    {"kind", "packet_loss"},
                                    {"probability", 0.1},
                                    {"target", {{"gateway", "gw-1"}}}}});
  const Scenario sc = parse_scenario(doc.dump(), "case.json");
  CHECK(sc.assets[1].line == "line-2");
  CHECK(sc.faults[0].targets == std::vector<std::string>{"edge-2/vib"});
  CHECK(sc.faults[1].targets == std::vector<std::string>{"edge-1", "edge-2"});
  doc["assets"][0]["line"] = "line {i}";
  CHECK(rejection(doc).find("$.assets[0].line: expected an id or a pattern") != std::string::npos);
}

TEST_CASE("validation: protocols, gateways and per-device expectations") {
  // Every kind loads with its own keys; defaults are the documented ones.
  json ok = base();
  ok["devices"][0]["protocol"] = {
      {"kind", "lorawan"}, {"spreading_factor", 9}, {"confirmed", true}, {"rssi_dbm", {-120, -100}}};
  ok["gateways"][0]["lora"] = {{"capture", true}};
  ok["gateways"][0]["buffer"] = {{"capacity_records", 500}, {"overflow", "drop_newest"}};
  ok["expect"]["device.edge-1.largest_gap_readings"] = {{"max", 10}};
  const Scenario sc = parse_scenario(ok.dump(), "case.json");
  const ProtocolSpec& p = sc.devices[0].protocol;
  CHECK(p.name() == "lorawan");
  CHECK(p.data_rate == 3);  // SF9 in EU868
  CHECK(p.max_transmissions == 8);
  CHECK(p.channels == 3);
  CHECK(p.duty_cycle == doctest::Approx(0.01));
  CHECK(sc.devices[0].fire_and_forget() == false);
  CHECK(sc.gateways[0].lora.capture);
  CHECK(sc.gateways[0].buffer_capacity_records == 500);
  for (const char* kind : {"mqtt", "coap", "lte_m", "ble", "zigbee", "http"}) {
    json k = base();
    k["devices"][0]["protocol"] = {{"kind", kind}};
    CHECK_NOTHROW(parse_scenario(k.dump(), "case.json"));
  }
  json qos0 = base();
  qos0["devices"][0]["mqtt"] = {{"qos", 0}};
  CHECK(parse_scenario(qos0.dump(), "case.json").devices[0].fire_and_forget());

  // Another kind's key is an unknown key; bad values name the path.
  json e = base();
  e["devices"][0]["protocol"] = {{"kind", "ble"}, {"spreading_factor", 7}};
  CHECK(rejection(e).find("$.devices[0].protocol.spreading_factor: unknown key") != std::string::npos);
  e["devices"][0]["protocol"] = {{"kind", "lorawan"}, {"data_rate", 7}};
  CHECK(rejection(e).find("$.devices[0].protocol.data_rate") != std::string::npos);
  e["devices"][0]["protocol"] = {{"kind", "lorawan"}, {"region", "US915"}, {"spreading_factor", 12}};
  CHECK(rejection(e).find("spreading_factor") != std::string::npos);
  e["devices"][0]["protocol"] = {
      {"kind", "lorawan"}, {"region", "US915"}, {"data_rate", 0}, {"record_bytes", 12}};
  CHECK(rejection(e).find("does not fit the 11-byte payload") != std::string::npos);
  e["devices"][0]["protocol"] = {{"kind", "lorawan"}, {"data_rate", 2}, {"spreading_factor", 10}};
  CHECK(rejection(e).find("give data_rate or spreading_factor, not both") != std::string::npos);
  e["devices"][0]["protocol"] = {{"kind", "zigbee"}, {"frame_error_rate", 1.5}};
  CHECK(rejection(e).find("$.devices[0].protocol.frame_error_rate") != std::string::npos);
  e["devices"][0]["protocol"] = {{"kind", "wifi"}};
  CHECK(rejection(e).find("$.devices[0].protocol.kind") != std::string::npos);
  e["devices"][0]["protocol"] = {{"confirmed", true}};
  CHECK(rejection(e).find("$.devices[0].protocol.kind") != std::string::npos);
  json m = base();
  m["devices"][0]["mqtt"] = {{"qos", 3}};
  CHECK(rejection(m).find("$.devices[0].mqtt.qos") != std::string::npos);
  json g = base();
  g["gateways"][0]["buffer"] = {{"overflow", "downsample"}};  // gateways hold messages, not readings
  CHECK(rejection(g).find("$.gateways[0].buffer.overflow") != std::string::npos);
  json x = base();
  x["expect"]["device.edge-9.lost"] = {{"max", 0}};
  CHECK(rejection(x).find("device.<id>.<figure> with the id of a device") != std::string::npos);
  x["expect"] = {{"device.edge-1.no_such_figure", {{"max", 0}}}};
  CHECK(rejection(x).find("a metric name of the report") != std::string::npos);
  json b = base();
  b["faults"] = {{{"id", "cut"}, {"kind", "backhaul_outage"}, {"target", "gw-9"}, {"duration_s", 60}}};
  CHECK(rejection(b).find("a target matching at least one gateway") != std::string::npos);
  b["faults"][0]["target"] = "gw-*";
  CHECK_NOTHROW(parse_scenario(b.dump(), "case.json"));
}

TEST_CASE("validation: HTTP devices") {
  // Defaults are the model's (sim/net/http.hpp); every key is read.
  json d = base();
  d["devices"][0]["protocol"] = {{"kind", "http"}};
  const ProtocolSpec def = parse_scenario(d.dump(), "case.json").devices[0].protocol;
  CHECK(def.name() == "http");
  CHECK(def.http.tls == net::TlsVersion::kTls13);
  CHECK(def.http.keep_alive);
  CHECK(def.http.idle_timeout_s == 60.0);
  CHECK(def.http.max_attempts == 5);
  CHECK(def.http_server.error_probability == 0.0);
  CHECK(def.http_server.retry_after_s < 0.0);
  CHECK_FALSE(def.via_gateway());
  json ok = base();
  ok["devices"][0]["protocol"] = {{"kind", "http"},
                                  {"tls", "1.2"},
                                  {"keep_alive", false},
                                  {"idle_timeout_s", 75},
                                  {"max_requests_per_connection", 100},
                                  {"request_timeout_s", 10},
                                  {"max_attempts", 0},
                                  {"backoff_base_s", 0.5},
                                  {"backoff_factor", 3},
                                  {"backoff_cap_s", 20},
                                  {"server_time_s", 0.02},
                                  {"request_header_bytes", 250},
                                  {"response_bytes", 120},
                                  {"server_error_probability", 0.1},
                                  {"server_error_status", 429},
                                  {"retry_after_s", 7}};
  const Scenario sc = parse_scenario(ok.dump(), "case.json");
  const ProtocolSpec& p = sc.devices[0].protocol;
  CHECK(p.http.tls == net::TlsVersion::kTls12);
  CHECK_FALSE(p.http.keep_alive);
  CHECK(p.http.idle_timeout_s == 75.0);
  CHECK(p.http.max_requests_per_connection == 100);
  CHECK(p.http.request_timeout_s == 10.0);
  CHECK(p.http.max_attempts == 0);
  CHECK(p.http.backoff_base_s == 0.5);
  CHECK(p.http.backoff_factor == 3.0);
  CHECK(p.http.backoff_cap_s == 20.0);
  CHECK(p.http.server_time_s == doctest::Approx(0.02));
  CHECK(p.http.request_header_bytes == 250);
  CHECK(p.http.response_bytes == 120);
  CHECK(p.http_server.error_probability == doctest::Approx(0.1));
  CHECK(p.http_server.error_status == 429);
  CHECK(p.http_server.retry_after_s == 7.0);
  CHECK_FALSE(sc.devices[0].fire_and_forget());
  CHECK_FALSE(sc.devices[0].uses_mqtt());

  json e = base();
  e["devices"][0]["protocol"] = {{"kind", "http"}, {"tls", "1.1"}};
  CHECK(rejection(e).find("$.devices[0].protocol.tls") != std::string::npos);
  e["devices"][0]["protocol"] = {{"kind", "http"}, {"server_error_status", 404}};  // not retried
  CHECK(rejection(e).find("$.devices[0].protocol.server_error_status") != std::string::npos);
  e["devices"][0]["protocol"] = {{"kind", "http"}, {"server_error_probability", 2}};
  CHECK(rejection(e).find("$.devices[0].protocol.server_error_probability") != std::string::npos);
  e["devices"][0]["protocol"] = {{"kind", "http"}, {"backoff_factor", 0.5}};
  CHECK(rejection(e).find("$.devices[0].protocol.backoff_factor") != std::string::npos);
  e["devices"][0]["protocol"] = {{"kind", "http"}, {"confirmable", true}};  // CoAP's
  CHECK(rejection(e).find("$.devices[0].protocol.confirmable: unknown key") != std::string::npos);
  e["devices"][0]["protocol"] = {{"kind", "coap"}, {"tls", "1.3"}};  // HTTP's
  CHECK(rejection(e).find("$.devices[0].protocol.tls: unknown key") != std::string::npos);
}

TEST_CASE("validation: cloud workers, service-time laws and publish processes") {
  json ok = base();
  ok["cloud"] = {{"workers", 4},
                 {"max_batch_messages", 1},
                 {"service_time_s", {{"law", "exponential"}, {"mean", 0.05}}}};
  ok["devices"][0]["publish_process"] = "poisson";
  ok["expect"]["cloud.sojourn_s.mean"] = {{"max", 1}};
  ok["expect"]["broker.queue_depth.max"] = {{"max", 100}};
  const Scenario sc = parse_scenario(ok.dump(), "case.json");
  CHECK(sc.cloud.workers == 4);
  CHECK(sc.cloud.max_batch_messages == 1);
  REQUIRE(sc.cloud.service_time_s.has_value());
  CHECK(sc.cloud.service_time_s->mean() == doctest::Approx(0.05));
  CHECK(sc.devices[0].publish_poisson);
  CHECK_FALSE(parse_scenario(base().dump(), "case.json").devices[0].publish_poisson);  // periodic by default

  json e = base();
  e["cloud"] = {{"workers", 0}};
  CHECK(rejection(e).find("$.cloud.workers: expected an integer in [1, 1024]") != std::string::npos);
  e["cloud"] = {{"service_time_s", {{"law", "exponential"}}}};
  CHECK(rejection(e).find("$.cloud.service_time_s.mean") != std::string::npos);
  json p = base();
  p["devices"][0]["publish_process"] = "possion";
  CHECK(rejection(p).find("$.devices[0].publish_process") != std::string::npos);
}

TEST_CASE("validation: MQTT window, keep-alive and sessions") {
  json ok = base();
  ok["devices"][0]["mqtt"] = {{"max_inflight", 20}, {"keep_alive_s", 0}, {"clean_session", true}};
  const Scenario sc = parse_scenario(ok.dump(), "case.json");
  CHECK(sc.devices[0].mqtt.max_inflight == 20);
  CHECK(sc.devices[0].mqtt.keep_alive_s == 0.0);
  CHECK(sc.devices[0].mqtt.clean_session);
  const Scenario defaults = parse_scenario(base().dump(), "case.json");
  CHECK(defaults.devices[0].mqtt.max_inflight == 1);
  CHECK(defaults.devices[0].mqtt.keep_alive_s == 60.0);
  CHECK_FALSE(defaults.devices[0].mqtt.clean_session);
  json e = base();
  e["devices"][0]["mqtt"] = {{"max_inflight", 0}};
  CHECK(rejection(e).find("$.devices[0].mqtt.max_inflight") != std::string::npos);
  e["devices"][0]["mqtt"] = {{"clean_session", "yes"}};
  CHECK(rejection(e).find("$.devices[0].mqtt.clean_session") != std::string::npos);
}

TEST_CASE("validation: battery devices") {
  json ok = base();
  ok["devices"][0]["battery"] = {{"capacity_mah", 1000}, {"sleep_current_ua", 5}, {"cutoff_pct", 10}};
  ok["expect"]["energy.lifetime_days.min"] = {{"min", 365}};
  ok["expect"]["device.edge-1.lifetime_days"] = {{"min", 365}};
  const Scenario sc = parse_scenario(ok.dump(), "case.json");
  REQUIRE(sc.devices[0].battery.has_value());
  CHECK(sc.devices[0].battery->battery_mah == 1000.0);
  CHECK(sc.devices[0].battery->usable_mah() == doctest::Approx(900.0));
  CHECK_FALSE(parse_scenario(base().dump(), "case.json").devices[0].battery.has_value());  // mains powered
  json e = base();
  e["devices"][0]["battery"] = {{"capacity_mah", -1}};
  CHECK(rejection(e).find("$.devices[0].battery.capacity_mah") != std::string::npos);
  e["devices"][0]["battery"] = {{"tx_current_ma", 40}, {"tx_power_mw", 100}};
  CHECK(rejection(e).find("give tx_current_ma or tx_power_mw, not both") != std::string::npos);
  e["devices"][0]["battery"] = {{"capacity", 100}};
  CHECK(rejection(e).find("$.devices[0].battery.capacity: unknown key") != std::string::npos);
}

TEST_CASE("validation: a LoRaWAN gateway has one region, and its downlink settings exist there") {
  json e = base();
  e["devices"][0]["protocol"] = {{"kind", "lorawan"}};
  e["devices"][0]["count"] = 1;
  e["devices"].push_back(e["devices"][0]);
  e["devices"][1]["id"] = "us-1";
  e["devices"][1]["protocol"]["region"] = "US915";
  CHECK(rejection(e).find("gateway \"gw-1\": serves LoRaWAN devices of two regions (EU868 and US915)") !=
        std::string::npos);
  e["devices"].erase(1);
  e["gateways"][0]["lora"] = {{"rx2_data_rate", 10}};
  CHECK(
      rejection(e).find("gateway \"gw-1\".lora.rx2_data_rate: expected a downlink data rate of its devices' "
                        "region: EU868 has data rates 0..6, found number 10") != std::string::npos);
  e["gateways"][0]["lora"] = {{"rx2_data_rate", 3}};
  CHECK_NOTHROW(parse_scenario(e.dump(), "case.json"));
}

TEST_CASE("validation: compared pipelines need unique names, and expectations name one of them") {
  json good = base();
  good["pipeline"] = {{"name", "full"}};
  good["compare_pipelines"] = json::parse(
      R"([{"name": "naive", "detector": {"kind": "threshold", "limits": {"vibration_rms": {"high": 6}}}}])");
  good["expect"] = json::parse(R"({"pipelines.naive.false_positives.per_day": {"max": 10},
                                   "pipelines.full.recall": {"min": 1}})");
  const Scenario ok = parse_scenario(good.dump(), "case.json");
  CHECK(ok.pipeline.name == "full");
  REQUIRE(ok.compare_pipelines.size() == 1);
  CHECK(ok.compare_pipelines[0].name == "naive");
  CHECK(ok.compare_pipelines[0].options.detector == twinbed::pipeline::DetectorKind::kThreshold);

  json doc = base();
  doc["compare_pipelines"] =
      json::parse(R"([{"name": "reference"}, {"detector": {"kind": "ewma_zscore"}}, {"name": "a.b"}])");
  doc["expect"] = json::parse(R"({"pipelines.nave.recall": {"min": 1}})");
  const std::string msg = rejection(doc);
  CHECK(msg.find("$.compare_pipelines[0].name: expected a name no other pipeline of the scenario has, found "
                 "\"reference\" (twice)") != std::string::npos);
  CHECK(msg.find("$.compare_pipelines[1].name: expected a name for the compared pipeline") !=
        std::string::npos);
  CHECK(msg.find("$.compare_pipelines[2].name: expected a name of letters, digits") != std::string::npos);
  CHECK(msg.find("$.expect.pipelines.nave.recall: expected pipelines.<name>.<figure> with the name of "
                 "$.pipeline (\"reference\")") != std::string::npos);
}

TEST_CASE("validation: a calibration expectation names a conformal multivariate group of the pipeline") {
  json doc = base();
  doc["expect"] = json::parse(R"({"calibration.tep.measured_false_alarm_rate": {"max": 0.02}})");
  CHECK(rejection(doc).find("$.expect.calibration.tep.measured_false_alarm_rate: expected "
                            "calibration.<group>.<figure> with the name of a conformal group of "
                            "$.pipeline.multivariate (there is none), found "
                            "\"calibration.tep.measured_false_alarm_rate\"") != std::string::npos);
}

TEST_CASE("validation: edge stages name their sensors and channels; bad values are errors with their path") {
  json ok = base();
  ok["devices"][0]["sensors"].push_back(
      {{"id", "wave"}, {"asset", "pump-{i}"}, {"signal", "vibration_waveform"}, {"rate_hz", 2048}});
  ok["devices"][0]["edge"] = json::parse(R"({
    "normalise": [{"sensor": "vib", "raw_lo": 4, "raw_hi": 20}],
    "filters": [{"sensor": "vib", "kind": "median", "window": 5}],
    "features": [{"sensor": "wave", "window": 2048, "emit": ["rms", "kurtosis"]}],
    "events": [{"id": "kurt", "watch": "wave.kurtosis", "trip_above": 4, "clear_below": 3.5}],
    "deadband": [{"sensor": "vib", "deadband_percent": 1, "max_silence_s": 300}],
    "detector": {"channels": ["vib", "wave.rms"], "train_until_s": 300, "when": "always"}})");
  const Scenario sc = parse_scenario(ok.dump(), "case.json");
  const auto& e = sc.devices[0].edge;
  CHECK(e.features.at(0).emit == std::vector<std::string>{"rms", "kurtosis"});
  CHECK(e.events.at(0).watch == "wave.kurtosis");
  CHECK(e.deadband.at(0).deadband_percent == 1.0);
  REQUIRE(e.detector.has_value());
  CHECK_FALSE(e.detector->offline_only);

  auto rejected_with = [&](const std::function<void(json&)>& edit, const std::string& expected) {
    json doc = ok;
    edit(doc["devices"][0]["edge"]);
    const std::string msg = rejection(doc);
    CHECK_MESSAGE(msg.find(expected) != std::string::npos, msg);
  };
  rejected_with([](json& e) { e["deadband"][0]["sensor"] = "nope"; },
                "case.json: $.devices[0].edge.deadband[0].sensor: expected the id of one of this device's "
                "sensors, found \"nope\"");
  rejected_with(
      [](json& e) { e["deadband"][0]["deadband"] = 0.5; },
      "$.devices[0].edge.deadband[0]: expected exactly one of \"deadband\" and \"deadband_percent\", "
      "found both");
  rejected_with(
      [](json& e) {
        e["features"][0]["emit"] = {"rms", "skew"};
      },
      "$.devices[0].edge.features[0].emit[1]: expected one of \"rms\", \"peak\", \"crest_factor\", "
      "\"kurtosis\", found string \"skew\"");
  rejected_with([](json& e) { e["features"][0]["window"] = 1; },
                "$.devices[0].edge.features[0].window: expected an integer in [2, 1e+06]");
  rejected_with(
      [](json& e) { e["events"][0]["watch"] = "wave.peak"; },  // not emitted
      "$.devices[0].edge.events[0].watch: expected a sensor id of this device or a feature channel");
  rejected_with([](json& e) { e["events"][0]["clear_below"] = 5; },
                "$.devices[0].edge.events[0].clear_below: expected a number at most trip_above");
  rejected_with([](json& e) { e["normalise"][0]["raw_hi"] = 4; },
                "$.devices[0].edge.normalise[0].raw_hi: expected a number above raw_lo");
  rejected_with([](json& e) { e["filters"][0]["alpha"] = 0; },
                "$.devices[0].edge.filters[0].alpha: expected a number in (0, 1]");
  rejected_with([](json& e) { e["detector"]["channels"] = json::array(); },
                "$.devices[0].edge.detector.channels: expected at least one channel, found an empty array");
  rejected_with([](json& e) { e["detector"]["train_until_s"] = 0.0; },
                "$.devices[0].edge.detector.train_until_s: expected a number > 0, found number 0");
  rejected_with([](json& e) { e["detector"]["when"] = "sometimes"; },
                "$.devices[0].edge.detector.when: expected one of \"offline\", \"always\", \"never\"");
  rejected_with([](json& e) { e["deadband"][0]["max_silent_s"] = 5; },
                "$.devices[0].edge.deadband[0].max_silent_s: unknown key");
}

TEST_CASE("validation: the data-quality stages' keys load, and bad ones name path, expectation and finding") {
  json good = base();
  good["devices"][0]["sensors"][0]["current_loop"] = true;
  good["pipeline"] = json::parse(R"({
    "validation": {"ne43": true, "rate_of_change_per_s": {"vibration_rms": 2}, "stuck_readings": 60,
                   "timestamps": {"future_tolerance_s": 120}},
    "ordering": {"allowed_lateness_s": 15}, "gaps": {"fill_max_s": 20},
    "drift": {"h_sigma": 12}, "schema": {"missing_messages": 4},
    "alerts": {"critical_score": 10}})");
  good["faults"].push_back(json::parse(
      R"({"id": "f", "kind": "schema_change", "target": "edge-1", "mode": "unit_changed", "sensor": "vib",
          "declared": false, "start_s": 100, "duration_s": 50})"));
  const Scenario ok = parse_scenario(good.dump(), "case.json");
  CHECK(ok.devices[0].sensors[0].params.current_loop);
  const auto& o = ok.pipeline.options;
  CHECK(o.validation.ne43);
  CHECK(o.rate_of_change.limit_per_s.at("vibration_rms") == 2);
  CHECK(o.stuck.readings == 60);
  CHECK(o.timestamps.enabled);
  CHECK(o.timestamps.future_tolerance_s == 120);
  CHECK(o.ordering.enabled);
  CHECK(o.ordering.allowed_lateness_s == 15);
  CHECK(o.gaps.enabled);
  CHECK(o.gaps.fill_max_s == 20);
  CHECK(o.drift.enabled);
  CHECK(o.drift.h_sigma == 12);
  CHECK(o.schema.missing_messages == 4);
  CHECK(o.alerts.critical_score == 10);
  CHECK(ok.faults[1].schema.mode == "unit_changed");
  CHECK_FALSE(ok.faults[1].schema.declared);
  // Off unless asked for: the version-3 pipeline.
  const Scenario plain = parse_scenario(base().dump(), "case.json");
  CHECK_FALSE(plain.pipeline.options.ordering.enabled);
  CHECK_FALSE(plain.pipeline.options.drift.enabled);
  CHECK(plain.pipeline.options.rate_of_change.limit_per_s.empty());

  json doc = base();
  doc["pipeline"] = json::parse(R"({"validation": {"stuck_readings": 1, "rate_of_change_per_s": {"flow": -1}},
                                    "ordering": {"allowed_lateness_s": -5}, "gaps": {"period_factor": 0.5}})");
  doc["faults"].push_back(
      json::parse(R"({"id": "f", "kind": "schema_change", "target": "edge-1", "mode": "unit_changed",
                      "sensor": "temp"})"));
  doc["faults"].push_back(
      json::parse(R"({"id": "g", "kind": "schema_change", "target": "edge-2", "mode": "renamed"})"));
  const std::string msg = rejection(doc);
  CHECK(msg.find("$.pipeline.validation.stuck_readings: expected 0 (off) or at least 2") !=
        std::string::npos);
  CHECK(msg.find("$.pipeline.validation.rate_of_change_per_s.flow") != std::string::npos);
  CHECK(msg.find("$.pipeline.ordering.allowed_lateness_s") != std::string::npos);
  CHECK(msg.find("$.pipeline.gaps.period_factor") != std::string::npos);
  CHECK(msg.find(
            "$.faults[1].sensor: expected the id of a sensor of device \"edge-1\", found \"temp\" (no such "
            "sensor)") != std::string::npos);
  CHECK(msg.find("$.faults[2].mode") != std::string::npos);
}

TEST_CASE("validation: adversarial faults and the plant's security, with their errors") {
  json doc = base();
  doc["security"] = {{"authentication", "signed_payload"}, {"persist_counter", false}};
  doc["faults"].push_back(json::parse(R"({"id": "s", "kind": "spoof", "target": "edge-1", "sensor": "vib",
      "value": 30, "rate_per_h": 2, "seq_ahead": 50, "readings_per_message": 3, "key_compromised": true})"));
  doc["faults"].push_back(json::parse(R"({"id": "r", "kind": "replay", "target": "edge-2", "delay_s": 60,
      "probability": 0.5, "count": 10})"));
  doc["faults"].push_back(json::parse(R"({"id": "t", "kind": "tamper", "target": "edge-*", "mode": "set",
      "amount": 0, "probability": 0.1})"));
  doc["pipeline"] = {{"security", {{"check", "signed"}, {"replay_window_messages", 32}}}};
  const Scenario sc = parse_scenario(doc.dump(), "case.json");
  CHECK(sc.security.authentication == Authentication::kSignedPayload);
  CHECK_FALSE(sc.security.persist_counter);
  CHECK(sc.faults[1].adversary.rate_per_s == doctest::Approx(2.0 / 3600));
  CHECK(sc.faults[1].adversary.seq_ahead == 50);
  CHECK(sc.faults[1].adversary.key_compromised);
  CHECK(*sc.faults[1].adversary.value == 30.0);
  CHECK(sc.faults[2].adversary.replay.count == 10);
  CHECK(sc.faults[3].adversary.tamper.mode == twinbed::faults::TamperMode::kSet);
  CHECK(sc.faults[3].targets.size() == 2);
  CHECK(sc.pipeline.options.security.mode == twinbed::pipeline::AuthMode::kSigned);
  CHECK(sc.pipeline.options.security.replay_window_messages == 32);

  json bad = base();
  bad["security"] = {{"authentication", "kerberos"}};
  bad["faults"].push_back(json::parse(R"({"id": "s", "kind": "spoof", "target": "edge-1"})"));
  bad["faults"].push_back(json::parse(
      R"({"id": "s2", "kind": "spoof", "target": "edge-1", "at_s": [10], "attacker_device": "edge-9"})"));
  bad["faults"].push_back(
      json::parse(R"({"id": "t", "kind": "tamper", "target": "edge-2", "sensor": "oil"})"));
  bad["pipeline"] = {{"security", {{"check", "paranoid"}}}};
  const std::string msg = rejection(bad);
  CHECK(msg.find("$.security.authentication") != std::string::npos);
  CHECK(msg.find("$.faults[1].rate_per_h: expected a rate > 0 (forged messages per hour) or at_s times") !=
        std::string::npos);
  CHECK(msg.find("$.faults[2].attacker_device: expected a device id of $.devices") != std::string::npos);
  CHECK(msg.find("$.faults[3].amount") != std::string::npos);
  CHECK(msg.find("$.faults[3].sensor") != std::string::npos);
  CHECK(msg.find("$.pipeline.security.check") != std::string::npos);
}

TEST_CASE("validation: reconciliation_check.quiet_from_s starts after every fault window") {
  json doc = base();
  doc["faults"] = {
      {{"id", "cut"}, {"kind", "outage"}, {"target", "edge-1"}, {"start_s", 100}, {"end_s", 300}}};
  doc["reconciliation_check"] = {{"quiet_from_s", 400}};
  const Scenario sc = parse_scenario(doc.dump(), "case.json");
  CHECK(sc.reconciliation_check.quiet_from_s == 400);
  doc["reconciliation_check"]["quiet_from_s"] = 200;
  std::string msg = rejection(doc);
  CHECK(msg.find("case.json: $.reconciliation_check.quiet_from_s: expected a quiet period that starts after "
                 "every fault window ends") != std::string::npos);
  CHECK(msg.find("found fault \"cut\" (outage) active until 300") != std::string::npos);
  doc["reconciliation_check"]["quiet_from_s"] = 900;  // after the run's end
  msg = rejection(doc);
  CHECK(msg.find("$.reconciliation_check.quiet_from_s: expected") != std::string::npos);
  // A clock step is an instant: it ends when it happens, and a quiet period may start after it.
  doc["faults"] = {
      {{"id", "step"}, {"kind", "clock_step"}, {"target", "edge-1"}, {"start_s", 100}, {"step_s", -60}}};
  doc["reconciliation_check"]["quiet_from_s"] = 200;
  CHECK(parse_scenario(doc.dump(), "case.json").reconciliation_check.quiet_from_s == 200);
  doc["reconciliation_check"]["quiet_from_s"] = 50;
  msg = rejection(doc);
  CHECK(msg.find("found fault \"step\" (clock_step) active until 100") != std::string::npos);
  doc["reconciliation_check"] = {
      {"quiet_from", 400}};  // a typo: unknown key, and the required one is missing
  msg = rejection(doc);
  CHECK(msg.find("$.reconciliation_check.quiet_from: unknown key") != std::string::npos);
}

TEST_CASE("validation: reconciliation_check.drain_overhead and live_latency_slo_s (R10)") {
  json doc = base();
  doc["faults"] = json::array();
  doc["reconciliation_check"] = {{"quiet_from_s", 400}};
  Scenario sc = parse_scenario(doc.dump(), "case.json");
  CHECK(!sc.reconciliation_check.drain_overhead);  // the checker's default applies
  CHECK(!sc.reconciliation_check.live_latency_slo_s);
  doc["reconciliation_check"]["drain_overhead"] = 0.5;
  doc["reconciliation_check"]["live_latency_slo_s"] = 30;
  sc = parse_scenario(doc.dump(), "case.json");
  CHECK(sc.reconciliation_check.drain_overhead == 0.5);
  CHECK(sc.reconciliation_check.live_latency_slo_s == 30);
  doc["reconciliation_check"]["drain_overhead"] = -0.1;
  doc["reconciliation_check"]["live_latency_slo_s"] = 0;
  const std::string msg = rejection(doc);
  INFO(msg);
  CHECK(msg.find("case.json: $.reconciliation_check.drain_overhead: expected a number in [0, 1e+06], found "
                 "number -0.1") != std::string::npos);
  CHECK(msg.find(
            "$.reconciliation_check.live_latency_slo_s: expected a number in (0, 1e+10], found number 0") !=
        std::string::npos);
}

TEST_CASE("validation: pipeline.reconciliation keys, modes and bad values") {
  json good = base();
  good["pipeline"] = json::parse(R"({"reconciliation": {"window_s": 30, "allowed_lateness_s": 600,
      "gap_timeout_s": 900, "future_tolerance_s": 60, "epoch_before_s": 3600, "counter_drift_ppm": 50,
      "sequence_starts_at_zero": false, "mode": "receipt_order"}})");
  const Scenario ok = parse_scenario(good.dump(), "case.json");
  const auto& r = ok.pipeline.options.reconciliation;
  CHECK(r.enabled);
  CHECK(r.mode == twinbed::pipeline::ReconcileMode::kReceiptOrder);
  CHECK(r.windows.window_s == 30);
  CHECK(r.windows.allowed_lateness_s == 600);
  CHECK(r.gap_timeout_s == 900);
  CHECK(r.timestamps.future_tolerance_s == 60);
  CHECK(r.timestamps.epoch_before_s == 3600);
  CHECK(r.timestamps.counter_drift_ppm == 50);
  CHECK_FALSE(r.sequence_starts_at_zero);
  CHECK_FALSE(parse_scenario(base().dump(), "case.json").pipeline.options.reconciliation.enabled);

  json doc = base();
  doc["pipeline"] = json::parse(
      R"({"reconciliation": {"mode": "by_arrival", "window_s": 0, "gap_timeout_s": -1, "lateness": 5}})");
  const std::string msg = rejection(doc);
  CHECK(msg.find("$.pipeline.reconciliation.mode") != std::string::npos);
  CHECK(msg.find("by_arrival") != std::string::npos);
  CHECK(msg.find("$.pipeline.reconciliation.window_s") != std::string::npos);
  CHECK(msg.find("$.pipeline.reconciliation.gap_timeout_s") != std::string::npos);
  CHECK(msg.find("$.pipeline.reconciliation.lateness") != std::string::npos);
}

TEST_CASE("validation: pipeline.reconciliation mode plain_lww; concurrency_window_s is gone") {
  json doc = base();
  doc["pipeline"] = json::parse(R"({"reconciliation": {"mode": "plain_lww"}})");
  CHECK(parse_scenario(doc.dump(), "case.json").pipeline.options.reconciliation.mode ==
        twinbed::pipeline::ReconcileMode::kPlainLastWriter);
  // Concurrency is decided by what a command knew, not by an HLC window: the old key is refused.
  doc["pipeline"] = json::parse(R"({"reconciliation": {"concurrency_window_s": 5}})");
  CHECK(rejection(doc).find("case.json: $.pipeline.reconciliation.concurrency_window_s: unknown key") !=
        std::string::npos);
}

TEST_CASE("validation: firmware time metadata and events, the clock's bound, hmi_setpoint") {
  json doc = base();
  doc["devices"][0]["firmware"] = {{"time_metadata", true}, {"events", true}};
  doc["devices"][0]["clock"] = {{"sync_bound_s", 0.25}, {"monotonic_error_ppm", 40}};
  doc["faults"].push_back(
      {{"id", "hmi"}, {"kind", "hmi_setpoint"}, {"target", "edge-1"}, {"at_s", 120}, {"value", 0.6}});
  const Scenario sc = parse_scenario(doc.dump(), "case.json");
  CHECK(sc.devices[0].time_metadata);
  CHECK(sc.devices[0].report_events);
  CHECK(sc.devices[0].sync_bound_s == 0.25);
  CHECK(sc.devices[0].monotonic_error_ppm == 40);
  const Scenario plain = parse_scenario(base().dump(), "case.json");  // off by default
  CHECK_FALSE(plain.devices[0].time_metadata);
  CHECK_FALSE(plain.devices[0].report_events);
  CHECK(std::isinf(plain.devices[0].sync_bound_s));
  CHECK(sc.faults[1].start_s == 120);
  CHECK(sc.faults[1].setpoint == 0.6);
  CHECK(sc.faults[1].targets == std::vector<std::string>{"edge-1"});

  json window = doc;  // an instant: a window is an error
  window["faults"][1]["duration_s"] = 60;
  CHECK(rejection(window).find("case.json: $.faults[1].at_s: expected at_s (an HMI setpoint change is an "
                               "instant), found start_s, end_s or duration_s") != std::string::npos);
  json no_value = doc;
  no_value["faults"][1].erase("value");
  CHECK(rejection(no_value).find("$.faults[1].value") != std::string::npos);
  json typo = doc;
  typo["devices"][0]["firmware"]["time_meta"] = true;
  CHECK(rejection(typo).find("$.devices[0].firmware.time_meta: unknown key") != std::string::npos);
  json negative = doc;
  negative["devices"][0]["clock"]["sync_bound_s"] = -1;
  CHECK(rejection(negative).find("$.devices[0].clock.sync_bound_s: expected a number in [0, 1e+09]") !=
        std::string::npos);
}

TEST_CASE("validation: cloud_commands are scheduled, typed, and name a device") {
  json doc = base();
  doc["cloud_commands"] = json::parse(R"([{"at_s": 100, "device": "edge-1", "kind": "start"},
      {"at_s": 200, "device": "edge-1", "kind": "setpoint", "value": 0.8},
      {"at_s": 300, "device": "edge-1"}])");
  const Scenario sc = parse_scenario(doc.dump(), "case.json");
  REQUIRE(sc.cloud_commands.size() == 3);
  CHECK(sc.cloud_commands[0].kind == twinbed::pipeline::CommandKind::kStart);
  CHECK(sc.cloud_commands[0].value == 1.0);
  CHECK(sc.cloud_commands[1].kind == twinbed::pipeline::CommandKind::kSetpoint);
  CHECK(sc.cloud_commands[1].value == 0.8);
  CHECK(sc.cloud_commands[2].kind == twinbed::pipeline::CommandKind::kStop);
  CHECK(sc.cloud_commands[2].device == "edge-1");
  doc["cloud_commands"] = json::parse(R"([{"at_s": 100, "device": "edge-9", "kind": "start"}])");
  std::string msg = rejection(doc);
  CHECK(msg.find("case.json: $.cloud_commands[0].device: expected the id of a device (expanded), found "
                 "\"edge-9\"") != std::string::npos);
  doc["cloud_commands"] = json::parse(R"([{"at_s": 100, "device": "edge-1", "kind": "reset"}])");
  CHECK(rejection(doc).find("$.cloud_commands[0].kind") != std::string::npos);
  doc["cloud_commands"] = json::parse(R"([{"at_s": 100, "device": "edge-1", "kind": "setpoint"}])");
  CHECK(rejection(doc).find("$.cloud_commands[0].value") != std::string::npos);
  doc["cloud_commands"] = json::parse(R"([{"at_s": 100, "device": "edge-1", "kind": "stop", "value": 1}])");
  CHECK(rejection(doc).find("$.cloud_commands[0].value: expected no value") != std::string::npos);
  doc["cloud_commands"] = json::parse(R"([{"device": "edge-1", "kind": "stop"}])");
  CHECK(rejection(doc).find("$.cloud_commands[0].at_s") != std::string::npos);
}
