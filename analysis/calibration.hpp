// Calibration check: does a detector's claimed false-alarm rate hold?
//
// A detector that claims a false-alarm rate ε (conformal p-values: alarm when
// p ≤ ε) reports every decision it took (pipeline::CalibratedDetector). Ground
// truth decides which decisions were taken on incident-free data: those whose
// time lies outside the scoring window of every incident on the assets its
// sensors watch. The measured rate is alarms / incident-free decisions, with a
// Wilson score interval at 95 %; the claim holds when ε is not below the
// interval (the measured rate is not significantly above the claim).
//
// Guarantee: a pure function of the run's incidents, the detector's report
// and the scoring options.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/trace_schema.hpp"

namespace twinbed::analysis {

struct CalibrationResult {
  std::string name;
  double claimed_false_alarm_rate = 0;
  std::uint64_t decisions = 0;                ///< every decision the detector took
  std::uint64_t decisions_incident_free = 0;  ///< of which on incident-free data
  std::uint64_t false_alarms = 0;             ///< alarms among those
  std::optional<double> measured;             ///< false_alarms / decisions_incident_free
  std::optional<double> ci95_lo, ci95_hi;     ///< Wilson score interval
  std::optional<bool> claim_holds;            ///< claimed ≥ ci95_lo
};

/// The figures of one result, named as in the report (calibration.<name>.<figure>).
std::vector<std::pair<const char*, std::optional<double>>> figures_of(const CalibrationResult& r);

/// The Wilson score interval for k successes in n trials at z (1.96: 95 %).
std::pair<double, double> wilson_interval(std::uint64_t k, std::uint64_t n, double z = 1.96);

/// Incident windows as scoring has them: [abnormal_from − early_warning_s, failure + post_failure_grace_s].
std::vector<CalibrationResult> check_calibration(const RunData& run, double early_warning_s,
                                                 double post_failure_grace_s);

}  // namespace twinbed::analysis
