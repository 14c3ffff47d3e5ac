#include "faults/emi_spikes.hpp"

#include <cmath>

namespace twinbed::faults {

EmiSpikes::EmiSpikes(const EmiSpikeParams& params, RandomStream stream)
    : params_(params), stream_(stream), next_arrival_s_(params.start_s) {
  draw_next_arrival();
}

void EmiSpikes::draw_next_arrival() {
  if (params_.rate_per_hour <= 0.0) {
    next_arrival_s_ = std::numeric_limits<double>::infinity();
    return;
  }
  next_arrival_s_ += stream_.exponential(3600.0 / params_.rate_per_hour);
}

double EmiSpikes::offset_at(double t_s, double sample_period_s) {
  if (samples_left_ > 0) {  // arrivals during an active spike merge into it
    --samples_left_;
    while (next_arrival_s_ <= t_s) draw_next_arrival();
    return active_amplitude_;
  }
  if (t_s < next_arrival_s_) return 0.0;
  // One or more arrivals fell in (previous sample, t_s]: they hit this sample.
  // Arrivals that overlap an active spike merge into it (a sensor sees one spike).
  while (next_arrival_s_ <= t_s) draw_next_arrival();
  if (t_s >= params_.end_s) return 0.0;
  const double sign = stream_.bernoulli(0.5) ? 1.0 : -1.0;
  const double magnitude = params_.law == AmplitudeLaw::kLaplace
                               ? std::fabs(stream_.laplace(params_.amplitude_scale))
                               : params_.amplitude_scale;
  active_amplitude_ = sign * magnitude;
  samples_left_ = params_.width_samples - 1;
  events_.push_back({t_s, t_s + params_.width_samples * sample_period_s, active_amplitude_});
  return active_amplitude_;
}

}  // namespace twinbed::faults
