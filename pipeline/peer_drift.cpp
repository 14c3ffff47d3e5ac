#include "pipeline/peer_drift.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::pipeline {

PeerDrift::PeerDrift(const PeerDriftOptions& options, std::span<const SensorInfo> sensors)
    : options_(options), state_(options.enabled ? sensors.size() : 0) {
  for (std::size_t i = 0; i < state_.size(); ++i) {
    if (!options.measurands.empty() && std::find(options.measurands.begin(), options.measurands.end(),
                                                 sensors[i].measurand) == options.measurands.end())
      continue;  // not watched: no peers, never updates
    state_[i].min_sigma =
        std::max(1e-12, options.min_sigma_fraction_of_range * (sensors[i].range_hi - sensors[i].range_lo));
    for (std::size_t j = 0; j < sensors.size(); ++j)
      if (j != i && sensors[j].measurand == sensors[i].measurand &&
          sensors[j].device_id != sensors[i].device_id)
        state_[i].peers.push_back(static_cast<std::uint32_t>(j));
  }
}

double PeerDrift::residual_sigma(std::uint32_t sensor) const {
  const State& s = state_[sensor];
  const double var = s.n > 1 ? s.m2 / static_cast<double>(s.n - 1) : 0.0;
  return std::max(s.min_sigma, std::sqrt(var));
}

std::optional<Transition> PeerDrift::update(std::uint32_t sensor, double t, double x) {
  if (sensor >= state_.size()) return std::nullopt;
  State& s = state_[sensor];
  s.has_latest = true;
  s.latest_s = t;
  s.latest = x;
  scratch_.clear();
  for (std::uint32_t p : s.peers) {
    const State& q = state_[p];
    if (q.has_latest && std::fabs(t - q.latest_s) <= options_.peer_fresh_s) scratch_.push_back(q.latest);
  }
  if (scratch_.empty()) return std::nullopt;
  const auto mid = scratch_.begin() + static_cast<std::ptrdiff_t>(scratch_.size() / 2);
  std::nth_element(scratch_.begin(), mid, scratch_.end());
  double median = *mid;
  if (scratch_.size() % 2 == 0) median = 0.5 * (median + *std::max_element(scratch_.begin(), mid));
  const double r = x - median;
  if (s.n < options_.training_samples) {
    ++s.n;
    const double d = r - s.mean;
    s.mean += d / static_cast<double>(s.n);
    s.m2 += d * (r - s.mean);
    return std::nullopt;
  }
  const double z = (r - s.mean) / residual_sigma(sensor);
  if (!s.raised && options_.baseline_samples > 0) s.mean += (r - s.mean) / options_.baseline_samples;
  const double h = options_.h_sigma;
  s.s_hi = std::clamp(s.s_hi + z - options_.k_sigma, 0.0, 2 * h);
  s.s_lo = std::clamp(s.s_lo - z - options_.k_sigma, 0.0, 2 * h);
  const double score = std::max(s.s_hi, s.s_lo);
  if (!s.raised && score > h) {
    s.raised = true;
    return Transition{AlertTransition::kRaise, score,
                      score >= 2 * h ? Severity::kCritical : Severity::kWarning};
  }
  if (s.raised && score == 0.0) {
    s.raised = false;
    return Transition{AlertTransition::kClear, score, Severity::kWarning};
  }
  return std::nullopt;
}

}  // namespace twinbed::pipeline
