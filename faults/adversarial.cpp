#include "faults/adversarial.hpp"

#include <algorithm>
#include <stdexcept>

namespace twinbed::faults {

std::vector<double> spoof_times(double rate_per_s, double start_s, double end_s,
                                const std::vector<double>& at_s, RandomStream& draws) {
  std::vector<double> t;
  if (rate_per_s > 0)
    for (double x = start_s + draws.exponential(1.0 / rate_per_s); x < end_s;
         x += draws.exponential(1.0 / rate_per_s))
      t.push_back(x);
  for (double x : at_s)
    if (x >= start_s && x < end_s) t.push_back(x);
  std::sort(t.begin(), t.end());
  return t;
}

TamperMode tamper_mode(const std::string& name) {
  if (name == "offset") return TamperMode::kOffset;
  if (name == "scale") return TamperMode::kScale;
  if (name == "set") return TamperMode::kSet;
  throw std::invalid_argument("tamper mode: " + name);
}

}  // namespace twinbed::faults
