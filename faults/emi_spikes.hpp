// EmiSpikes: electromagnetic-interference spikes on one sensor's value path.
//
// Arrivals are a homogeneous Poisson process (rate_per_hour); each spike has a
// heavy-tailed amplitude (Laplace with `amplitude_scale`, or a fixed ±k that is
// `amplitude_fixed`) with a random sign, and lasts `width_samples` consecutive
// samples. The process is consumed in time order by one sensor: `offset_at`
// must be called with non-decreasing sample times. It owns its RandomStream, so
// its draws are independent of every other fault and sensor.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "faults/random_stream.hpp"

namespace twinbed::faults {

enum class AmplitudeLaw { kLaplace, kFixed };

struct EmiSpikeParams {
  double rate_per_hour = 0.0;
  AmplitudeLaw law = AmplitudeLaw::kLaplace;
  double amplitude_scale = 1.0;  ///< Laplace scale, or the fixed magnitude, in engineering units
  int width_samples = 1;
  double start_s = 0.0;
  double end_s = std::numeric_limits<double>::infinity();
};

/// One spike that was injected, for ground truth.
struct EmiSpikeEvent {
  double start_s;
  double end_s;
  double amplitude;
};

class EmiSpikes {
 public:
  EmiSpikes(const EmiSpikeParams& params, RandomStream stream);

  /// Offset to add to the sample taken at t_s (0 outside spikes). Non-decreasing t_s.
  /// `sample_period_s` converts a width in samples into a duration.
  double offset_at(double t_s, double sample_period_s);

  /// Spikes that started so far; the caller drains it into the trace.
  std::vector<EmiSpikeEvent>& events() { return events_; }

 private:
  void draw_next_arrival();

  EmiSpikeParams params_;
  RandomStream stream_;
  double next_arrival_s_;
  double active_until_s_ = -1.0;
  double active_amplitude_ = 0.0;
  int samples_left_ = 0;
  std::vector<EmiSpikeEvent> events_;
};

}  // namespace twinbed::faults
