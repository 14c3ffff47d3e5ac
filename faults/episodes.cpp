#include "faults/episodes.hpp"

#include <algorithm>

namespace twinbed::faults {

EpisodeProcess::EpisodeProcess(const EpisodeParams& params, RandomStream stream)
    : params_(params), stream_(stream) {
  if (!params_.stochastic) {
    current_ = {params_.start_s, params_.end_s};
  } else {
    draw_next(params_.start_s);
  }
}

void EpisodeProcess::draw_next(double after_s) {
  const double inf = std::numeric_limits<double>::infinity();
  if (!params_.quiet_law && params_.onset_rate_per_s <= 0.0) {
    current_ = {inf, inf};
    return;
  }
  const double quiet_s = params_.quiet_law ? std::max(0.0, params_.quiet.sample(stream_))
                                           : stream_.exponential(1.0 / params_.onset_rate_per_s);
  const double start = after_s + quiet_s;
  const double duration = std::max(0.0, params_.duration.sample(stream_));
  current_ = {start, start + duration};
  current_recorded_ = false;
}

bool EpisodeProcess::advance_to(double t_s) {
  for (;;) {
    if (current_.start_s >= params_.end_s || t_s < current_.start_s) return false;
    if (!current_recorded_) {  // this episode has begun
      current_recorded_ = true;
      ++begun_;
      windows_.push_back({current_.start_s, std::min(current_.end_s, params_.end_s)});
    }
    if (t_s < current_.end_s && t_s < params_.end_s) return true;
    if (!params_.stochastic) return false;
    draw_next(current_.end_s);
  }
}

}  // namespace twinbed::faults
