#include <doctest/doctest.h>

#include "analysis/latency_histogram.hpp"
#include "analysis/metric_catalog.hpp"
#include "analysis/report.hpp"
#include "analysis/scoring.hpp"

using namespace twinbed::analysis;

namespace {
RunData small_run() {
  RunData run;
  run.duration_s = 86400;
  run.device_count = 2;
  run.sensors = {{"edge-1", "vib", "pump-1", "vibration_rms"}, {"edge-2", "vib", "pump-2", "vibration_rms"}};
  run.incidents = {{"pump-1", "bearing_wear_failure", 1000, 5000, 9000},
                   {"pump-2", "bearing_wear_failure", 1000, 50000, kNever}};
  run.faults = {{"emi", "emi_spike", "edge-2/vib", 20000, 20001, "{}"},
                {"drift", "drift", "edge-2/vib", 30000, 86400, "{}"},
                {"loss", "packet_loss", "edge-2", 0, 86400, "{}"}};
  // TP on pump-1; FP from EMI; FP during drift; FP with nothing; TP within pump-2's open window.
  run.episodes = {{0, 1, 6000, 6100, 5990, 5990, 7},
                  {1, 1, 20005, 20010, 20000.5, 20000.5, 9},
                  {1, 1, 40005, 40100, 40000, 40000, 8},
                  {0, 1, 70005, 70100, 70000, 70000, 8},
                  {1, 1, 60010, kNever, 60000, 60000, 8}};
  return run;
}
}  // namespace

TEST_CASE("scoring: true and false positives, missed incidents, detection delay") {
  RunData run = small_run();
  const Score s = score_run(run, {0.0, 600.0, 60.0});
  CHECK(s.true_positives == 2);
  CHECK(s.false_positives.size() == 3);
  REQUIRE(s.incidents.size() == 2);
  CHECK(s.incidents[0].detected);
  CHECK(s.incidents[0].detection_delay_s == doctest::Approx(1000));
  CHECK(s.incidents[1].detected);
}

TEST_CASE(
    "scoring: false positives are attributed to the faults active on their sensor; packet loss is not a "
    "cause") {
  const Score s = score_run(small_run(), {0.0, 600.0, 60.0});
  REQUIRE(s.false_positives.size() == 3);
  CHECK(s.false_positives[0].causes == std::vector<std::string>{"emi_spike"});
  CHECK(s.false_positives[1].causes == std::vector<std::string>{"drift"});
  CHECK(s.false_positives[2].causes == std::vector<std::string>{"none"});
  CHECK(s.attribution.at("emi_spike") == 1);
  CHECK(s.attribution.count("packet_loss") == 0);
}

TEST_CASE("scoring: an early-warning window turns an early alert into a true positive") {
  RunData run = small_run();
  run.episodes = {{0, 1, 4000, 4100, 3990, 3990, 7}};
  CHECK(score_run(run, {0.0, 600.0, 60.0}).true_positives == 0);
  CHECK(score_run(run, {1200.0, 600.0, 60.0}).true_positives == 1);
}

TEST_CASE("report: every metric is catalogued; expectations hold or fail; undefined metrics fail") {
  RunData run = small_run();
  const Score s = score_run(run, {0.0, 600.0, 60.0});
  const Metrics m = compute_metrics(run, s);
  for (const auto& [name, v] : m) CHECK(is_known_metric(name));
  CHECK(m.at("precision").value() == doctest::Approx(0.4));
  CHECK(m.at("recall").value() == doctest::Approx(1.0));
  CHECK(m.at("false_positives.per_day").value() == doctest::Approx(3.0));
  const auto r = check_expectations(m, {{"recall", 1.0, std::nullopt},
                                        {"false_positives.count", std::nullopt, 2.0},
                                        {"latency_s.p50", std::nullopt, 10.0}});
  CHECK(r[0].held);
  CHECK_FALSE(r[1].held);
  CHECK_FALSE(r[2].held);  // no latency samples: undefined, which never satisfies a bound
  CHECK_FALSE(is_known_metric("recal"));
  CHECK(is_known_metric("false_positives.attributed.emi_spike"));
}

TEST_CASE("latency histogram: percentiles within 0.4 % of exact, exact max and mean") {
  LatencyHistogram h;
  for (int i = 1; i <= 100000; ++i) h.add(i * 0.001);  // 1 ms .. 100 s, uniform
  CHECK(h.count() == 100000);
  CHECK(h.max() == doctest::Approx(100.0));
  CHECK(h.mean() == doctest::Approx(50.0005));
  CHECK(h.quantile(0.5) == doctest::Approx(50.0).epsilon(0.004));
  CHECK(h.quantile(0.99) == doctest::Approx(99.0).epsilon(0.004));
  CHECK(h.quantile(0.9) == doctest::Approx(90.0).epsilon(0.004));
}

TEST_CASE("scoring: sensor, device and asset ids are separate namespaces for attribution") {
  RunData run;
  run.duration_s = 3600;
  run.device_count = 2;
  // Device edge-1 observes an asset that happens to be called "edge-2"; the outage hits device edge-2.
  run.sensors = {{"edge-1", "vib", "edge-2", "vibration_rms"}};
  run.faults = {{"cut", "outage", "edge-2", 100, 200, "{}"},
                {"(process)", "load_change", "edge-2", 150, 150, "{}"}};
  run.episodes = {{0, 1, 160, 170, 155, 155, 7}};
  const Score s = score_run(run, {0.0, 600.0, 60.0});
  REQUIRE(s.false_positives.size() == 1);
  CHECK(s.false_positives[0].causes ==
        std::vector<std::string>{"load_change"});  // the asset's, not the device's outage
}

TEST_CASE("scoring: a compared pipeline is scored on its own episodes, with figures under pipelines.<name>") {
  RunData run = small_run();
  run.pipeline_name = "full";
  ComparedPipeline naive;
  naive.name = "naive";
  naive.episodes = {{1, 1, 20005, 20010, 20000.5, 20000.5, 9}};  // the EMI false positive only
  run.compared.push_back(naive);
  const Score s = score_run(run, {0.0, 600.0, 60.0});
  REQUIRE(s.compared.size() == 1);
  CHECK(s.compared[0].true_positives == 0);
  REQUIRE(s.compared[0].false_positives.size() == 1);
  CHECK(s.compared[0].false_positives[0].causes == std::vector<std::string>{"emi_spike"});
  CHECK(s.true_positives == 2);  // the primary's score is untouched

  const Metrics m = compute_metrics(run, s);
  CHECK(m.at("pipelines.naive.false_positives.per_day").value() == doctest::Approx(1.0));
  CHECK(m.at("pipelines.naive.false_positives.attributed.emi_spike").value() == 1.0);
  CHECK(m.at("pipelines.naive.recall").value_or(-1) == 0.0);  // two incidents, none detected: recall 0
  CHECK(m.at("pipelines.naive.incidents.missed").value() == 2.0);
  CHECK(m.at("pipelines.full.false_positives.count").value() == m.at("false_positives.count").value());
  CHECK(m.at("pipelines.full.detection_delay_s.p50") == m.at("detection_delay_s.p50"));
  CHECK(is_pipeline_metric("pipelines.naive.recall"));
  CHECK_FALSE(is_pipeline_metric("pipelines.naive.samples.generated"));  // not a detection figure
  CHECK_FALSE(is_pipeline_metric("pipelines.a b.recall"));
}

TEST_CASE(
    "calibration: the measured false-alarm rate counts incident-free decisions only, with a Wilson "
    "interval") {
  // Wilson 95 % for 10 in 100: (0.0552, 0.1744) (Newcombe 1998, method 3).
  const auto [lo, hi] = wilson_interval(10, 100);
  CHECK(lo == doctest::Approx(0.0552).epsilon(0.002));
  CHECK(hi == doctest::Approx(0.1744).epsilon(0.002));
  RunData run = small_run();  // pump-1's incident window [5000, 9600] with a 600 s grace
  CalibratedDecisions d;
  d.name = "grp";
  d.claimed_false_alarm_rate = 0.01;
  d.sensors = {0};  // watches pump-1
  for (int k = 0; k < 200; ++k) {
    d.decision_times_s.push_back(100.0 * k);                          // 0 .. 19,900 s
    d.alarms.push_back((k >= 50 && k <= 96) || k % 50 == 7 ? 1 : 0);  // alarms in the incident, and 4 others
  }
  run.calibrated.push_back(d);
  const Score s = score_run(run, {0.0, 600.0, 60.0});
  REQUIRE(s.calibration.size() == 1);
  const CalibrationResult& c = s.calibration[0];
  CHECK(c.decisions == 200);
  CHECK(c.decisions_incident_free == 200 - 47);  // 5000 .. 9600 s: decisions 50 .. 96
  CHECK(c.false_alarms == 3);                    // k = 7, 107, 157 (k = 57 is inside the incident)
  CHECK(c.measured.value() == doctest::Approx(3.0 / 153));
  CHECK(c.claim_holds.value());  // 1 % is inside the interval around 2 %
  const Metrics m = compute_metrics(run, s);
  CHECK(m.at("calibration.grp.false_alarms").value() == 3.0);
  CHECK(is_calibration_metric("calibration.grp.measured_false_alarm_rate"));
  CHECK_FALSE(is_calibration_metric("calibration.grp.nonsense"));
}

TEST_CASE(
    "scoring: sensor-fault alerts are judged against the sensor's own injected faults, not as plant alarms") {
  RunData run = small_run();
  run.faults.push_back({"stuck", "stuck_at", "edge-1/vib", 10000, 12000, "{}"});
  run.faults.push_back({"to-f", "schema_change", "edge-1/vib", 50000, 51000, "{}"});
  run.faults.push_back(
      {"emi", "emi_spike", "edge-2/vib", 20500, 20501, "{}"});  // merged with the first spike
  // Correct: inside the stuck window; correct: 30 s after the schema change ended (lookback 60);
  // wrong: nothing on edge-1/vib then; wrong: the drift is on edge-2, not edge-1.
  run.sensor_fault_episodes = {{0, 1, 10100, 11000, 10090, 10090, 0},
                               {0, 1, 51040, 51100, 51030, 51030, 0},
                               {0, 1, 60100, 60200, 60000, 60000, 0},
                               {0, 1, 35000, 35100, 35000, 35000, 0}};
  const Score s = score_run(run, {0.0, 600.0, 60.0});
  const SensorFaultScore& f = s.sensor_faults;
  CHECK(f.flagged == 4);
  CHECK(f.flagged_correct == 2);
  CHECK(f.flagged_wrong == 2);
  CHECK(f.episode_correct == std::vector<bool>{true, true, false, false});
  // Injected sensor faults (fault x sensor): emi, drift on edge-2 (not flagged), stuck and
  // the schema change on edge-1 (flagged). The packet loss targets a device: not a sensor fault.
  CHECK(f.injected == 4);
  CHECK(f.detected == 2);
  CHECK(f.missed == 2);
  // Sensor-fault episodes never change the process figures.
  CHECK(s.false_positives.size() == 3);
  const Metrics m = compute_metrics(run, s);
  CHECK(m.at("sensor_faults.flagged_wrong") == 2);
  CHECK(m.at("sensor_faults.missed") == 2);
}
