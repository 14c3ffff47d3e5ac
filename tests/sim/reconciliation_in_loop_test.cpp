// The reconciliation checker in the loop: a run whose primary pipeline keeps a
// cloud log writes /cloud/* to the trace, and the report carries the checker's
// verdicts. The pipeline here is the reference pipeline with a naive log
// beside it: each record inserted when it arrives, at its device timestamp.
// Mode "dedup" keys de-duplication on (device, boot, seq): R2 passes although
// the network delivered duplicates. Mode "no_dedup" inserts every copy: R2
// fails, with one duplicate per transport duplicate. Its own process: one
// SimGrid engine each.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>
#include <simgrid/s4u.hpp>
#include <tuple>

#include "analysis/reconciliation_check.hpp"
#include "analysis/report.hpp"
#include "analysis/trace_tables.hpp"
#include "pipeline/reference_pipeline.hpp"
#include "sim/scenario.hpp"
#include "sim/world.hpp"

namespace {

using namespace twinbed;

class LoggingPipeline : public pipeline::CloudPipeline {
 public:
  explicit LoggingPipeline(bool dedup) : dedup_(dedup) {}
  void configure(std::span<const pipeline::SensorInfo> sensors,
                 std::span<const std::string> devices) override {
    inner_.configure(sensors, devices);
  }
  void ingest(const pipeline::MessageInfo& message, std::span<const pipeline::Record> records, double now_s,
              std::vector<pipeline::AlertEvent>& alerts) override {
    inner_.ingest(message, records, now_s, alerts);
    for (const pipeline::Record& r : records) {
      if (dedup_ && !seen_.insert({r.device, r.boot, r.seq}).second) continue;
      pipeline::ViewChange c;
      c.device = r.device, c.boot = r.boot, c.seq = r.seq, c.sensor = r.sensor, c.value = r.value;
      c.count = r.count, c.event_time_s = r.device_time_s, c.uncertainty_s = r.time_uncertainty_s;
      log_.view.push_back(c);
    }
  }
  void finish(double end_s, std::vector<pipeline::AlertEvent>& alerts) override {
    inner_.finish(end_s, alerts);
  }
  pipeline::PipelineCounters counters() const override { return inner_.counters(); }
  bool drain_log(pipeline::CloudLog& out) override {
    out.view.insert(out.view.end(), log_.view.begin(), log_.view.end());
    log_.clear();
    return true;
  }

 private:
  bool dedup_;
  pipeline::ReferencePipeline inner_{pipeline::ReferencePipelineOptions{}};
  pipeline::CloudLog log_;
  std::set<std::tuple<std::uint32_t, std::uint32_t, std::uint64_t>> seen_;
};

int fail(const std::string& what) {
  std::cerr << "reconciliation_in_loop_test: " << what << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return fail("usage: reconciliation_in_loop_test dedup|no_dedup OUT_DIR");
  const bool dedup = std::string(argv[1]) == "dedup";
  int sg_argc = 2;
  char a0[] = "test", a1[] = "--log=root.thres:warning";
  char* sg_argv[] = {a0, a1, nullptr};
  simgrid::s4u::Engine engine(&sg_argc, sg_argv);
  const auto sc = sim::parse_scenario(R"({
    "twinbed": 1, "name": "in_loop", "seed": 3, "duration_s": 2400,
    "assets": [{"id": "pump-1", "model": "pump"}],
    "gateways": [{"id": "gw-1"}],
    "devices": [{"id": "edge-{i}", "count": 2, "gateway": "gw-1", "publish_interval_s": 30,
                 "mqtt": {"qos": 1, "ack_timeout_s": 5},
                 "sensors": [{"id": "vib", "asset": "pump-1", "signal": "vibration_rms", "rate_hz": 1}]}],
    "faults": [{"id": "acks-lost", "kind": "packet_loss", "target": "edge-*", "direction": "downlink",
                "probability": 0.2, "end_s": 1200},
               {"id": "cut", "kind": "outage", "target": "edge-1", "start_s": 600, "end_s": 900}],
    "reconciliation_check": {"quiet_from_s": 1500}
  })",
                                      "in_loop.json");
  const std::string out = argv[2];
  std::filesystem::create_directories(out);
  sim::RunOptions options;
  options.out_dir = out;
  options.primary_pipeline = [dedup] { return std::make_unique<LoggingPipeline>(dedup); };
  const analysis::RunData run = sim::run_world(sc, options);
  if (!run.reconciliation) return fail("the run has no reconciliation verdicts");
  const auto input = analysis::read_reconciliation_input(out + "/trace.h5");
  if (!input.cloud_log || input.view.empty()) return fail("the trace holds no /cloud/view");
  if (input.quiet_from_s != 1500) return fail("the trace lacks the quiet period attribute");
  const auto metrics = analysis::compute_metrics(run, analysis::score_run(run, {}));
  std::cout << analysis::reconciliation_summary(*run.reconciliation);
  auto verdict = [&](const char* id) {
    for (const auto& p : run.reconciliation->properties)
      if (p.id == id) return p.verdict;
    return analysis::Verdict::kNotApplicable;
  };
  auto figure = [&](const std::string& name) { return metrics.at("reconciliation." + name).value_or(-1); };
  if (run.data.duplicated == 0) return fail("the scenario delivered no transport duplicate");
  if (figure("R2.transport_duplicates") != static_cast<double>(run.data.duplicated))
    return fail("R2.transport_duplicates differs from samples.duplicated");
  if (verdict("R0") != analysis::Verdict::kPass) return fail("R0 did not pass");
  if (verdict("R3") != analysis::Verdict::kPass) return fail("R3 did not pass");
  if (dedup) {
    if (verdict("R2") != analysis::Verdict::kPass || figure("R2.pass") != 1) return fail("R2 did not pass");
    if (verdict("R1") != analysis::Verdict::kPass) return fail("R1 did not pass");
  } else {
    if (verdict("R2") != analysis::Verdict::kFail || figure("R2.pass") != 0) return fail("R2 did not fail");
    if (figure("R2.duplicates") != static_cast<double>(run.data.duplicated))
      return fail("R2.duplicates differs from the transport duplicates");
  }
  return 0;
}
