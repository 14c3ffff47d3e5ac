#include "sim/pdm_study_command.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>

#include "sim/json_reader.hpp"
#include "sim/pdm_study.hpp"

namespace twinbed::sim::pdm {

namespace {
int report_errors(const ScenarioError& e) {
  std::cerr << "twinbed: the study file is not valid:\n";
  for (const auto& line : e.errors()) std::cerr << "  " << line << "\n";
  return 2;
}
}  // namespace

bool is_pdm_study_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  return doc.is_object() && doc.contains("study") && doc["study"] == "pdm";
}

int validate_pdm_study(const std::string& path) {
  try {
    const StudySpec s = load_pdm_study(path);
    std::cout << path << ": ok (pdm study: " << s.units << " units, " << s.sensors.size() << " sensors, "
              << s.faults.size() << " sensor faults, " << s.expect.size() << " expectations)\n";
    return 0;
  } catch (const ScenarioError& e) {
    return report_errors(e);
  }
}

PdmStudyCommand::PdmStudyCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "pdm-study",
      "Predictive maintenance: simulate a fleet to failure, train a failure-within-H model, judge it on "
      "held-out units (docs/pdm.md). Writes OUT/report.json and OUT/summary.txt.");
  command_->add_option("STUDY", file_, "Study file (JSON; see docs/pdm.md)")->required();
  seed_option_ = command_->add_option("--seed", seed_, "Replace the study's seed");
  command_->add_option("--out", out_dir_, "Output directory (default: out/<study file name without .json>)");
  command_->add_flag("-q,--quiet", quiet_, "Print nothing but errors");
}

int PdmStudyCommand::run() const {
  namespace fs = std::filesystem;
  StudySpec spec;
  try {
    spec = load_pdm_study(file_, seed_option_->count() > 0 ? std::optional(seed_) : std::nullopt);
  } catch (const ScenarioError& e) {
    return report_errors(e);
  }
  const std::string out = out_dir_.empty() ? "out/" + fs::path(file_).stem().string() : out_dir_;
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) {
    std::cerr << "twinbed: cannot create the output directory " << out << ": " << ec.message() << "\n";
    return 2;
  }
  spec.file = fs::path(spec.file).filename().string();
  const StudyResult result = run_pdm_study(spec);
  std::ofstream(out + "/report.json") << result.report.dump(2) << "\n";
  std::ofstream(out + "/summary.txt") << result.summary;
  if (!quiet_) std::cout << result.summary << "  output    " << out << "/report.json\n";
  return result.all_held() ? 0 : 1;
}

}  // namespace twinbed::sim::pdm
