#include "pipeline/noise_filter.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::pipeline {

NoiseFilter::NoiseFilter(std::vector<Rule> rules) {
  for (const Rule& r : rules) states_.push_back({r, false, 0.0, {}, {}});
}

double NoiseFilter::filter(std::size_t rule, double x, bool good) {
  State& s = states_[rule];
  if (!good || !std::isfinite(x)) return x;  // passes untouched, stays out of the state
  if (s.rule.kind == Kind::kEwma) {
    s.y = s.primed ? s.rule.alpha * x + (1.0 - s.rule.alpha) * s.y : x;
    s.primed = true;
    return s.y;
  }
  s.last.push_back(x);
  if (s.last.size() > static_cast<std::size_t>(s.rule.window)) s.last.pop_front();
  s.scratch.assign(s.last.begin(), s.last.end());
  const std::size_t n = s.scratch.size();
  const auto mid = s.scratch.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(s.scratch.begin(), mid, s.scratch.end());
  if (n % 2 == 1) return *mid;
  const double upper = *mid;
  const double lower = *std::max_element(s.scratch.begin(), mid);
  return 0.5 * (lower + upper);
}

void NoiseFilter::transform(EdgePass& pass, const EdgeContext& /*context*/) {
  for (std::size_t i = 0; i < pass.readings.size(); ++i) {
    if (pass.fate[i] != EdgeFate::kSend) continue;
    Record& r = pass.readings[i];
    for (std::size_t k = 0; k < states_.size(); ++k)
      if (states_[k].rule.sensor == r.sensor) r.value = filter(k, r.value, r.status == DeviceStatus::kGood);
  }
}

}  // namespace twinbed::pipeline
