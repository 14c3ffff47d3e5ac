#include "analysis/pdm_evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace twinbed::analysis::pdm {

namespace {
constexpr double kSecondsPerYear = 365.25 * 86400.0;
}

std::optional<double> StopFigures::recall() const {
  if (failing_units == 0) return std::nullopt;
  return static_cast<double>(caught) / failing_units;
}

std::optional<double> StopFigures::false_stops_per_unit_year() const {
  if (unit_years <= 0) return std::nullopt;
  return false_stops / unit_years;
}

StopFigures evaluate_stops(const std::vector<const UnitTruth*>& truth,
                           const std::vector<const UnitWindows*>& windows,
                           const pipeline::pdm::StopRuleOptions& rule, double horizon_s) {
  if (truth.size() != windows.size()) throw std::invalid_argument("evaluate_stops: one truth per unit");
  StopFigures f;
  for (std::size_t u = 0; u < truth.size(); ++u) {
    const UnitTruth& t = *truth[u];
    const UnitWindows& w = *windows[u];
    ++f.units;
    const bool failing = t.fails_in_history();
    if (failing) ++f.failing_units;
    pipeline::pdm::StopRule stop_rule(rule);
    double watched_until_s = t.history_end_s;
    bool caught = false;
    for (std::size_t i = 0; i < w.end_s.size(); ++i) {
      const double at = w.end_s[i];
      if (!stop_rule.update(at, w.score[i])) continue;
      if (t.failure_s - at <= horizon_s) {
        ++f.true_stops;
        f.stops.push_back({u, at, true, "true"});
        if (failing) {
          caught = true;
          f.lead_times_s.push_back(t.failure_s - at);
        }
        watched_until_s = at;
        break;
      }
      ++f.false_stops;
      const char* cause = w.sensor_fault[i] ? "sensor_fault" : at >= t.onset_s ? "degrading_early" : "none";
      ++f.false_stops_by_cause[cause];
      f.stops.push_back({u, at, false, cause});
      stop_rule.restart(at);
    }
    if (failing) caught ? ++f.caught : ++f.missed;
    if (!w.end_s.empty()) f.unit_years += std::max(0.0, watched_until_s - w.end_s.front()) / kSecondsPerYear;
  }
  return f;
}

ThresholdChoice choose_threshold(const std::vector<const UnitTruth*>& truth,
                                 const std::vector<const UnitWindows*>& windows,
                                 pipeline::pdm::StopRuleOptions rule, double horizon_s,
                                 double max_false_stops_per_unit_year, ThresholdRule how,
                                 int max_candidates) {
  std::vector<double> scores;
  for (const UnitWindows* w : windows)
    for (double s : w->score)
      if (std::isfinite(s)) scores.push_back(s);
  std::sort(scores.begin(), scores.end());
  ThresholdChoice choice;
  const double n = static_cast<double>(scores.size());
  // Candidates from the highest score down to the median, log-spaced in the
  // fraction of windows above them: fine where the threshold of a rare event lies.
  std::vector<double> candidates;
  if (!scores.empty()) {
    const int k = std::max(2, max_candidates);
    for (int j = 0; j < k; ++j) {
      const double fraction = std::pow(0.5 * n, static_cast<double>(j) / (k - 1)) / n;  // 1/n .. 0.5
      const auto rank = static_cast<std::size_t>(
          std::clamp(n - std::ceil(fraction * n), 0.0, n - 1.0));  // index of the threshold
      candidates.push_back(scores[rank]);
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  }
  choice.candidates = static_cast<int>(candidates.size());
  // Scan from the highest. kMostSensitive keeps the lowest threshold that
  // meets the target; kFewestFalseStops the first (highest) that reaches the
  // most failures caught among those meeting it.
  for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) {
    rule.threshold = *it;
    StopFigures f = evaluate_stops(truth, windows, rule, horizon_s);
    const auto rate = f.false_stops_per_unit_year();
    if (!rate || *rate > max_false_stops_per_unit_year) continue;
    const bool better =
        !choice.met_target || how == ThresholdRule::kMostSensitive || f.caught > choice.validation.caught;
    if (!better) continue;
    choice.threshold = *it;
    choice.met_target = true;
    choice.validation = std::move(f);
  }
  if (!choice.met_target) {
    rule.threshold = choice.threshold;  // infinity: never stops
    choice.validation = evaluate_stops(truth, windows, rule, horizon_s);
  }
  return choice;
}

std::optional<double> roc_auc(const std::vector<double>& scores, const std::vector<std::uint8_t>& labels) {
  if (scores.size() != labels.size()) throw std::invalid_argument("roc_auc: one label per score");
  std::vector<std::size_t> order(scores.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  // Rank sum of positives with mid-ranks for ties.
  double rank_sum = 0, n_pos = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double mid_rank = 0.5 * (static_cast<double>(i + 1) + static_cast<double>(j));
    for (std::size_t k = i; k < j; ++k)
      if (labels[order[k]]) {
        rank_sum += mid_rank;
        ++n_pos;
      }
    i = j;
  }
  const double n_neg = static_cast<double>(scores.size()) - n_pos;
  if (n_pos == 0 || n_neg == 0) return std::nullopt;
  return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg);
}

std::optional<double> quantile(std::vector<double> values, double q) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const double h = (static_cast<double>(values.size()) - 1) * std::clamp(q, 0.0, 1.0);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (h - std::floor(h)) * (values[hi] - values[lo]);
}

}  // namespace twinbed::analysis::pdm
