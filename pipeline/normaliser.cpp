#include "pipeline/normaliser.hpp"

#include <cmath>

namespace twinbed::pipeline {

void Normaliser::transform(EdgePass& pass, const EdgeContext& /*context*/) {
  for (std::size_t i = 0; i < pass.readings.size(); ++i) {
    if (pass.fate[i] != EdgeFate::kSend) continue;
    Record& r = pass.readings[i];
    if (r.status != DeviceStatus::kGood || !std::isfinite(r.value)) continue;
    for (const Rule& rule : rules_)
      if (rule.sensor == r.sensor) r.value = rule.offset + rule.scale * r.value;
  }
}

}  // namespace twinbed::pipeline
