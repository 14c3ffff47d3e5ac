// Report: the figures of a run as report.json, the expectations verdict, and
// a short human summary.
//
// Guarantee: report.json is a pure function of RunData and the scenario's
// expectations: no wall-clock figures, keys sorted, numbers printed in
// shortest round-trip form, so the same scenario and seed give identical bytes.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analysis/scoring.hpp"
#include "analysis/trace_schema.hpp"

namespace twinbed::analysis {

struct ExpectationBound {
  std::string metric;
  std::optional<double> min, max;
};

struct ExpectationResult {
  ExpectationBound bound;
  std::optional<double>
      value;  ///< nullopt: the metric is undefined for this run (e.g. precision with no alerts)
  bool held = false;
};

/// Flat metrics by dotted name; nullopt where a figure is undefined.
using Metrics = std::map<std::string, std::optional<double>>;

Metrics compute_metrics(const RunData& run, const Score& score);
std::vector<ExpectationResult> check_expectations(const Metrics& metrics,
                                                  const std::vector<ExpectationBound>& bounds);
nlohmann::json build_report(const RunData& run, const Score& score, const Metrics& metrics,
                            const std::vector<ExpectationResult>& expectations);
/// The reconciliation checker's verdicts, witnesses included (report section
/// "reconciliation"; also `twinbed check-trace --json`).
nlohmann::json reconciliation_json(const ReconciliationVerdicts& verdicts);
/// A few lines for a person at a terminal.
std::string human_summary(const RunData& run, const Score& score, const Metrics& metrics,
                          const std::vector<ExpectationResult>& expectations);

}  // namespace twinbed::analysis
