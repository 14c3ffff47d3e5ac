// EpisodeProcess: when a fault is active, as a sequence of episodes.
//
// Two shapes, one interface:
// - scheduled: a single episode [start_s, end_s);
// - stochastic: an alternating renewal process inside [start_s, end_s):
//   quiet times are exponential (onsets are Poisson at `onset_rate_per_s`
//   while no episode runs) or follow the law `quiet` (e.g. Weibull up times
//   of an alternating up/down process); episode durations follow `duration`
//   (any Law: fixed, exponential, lognormal, Weibull, Pareto...). Long-run
//   fraction of time active = E[D] / (E[quiet] + E[D]).
// Queries must come in non-decreasing time (one sensor's samples). Every
// episode that began at or before the latest query is recorded in windows(),
// clipped to end_s, including episodes too short to hold a sample: the ground
// truth lists what was injected, not only what was seen.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "faults/laws.hpp"
#include "faults/random_stream.hpp"

namespace twinbed::faults {

struct Window {
  double start_s, end_s;
};

struct EpisodeParams {
  double start_s = 0.0;
  double end_s = std::numeric_limits<double>::infinity();
  bool stochastic = false;
  double onset_rate_per_s = 0.0;   ///< stochastic only (ignored when quiet_law is set)
  Law duration = Law::fixed(0.0);  ///< stochastic only, seconds
  bool quiet_law = false;          ///< quiet times follow `quiet`, not Exp(1/onset_rate)
  Law quiet = Law::fixed(0.0);
};

class EpisodeProcess {
 public:
  EpisodeProcess(const EpisodeParams& params, RandomStream stream);

  /// True when t_s lies inside an episode. Non-decreasing t_s. Inline fast
  /// paths: before the next episode, or inside the current one (recorded).
  bool active_at(double t_s) {
    if (t_s < current_.start_s) return false;
    if (current_recorded_ && t_s < current_.end_s && t_s < params_.end_s) return true;
    return advance_to(t_s);
  }
  /// The current episode (valid after active_at returned true).
  const Window& current() const { return current_; }
  /// Counts episodes begun so far; changes exactly when a new episode begins.
  std::uint64_t episode_number() const { return begun_; }
  const std::vector<Window>& windows() const { return windows_; }
  /// Runs the process to t_s and returns every episode begun before it.
  const std::vector<Window>& windows_until(double t_s) {
    active_at(t_s);
    return windows_;
  }
  const EpisodeParams& params() const { return params_; }

 private:
  void draw_next(double after_s);
  bool advance_to(double t_s);

  EpisodeParams params_;
  RandomStream stream_;
  Window current_{};
  bool current_recorded_ = false;
  std::uint64_t begun_ = 0;
  std::vector<Window> windows_;
};

}  // namespace twinbed::faults
