// `twinbed pdm-study STUDY.json [--seed N] [--out DIR] [-q]`: the CLI
// subcommand of the predictive-maintenance study (sim/pdm_study.hpp).
//
// Writes OUT/report.json (sorted keys; same file and seed, same bytes) and
// OUT/summary.txt, prints the summary unless quiet. Exit codes as `run`:
// 0 every expectation held, 1 one failed, 2 bad input (file, JSON path,
// expected vs found), 3 internal error (raised to main).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace twinbed::sim::pdm {

/// True when `path` holds a JSON object with "study": "pdm" (a study file, not a scenario).
bool is_pdm_study_file(const std::string& path);
/// `twinbed validate` on a study file: prints "FILE: ok (...)" or the errors; returns the exit code.
int validate_pdm_study(const std::string& path);

class PdmStudyCommand {
 public:
  /// Registers the subcommand on `app`.
  explicit PdmStudyCommand(CLI::App& app);
  /// True when the command line chose this subcommand.
  bool chosen() const { return command_->parsed(); }
  /// Runs the study; returns the exit code.
  int run() const;

 private:
  CLI::App* command_;
  CLI::Option* seed_option_;
  std::string file_;
  std::string out_dir_;
  std::uint64_t seed_ = 0;
  bool quiet_ = false;
};

}  // namespace twinbed::sim::pdm
