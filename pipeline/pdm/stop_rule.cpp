#include "pipeline/pdm/stop_rule.hpp"

namespace twinbed::pipeline::pdm {

bool StopRule::update(double window_end_s, double score) {
  if (window_end_s < holdoff_until_s_) return false;
  if (score >= options_.threshold)  // false for NaN
    ++run_;
  else
    run_ = 0;
  if (run_ < options_.consecutive_windows) return false;
  run_ = 0;
  return true;
}

void StopRule::restart(double at_s) {
  run_ = 0;
  holdoff_until_s_ = at_s + options_.holdoff_s;
}

}  // namespace twinbed::pipeline::pdm
