// twinbed: the command line.
//
//   twinbed validate SCENARIO...
//   twinbed run SCENARIO [--seed N] [--out DIR] [--trace-level full|events] [--no-trace] [--quiet]
//               [--pipeline LIB.so [--pipeline-config JSON|@FILE]]
//   twinbed validate-tep [--data DIR] [--out FILE] [--rule RULE] [--components N] [--parallel-percentile P]
//   twinbed pdm-study STUDY [--seed N] [--out DIR] [--quiet]   (sim/pdm_study_command.hpp)
//   twinbed check-trace TRACE.h5 [--quiet-from S] [--json OUT]   (docs/reconciliation.md)
//
// Exit codes (docs/cli.md): 0 ran and every expectation held; 1 ran and an
// expectation failed; 2 bad input or usage; 3 internal error.
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <simgrid/s4u.hpp>

#include "analysis/reconciliation_check.hpp"
#include "analysis/report.hpp"
#include "analysis/scoring.hpp"
#include "analysis/tep_validation.hpp"
#include "analysis/trace_tables.hpp"
#include "sim/pdm_study_command.hpp"
#include "sim/plugin_pipeline.hpp"
#include "sim/scenario.hpp"
#include "sim/world.hpp"

namespace {

namespace fs = std::filesystem;
using twinbed::sim::Scenario;
using twinbed::sim::ScenarioError;

constexpr int kExitOk = 0, kExitExpectationFailed = 1, kExitBadInput = 2, kExitInternal = 3;

int report_scenario_error(const ScenarioError& e) {
  std::cerr << "twinbed: the scenario is not valid:\n";
  for (const auto& line : e.errors()) std::cerr << "  " << line << "\n";
  return kExitBadInput;
}

int cmd_validate(const std::vector<std::string>& files) {
  int status = kExitOk;
  for (const auto& file : files) {
    if (twinbed::sim::pdm::is_pdm_study_file(file)) {
      if (twinbed::sim::pdm::validate_pdm_study(file) != kExitOk) status = kExitBadInput;
      continue;
    }
    try {
      const Scenario sc = twinbed::sim::load_scenario(file);
      std::cout << file << ": ok (" << sc.assets.size() << " assets, " << sc.gateways.size() << " gateways, "
                << sc.devices.size() << " devices, " << sc.sensor_count() << " sensors, " << sc.faults.size()
                << " faults, " << sc.expect.size() << " expectations)\n";
    } catch (const ScenarioError& e) {
      status = report_scenario_error(e);
    }
  }
  return status;
}

struct RunArgs {
  std::string scenario;
  std::optional<std::uint64_t> seed;
  std::string out_dir;
  std::string trace_level;
  bool no_trace = false;
  bool quiet = false;
  std::string pipeline;         ///< a plugin library replacing the primary pipeline (docs/plugins.md)
  std::string pipeline_config;  ///< its configuration: JSON text, or @FILE
};

/// --pipeline / --pipeline-config: the primary becomes the plugin. False (and
/// a message) on a bad library or configuration.
bool apply_pipeline_option(const RunArgs& args, Scenario& sc) {
  if (args.pipeline.empty() && args.pipeline_config.empty()) return true;
  if (args.pipeline.empty() && !sc.pipeline.plugin) {
    std::cerr << "twinbed: --pipeline-config needs a plugin: --pipeline LIB.so, or a scenario whose "
                 "pipeline.plugin names one\n";
    return false;
  }
  twinbed::sim::PluginSpec plugin = sc.pipeline.plugin.value_or(twinbed::sim::PluginSpec{});
  if (!args.pipeline.empty()) plugin = {args.pipeline, "{}"};
  if (!args.pipeline_config.empty()) {
    std::string text = args.pipeline_config;
    if (text.front() == '@') {
      std::ifstream in(text.substr(1));
      if (!in) {
        std::cerr << "twinbed: --pipeline-config: cannot read " << text.substr(1) << "\n";
        return false;
      }
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    try {
      plugin.config_json = nlohmann::json::parse(text).dump();
    } catch (const nlohmann::json::parse_error& e) {
      std::cerr << "twinbed: --pipeline-config: expected JSON text (or @FILE), found "
                << nlohmann::json(args.pipeline_config).dump() << ": " << e.what() << "\n";
      return false;
    }
  }
  try {
    twinbed::sim::open_plugin(plugin.path);
  } catch (const twinbed::sim::PluginError& e) {
    std::cerr << "twinbed: " << e.what() << "\n";
    return false;
  }
  // A plugin on the command line is not the reference pipeline: its figures
  // go under pipelines.plugin.* unless the scenario named its primary.
  if (!args.pipeline.empty() && sc.pipeline.name == "reference") {
    for (const auto& c : sc.compare_pipelines)
      if (c.name == "plugin") {
        std::cerr << "twinbed: --pipeline: the scenario already compares a pipeline named \"plugin\"; name "
                     "the primary in the scenario ($.pipeline.name)\n";
        return false;
      }
    sc.pipeline.name = "plugin";
  }
  sc.pipeline.plugin = plugin;
  return true;
}

int cmd_run(const RunArgs& args) {
  Scenario sc;
  try {
    sc = twinbed::sim::load_scenario(args.scenario, args.seed);
  } catch (const ScenarioError& e) {
    return report_scenario_error(e);
  }
  if (!apply_pipeline_option(args, sc)) return kExitBadInput;
  if (args.trace_level == "events") sc.trace.level = twinbed::sim::TraceLevel::kEvents;
  if (args.trace_level == "full") sc.trace.level = twinbed::sim::TraceLevel::kFull;
  const std::string out =
      args.out_dir.empty() ? "out/" + fs::path(args.scenario).stem().string() : args.out_dir;
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) {
    std::cerr << "twinbed: cannot create the output directory " << out << ": " << ec.message() << "\n";
    return kExitBadInput;
  }

  // One SimGrid engine per process. Its own log lines are kept to warnings.
  int sg_argc = 2;
  char arg0[] = "twinbed", arg1[] = "--log=root.thres:warning";
  char* sg_argv[] = {arg0, arg1, nullptr};
  simgrid::s4u::Engine engine(&sg_argc, sg_argv);

  const auto wall_start = std::chrono::steady_clock::now();
  twinbed::sim::RunOptions options;
  options.out_dir = args.no_trace ? "" : out;
  options.show_progress = !args.quiet && isatty(STDERR_FILENO);
  twinbed::analysis::RunData run = twinbed::sim::run_world(sc, options);
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  twinbed::analysis::ScoringOptions scoring{sc.scoring.early_warning_s, sc.scoring.post_failure_grace_s,
                                            sc.scoring.attribution_lookback_s};
  const auto score = twinbed::analysis::score_run(run, scoring);
  const auto metrics = twinbed::analysis::compute_metrics(run, score);
  std::vector<twinbed::analysis::ExpectationBound> bounds;
  for (const auto& e : sc.expect) bounds.push_back({e.metric, e.min, e.max});
  const auto expectations = twinbed::analysis::check_expectations(metrics, bounds);
  auto report = twinbed::analysis::build_report(run, score, metrics, expectations);
  report["scenario"]["file"] = fs::path(sc.file).filename().string();

  std::ofstream(out + "/report.json") << report.dump(2) << "\n";
  const std::string summary = twinbed::analysis::human_summary(run, score, metrics, expectations);
  std::ofstream(out + "/summary.txt") << summary;

  // Wall-clock figures are not results: they go to their own file.
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double sim_s = sc.duration_s;
  nlohmann::json stats = {{"wall_s", wall_s},
                          {"sim_over_wall", sim_s / std::max(wall_s, 1e-9)},
                          {"samples_per_s", static_cast<double>(run.data.generated) / std::max(wall_s, 1e-9)},
                          {"messages_per_s", static_cast<double>(run.data.attempts) / std::max(wall_s, 1e-9)},
                          {"peak_rss_mib", static_cast<double>(usage.ru_maxrss) / 1024.0},
                          {"samples", run.data.generated},
                          {"attempts", run.data.attempts}};
  std::ofstream(out + "/run_stats.json") << stats.dump(2) << "\n";

  if (!args.quiet) {
    std::cout << summary;
    std::cout << "  output    " << out << "/report.json"
              << (options.out_dir.empty() ? "" : ", " + out + "/trace.h5") << " (" << std::fixed
              << std::setprecision(2) << wall_s << " s wall)\n";
  }
  const bool all_held = report["verdict"] == "pass";
  return all_held ? kExitOk : kExitExpectationFailed;
}

struct TepArgs {
  std::string data_dir = "data/tep";
  std::string out_file;
  std::string rule = "fixed";
  int components = 9;
  double parallel_percentile = 0;
};

int cmd_validate_tep(const TepArgs& args) {
  twinbed::analysis::TepValidationOptions options;
  options.data_dir = args.data_dir;
  options.pca.parallel_percentile = args.parallel_percentile;
  options.pca.fixed_components = args.components;
  if (args.rule == "fixed") {
    if (args.components < 1 || args.components > 51) {
      std::cerr << "twinbed: validate-tep: --rule fixed needs --components between 1 and 51\n";
      return kExitBadInput;
    }
    options.pca.rule = twinbed::pipeline::ComponentRule::kFixed;
  } else if (args.rule == "parallel_analysis") {
    options.pca.rule = twinbed::pipeline::ComponentRule::kParallelAnalysis;
  } else if (args.rule == "kaiser") {
    options.pca.rule = twinbed::pipeline::ComponentRule::kKaiser;
  } else if (args.rule == "cumulative_variance") {
    options.pca.rule = twinbed::pipeline::ComponentRule::kCumulativeVariance;
  }
  nlohmann::json result;
  try {
    result = twinbed::analysis::validate_tep(options);
  } catch (const twinbed::analysis::TepDataError& e) {
    std::cerr << "twinbed: validate-tep: " << e.what() << "\n";
    return kExitBadInput;
  }
  const std::string text = result.dump(2) + "\n";
  if (args.out_file.empty()) {
    std::cout << text;
  } else {
    std::ofstream out(args.out_file);
    if (!(out << text)) {
      std::cerr << "twinbed: validate-tep: cannot write " << args.out_file << "\n";
      return kExitBadInput;
    }
  }
  return kExitOk;
}

struct CheckTraceArgs {
  std::string trace;
  std::optional<double> quiet_from_s;
  std::string json_out;
};

/// The reconciliation checker on a trace file, offline: one line per
/// property; exit 0 when none fails, 1 when one does, 2 when the trace cannot
/// be read or holds no cloud log.
int cmd_check_trace(const CheckTraceArgs& args) {
  twinbed::analysis::ReconciliationInput input;
  try {
    input = twinbed::analysis::read_reconciliation_input(args.trace, args.quiet_from_s);
  } catch (const twinbed::analysis::TraceReadError& e) {
    std::cerr << "twinbed: check-trace: " << e.what() << "\n";
    return kExitBadInput;
  }
  if (!input.cloud_log) {
    std::cerr << "twinbed: check-trace: " << args.trace
              << ": expected a cloud log (/cloud/view), found none: the run's primary pipeline kept no log, "
                 "or the trace level was not full\n";
    return kExitBadInput;
  }
  const auto verdicts = twinbed::analysis::check_reconciliation(input);
  std::cout << twinbed::analysis::reconciliation_summary(verdicts);
  if (!args.json_out.empty()) {
    std::ofstream out(args.json_out);
    if (!(out << twinbed::analysis::reconciliation_json(verdicts).dump(2) << "\n")) {
      std::cerr << "twinbed: check-trace: cannot write " << args.json_out << "\n";
      return kExitBadInput;
    }
  }
  return verdicts.any_fail() ? kExitExpectationFailed : kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "twinbed — a digital-twin testbed for industrial AIoT pipelines.\n"
      "Simulates a plant (physics, sensors, edge firmware, network, broker, cloud) on SimGrid,\n"
      "injects faults, runs the pipeline under test in the loop and scores its alerts against\n"
      "ground truth.\n\n"
      "Exit codes: 0 ran and every expectation held; 1 an expectation failed;\n"
      "            2 bad input or usage; 3 internal error.",
      "twinbed"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "twinbed 0.1.0 (scenario format 1)");

  std::vector<std::string> validate_files;
  auto* validate = app.add_subcommand("validate", "Check scenario files against the format; runs nothing.");
  validate
      ->add_option("SCENARIO", validate_files,
                   "Scenario file(s) (JSON, format 1; see docs/scenario-format.md)")
      ->required();

  RunArgs run_args;
  std::uint64_t seed = 0;
  auto* run =
      app.add_subcommand("run", "Run a scenario: writes OUT/report.json, OUT/trace.h5, OUT/summary.txt.");
  run->add_option("SCENARIO", run_args.scenario, "Scenario file (JSON)")->required();
  auto* seed_opt =
      run->add_option("--seed", seed, "Replace the scenario's seed (every random stream derives from it)");
  run->add_option("--out", run_args.out_dir,
                  "Output directory (default: out/<scenario file name without .json>)");
  run->add_option("--trace-level", run_args.trace_level, "Override the scenario's trace detail")
      ->check(CLI::IsMember({"full", "events"}));
  run->add_flag("--no-trace", run_args.no_trace, "Write no trace.h5 (report only)");
  run->add_flag("-q,--quiet", run_args.quiet, "Print nothing but errors");
  run->add_option("--pipeline", run_args.pipeline,
                  "A pipeline plugin (shared library, docs/plugins.md) run as the primary pipeline");
  run->add_option("--pipeline-config", run_args.pipeline_config,
                  "The plugin's configuration: JSON text, or @FILE (default: the scenario's, or {})");

  TepArgs tep_args;
  auto* tep = app.add_subcommand(
      "validate-tep",
      "PCA (T², Q), Mahalanobis and conformal detectors on the Tennessee Eastman data: false-alarm and "
      "missed-detection rates beside the published figures (JSON; see docs/detectors.md).");
  tep->add_option("--data", tep_args.data_dir,
                  "Directory with d00.dat, d00_te.dat, d01_te.dat, ... (default data/tep)");
  tep->add_option("--out", tep_args.out_file, "Write the JSON here instead of standard output");
  tep->add_option("--rule", tep_args.rule,
                  "How many principal components (default fixed: --components 9, the published count)")
      ->check(CLI::IsMember({"parallel_analysis", "kaiser", "cumulative_variance", "fixed"}));
  tep->add_option("--components", tep_args.components, "Components for --rule fixed (default 9)");
  tep->add_option(
         "--parallel-percentile", tep_args.parallel_percentile,
         "Parallel analysis against this percentile of the random eigenvalues (default 0: their mean)")
      ->check(CLI::Range(0.0, 0.999));
  twinbed::sim::pdm::PdmStudyCommand pdm_study(app);
  CheckTraceArgs check_args;
  double quiet_from_s = 0;
  auto* check = app.add_subcommand(
      "check-trace",
      "Judge a trace's cloud log against its ground truth (reconciliation properties R0-R12, "
      "docs/reconciliation.md): one line per property; exit 1 if one fails.");
  check->add_option("TRACE", check_args.trace, "trace.h5 of a run whose primary pipeline kept a cloud log")
      ->required();
  auto* quiet_opt = check->add_option(
      "--quiet-from", quiet_from_s,
      "Start of the quiet period, s (default: the trace's reconciliation_quiet_from_s attribute)");
  check->add_option("--json", check_args.json_out, "Write the verdicts and witnesses as JSON here");
  app.footer(
      "Examples:\n"
      "  twinbed validate scenarios/demo.json\n"
      "  twinbed run scenarios/demo.json --out out/demo\n"
      "  twinbed run scenarios/emi_spikes_vs_threshold.json --seed 7\n"
      "  twinbed validate-tep --data data/tep --out out/tep.json\n"
      "  twinbed check-trace out/demo/trace.h5 --json out/demo/reconciliation.json\n");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }
  try {
    if (*validate) return cmd_validate(validate_files);
    if (*tep) return cmd_validate_tep(tep_args);
    if (pdm_study.chosen()) return pdm_study.run();
    if (*check) {
      if (quiet_opt->count() > 0) check_args.quiet_from_s = quiet_from_s;
      return cmd_check_trace(check_args);
    }
    if (seed_opt->count() > 0) run_args.seed = seed;
    return cmd_run(run_args);
  } catch (const twinbed::sim::PluginError& e) {  // the user's plugin refused or misbehaved
    std::cerr << "twinbed: " << e.what() << std::endl;
    std::cout.flush();
    std::_Exit(kExitBadInput);
  } catch (const std::exception& e) {
    std::cerr << "twinbed: internal error: " << e.what() << std::endl;
    // Leave at once: after a failed write, HDF5's own exit handler would try to
    // close the half-written file again and crash. The error is reported;
    // there is nothing left worth cleaning up.
    std::cout.flush();
    std::_Exit(kExitInternal);
  }
}
