#include "analysis/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace twinbed::analysis {

std::pair<double, double> wilson_interval(std::uint64_t k, std::uint64_t n, double z) {
  if (n == 0) return {0.0, 1.0};
  const double nn = static_cast<double>(n), p = static_cast<double>(k) / nn, z2 = z * z;
  const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / (1 + z2 / nn);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

std::vector<std::pair<const char*, std::optional<double>>> figures_of(const CalibrationResult& r) {
  auto n = [](std::uint64_t v) { return std::optional<double>(static_cast<double>(v)); };
  return {{"claimed_false_alarm_rate", r.claimed_false_alarm_rate},
          {"measured_false_alarm_rate", r.measured},
          {"ci95_lo", r.ci95_lo},
          {"ci95_hi", r.ci95_hi},
          {"claim_holds", r.claim_holds ? std::optional<double>(*r.claim_holds ? 1.0 : 0.0) : std::nullopt},
          {"decisions", n(r.decisions)},
          {"decisions_incident_free", n(r.decisions_incident_free)},
          {"false_alarms", n(r.false_alarms)}};
}

std::vector<CalibrationResult> check_calibration(const RunData& run, double early_warning_s,
                                                 double post_failure_grace_s) {
  std::vector<CalibrationResult> out;
  for (const CalibratedDecisions& d : run.calibrated) {
    CalibrationResult r;
    r.name = d.name;
    r.claimed_false_alarm_rate = d.claimed_false_alarm_rate;
    r.decisions = d.decision_times_s.size();
    // The scoring windows of incidents on the assets the detector watches.
    std::set<std::string> assets;
    for (std::uint32_t s : d.sensors)
      if (s < run.sensors.size()) assets.insert(run.sensors[s].asset);
    std::vector<std::pair<double, double>> windows;
    for (const Incident& inc : run.incidents)
      if (assets.count(inc.asset))
        windows.emplace_back(inc.abnormal_from_s - early_warning_s,
                             std::min(run.duration_s, inc.failure_s + post_failure_grace_s));
    for (std::size_t i = 0; i < d.decision_times_s.size(); ++i) {
      const double t = d.decision_times_s[i];
      const bool in_incident = std::any_of(windows.begin(), windows.end(),
                                           [t](const auto& w) { return t >= w.first && t <= w.second; });
      if (in_incident) continue;
      ++r.decisions_incident_free;
      if (d.alarms[i]) ++r.false_alarms;
    }
    if (r.decisions_incident_free > 0) {
      r.measured = static_cast<double>(r.false_alarms) / static_cast<double>(r.decisions_incident_free);
      const auto [lo, hi] = wilson_interval(r.false_alarms, r.decisions_incident_free);
      r.ci95_lo = lo;
      r.ci95_hi = hi;
      r.claim_holds = r.claimed_false_alarm_rate >= lo;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace twinbed::analysis
