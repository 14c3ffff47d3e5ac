#include "faults/device_clock.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace twinbed::faults {

namespace {
constexpr std::size_t kFilterStages = 8;    // RFC 5905 NSTAGE
constexpr double kPrecision_s = 0x1.0p-20;  // the local clock's precision, ~1 µs (ntpd measures it)
constexpr double kPollGate = 4.0;           // RFC 5905 PGATE
constexpr int kPollLimit = 30;              // RFC 5905 LIMIT
constexpr double kJitterAverage = 4.0;      // RFC 5905 AVG
constexpr double kInfinity = std::numeric_limits<double>::infinity();

int log2_poll(double poll_s) {
  return static_cast<int>(std::lround(std::log2(poll_s)));
}
}  // namespace

DeviceClock::DeviceClock(ClockParams params, std::uint64_t seed, const std::string& device_id,
                         std::function<bool(double)> reachable)
    : p_(std::move(params)),
      legacy_(true),
      reachable_(std::move(reachable)),
      walk_(seed, device_id, "clock_walk"),
      sync_(seed, device_id, "clock_sync"),
      poll_interval_s_(p_.sync == ClockSync::kNtp && p_.adaptive_poll ? p_.min_poll_s : p_.poll_s),
      next_poll_s_(p_.sync == ClockSync::kNone ? kInfinity : poll_interval_s_),
      poll_jitter_s_(kPrecision_s) {
  std::sort(p_.steps.begin(), p_.steps.end(), [](const auto& a, const auto& b) { return a.at_s < b.at_s; });
  for (const StampFault& f : p_.stamp_faults) {
    stamp_activity_.emplace_back(f.activity, RandomStream(seed, f.fault_id + "@" + device_id, "activity"));
    stamp_draws_.emplace_back(seed, f.fault_id + "@" + device_id, "value");
  }
}

DeviceClock::DeviceClock(ClockParams params, std::uint64_t seed, const std::string& device_id,
                         SyncPathFn path)
    : DeviceClock(std::move(params), seed, device_id, std::function<bool(double)>{}) {
  legacy_ = false;
  path_ = std::move(path);
}

double DeviceClock::free_error(double t_s) const {
  const double ageing_per_s2 = p_.ageing_ppm_per_day * 1e-6 / 86400.0;
  double e =
      p_.offset_s + p_.skew_ppm * 1e-6 * t_s + 0.5 * ageing_per_s2 * t_s * t_s + steps_s_ + walk_phase_s_;
  if (p_.periodic_amplitude_s != 0.0)
    e += p_.periodic_amplitude_s * std::sin(2.0 * std::numbers::pi * t_s / p_.periodic_period_s);
  return e;
}

void DeviceClock::advance(double t_s) {
  const double sigma_walk = p_.rw_ppm_per_sqrt_day * 1e-6 / std::sqrt(86400.0);
  auto run_to = [&](double to_s) {  // continuous parts: random walk and slew
    const double dt = to_s - now_s_;
    if (dt <= 0) return;
    if (sigma_walk > 0) {
      walk_phase_s_ += walk_freq_ * dt;
      walk_freq_ += sigma_walk * std::sqrt(dt) * walk_.normal();
    }
    if (slew_remaining_s_ != 0.0) {
      const double amount = std::min(std::fabs(slew_remaining_s_), p_.max_slew_ppm * 1e-6 * dt);
      const double signed_amount = std::copysign(amount, slew_remaining_s_);
      correction_s_ += signed_amount;
      slew_remaining_s_ -= signed_amount;
    }
    now_s_ = to_s;
  };
  // Events in time order; at equal times a scheduled step, then an arrival, then a poll.
  for (;;) {
    const double next_step_s = next_step_ < p_.steps.size() ? p_.steps[next_step_].at_s : kInfinity;
    const double next_arrival_s = in_flight_.empty() ? kInfinity : in_flight_.front().arrive_s;
    const double next_s = std::min({next_step_s, next_arrival_s, next_poll_s_});
    if (next_s > t_s) break;
    run_to(next_s);
    if (next_s == next_step_s) {
      const auto& s = p_.steps[next_step_++];
      steps_s_ += s.step_s;
      events_.push_back({"clock_step", s.fault_id, s.at_s, s.step_s});
    } else if (next_s == next_arrival_s) {
      const Exchange x = in_flight_.front();
      in_flight_.erase(in_flight_.begin());
      receive(x);
    } else {
      send_poll(next_s);
    }
  }
  run_to(t_s);
}

void DeviceClock::send_poll(double t_s) {
  next_poll_s_ = t_s + poll_interval_s_;
  ++sync_polls_;
  if (p_.sync == ClockSync::kNtp) {
    // Three polls in a row unanswered: an empty stage ages the filter (RFC 5905 poll()).
    if (sync_polls_ > 3 && (reach_ & 0x7) == 0) {
      filter_.push_back({t_s, 0.0, kInfinity, 0.0, false});
      if (filter_.size() > kFilterStages) filter_.erase(filter_.begin());
    }
    reach_ = static_cast<std::uint8_t>(reach_ << 1);
  }
  std::optional<SyncPath> path;
  double processing_s = p_.server_processing_s;
  if (legacy_) {  // zero-delay path, instantaneous server with error N(0, sync_noise_s)
    processing_s = 0.0;
    // (Negated: the old model's measurement error, draw for draw and bit for bit.)
    if (!reachable_ || reachable_(t_s)) path = SyncPath{true, 0.0, 0.0, -(p_.sync_noise_s * sync_.normal())};
  } else {
    path = path_ ? path_(t_s) : SyncPath{};
  }
  if (!path || !path->reachable) return;  // lost: no response, nothing to correct against
  const double u = path->uplink_delay_s, d = path->downlink_delay_s;
  if (!(u >= 0.0) || !(d >= 0.0) || !std::isfinite(u) || !std::isfinite(d))
    throw std::invalid_argument("DeviceClock: a sync path delay must be finite and >= 0");
  const double round_trip_s = u + processing_s + d;
  const double server_receive_rel_s = u + path->server_error_s;  // T2 − t1
  const Exchange x{t_s,
                   t_s + round_trip_s,
                   round_trip_s,
                   free_error(t_s) + correction_s_,  // T1 − t1: the device clock at t1
                   server_receive_rel_s,
                   server_receive_rel_s + processing_s,  // T3 − t1
                   correction_s_};
  const auto at = std::upper_bound(in_flight_.begin(), in_flight_.end(), x.arrive_s,
                                   [](double a, const Exchange& e) { return a < e.arrive_s; });
  in_flight_.insert(at, x);
}

void DeviceClock::receive(const Exchange& x) {
  ++sync_responses_;
  reach_ |= 1;
  const double t4_rel_s = x.round_trip_s + free_error(x.arrive_s) + correction_s_;  // T4 − t1
  const double offset_s = ((x.t2_rel_s - x.t1_rel_s) + (x.t3_rel_s - t4_rel_s)) / 2;
  // Negative only if the clock was stepped back during the exchange (RFC 5905 clamps it too).
  const double delay_s = std::max((t4_rel_s - x.t1_rel_s) - (x.t3_rel_s - x.t2_rel_s), 0.0);
  last_delay_s_ = delay_s;
  // θ = −(e(t1) + e(t4))/2 + ...: the discipline's part of it is the mean of its corrections then.
  const Sample s{x.sent_s, offset_s, delay_s, (x.correction_at_send_s + correction_s_) / 2, true};
  if (p_.sync == ClockSync::kSntp) {
    correction_s_ += offset_s;
    slew_remaining_s_ = 0;
    ++sync_steps_;
    events_.push_back({"clock_sync_step", "(sntp)", x.arrive_s, offset_s});
    accept(s);
    return;
  }
  filter_.push_back(s);
  if (filter_.size() > kFilterStages) filter_.erase(filter_.begin());
  // The smallest delay; an older sample displaces a newer one only if its
  // delay is smaller by more than the clock's precision (the device cannot
  // tell smaller differences apart).
  const Sample* best = nullptr;
  for (auto it = filter_.rbegin(); it != filter_.rend(); ++it)
    if (it->valid && (!best || it->delay_s < best->delay_s - kPrecision_s)) best = &*it;
  if (!best || best->sent_s <= last_used_sent_s_) return;  // used once, never an older one
  last_used_sent_s_ = best->sent_s;
  if (best->delay_s / 2 > p_.max_distance_s) return;  // the server is unfit
  ntp_update(*best);
}

void DeviceClock::ntp_update(Sample s) {
  // The sample's offset, less what the discipline has applied since it was measured.
  const double offset_s = s.offset_s - (correction_s_ - s.correction_ref_s);
  const double abs_offset = std::fabs(offset_s);
  if (abs_offset > p_.panic_s && !p_.force_step) {  // ntpd exits rather than jump that far
    if (sync_refusals_++ == 0 || events_.empty() || events_.back().kind != "clock_sync_refused")
      events_.push_back({"clock_sync_refused", "(ntp)", now_s_, offset_s});
    return;
  }
  if (abs_offset <= p_.step_threshold_s) {
    slew_remaining_s_ = offset_s;
    over_threshold_since_s_.reset();
    accept(s);
    adjust_poll(offset_s);
    return;
  }
  if (!over_threshold_since_s_) over_threshold_since_s_ = now_s_;
  if (now_s_ - *over_threshold_since_s_ >= p_.stepout_s) {
    correction_s_ += offset_s;
    slew_remaining_s_ = 0;
    over_threshold_since_s_.reset();
    ++sync_steps_;
    events_.push_back({"clock_sync_step", "(ntp)", now_s_, offset_s});
    accept(s);
    filter_.clear();         // ntpd resets its associations after a step
    if (p_.adaptive_poll) {  // RFC 5905: back to the minimum poll after a step
      set_poll_interval(p_.min_poll_s);
      poll_count_ = 0;
      poll_jitter_s_ = kPrecision_s;
    }
  }
}

void DeviceClock::accept(const Sample& s) {
  accepted_ = s;
}

void DeviceClock::adjust_poll(double offset_s) {
  if (!p_.adaptive_poll) return;
  // RFC 5905 local_clock(): the jitter is an average of successive offset
  // differences; the interval doubles after enough offsets under PGATE x jitter
  // (the count grows by the poll exponent) and halves after enough above.
  const double diff_s = std::max(std::fabs(offset_s - last_offset_s_), kPrecision_s);
  last_offset_s_ = offset_s;
  poll_jitter_s_ = std::sqrt(poll_jitter_s_ * poll_jitter_s_ +
                             (diff_s * diff_s - poll_jitter_s_ * poll_jitter_s_) / kJitterAverage);
  const int exponent = log2_poll(poll_interval_s_);
  if (std::fabs(offset_s) < kPollGate * poll_jitter_s_) {
    poll_count_ += exponent;
    if (poll_count_ > kPollLimit) {
      poll_count_ = kPollLimit;
      if (poll_interval_s_ < p_.max_poll_s) {
        poll_count_ = 0;
        set_poll_interval(std::min(2 * poll_interval_s_, p_.max_poll_s));
      }
    }
  } else {
    poll_count_ -= 2 * exponent;
    if (poll_count_ < -kPollLimit) {
      poll_count_ = -kPollLimit;
      if (poll_interval_s_ > p_.min_poll_s) {
        poll_count_ = 0;
        set_poll_interval(std::max(poll_interval_s_ / 2, p_.min_poll_s));
      }
    }
  }
}

void DeviceClock::set_poll_interval(double poll_s) {
  // The next poll follows the last one by the new interval (never in the past).
  next_poll_s_ = std::max(next_poll_s_ - poll_interval_s_ + poll_s, now_s_);
  poll_interval_s_ = poll_s;
}

double DeviceClock::declared_uncertainty_s(double t_s) {
  advance(t_s);
  if (!accepted_) return kInfinity;
  return accepted_->delay_s / 2 + p_.assumed_tolerance_ppm * 1e-6 * (t_s - accepted_->sent_s) +
         std::fabs(slew_remaining_s_);
}

double DeviceClock::error_at(double t_s) {
  advance(t_s);
  return free_error(t_s) + correction_s_;
}

void DeviceClock::reset(double t_s, double error_s, const std::string& fault_id) {
  const double before_s = error_at(t_s);
  correction_s_ += error_s - before_s;
  slew_remaining_s_ = 0;
  over_threshold_since_s_.reset();
  in_flight_.clear();
  filter_.clear();
  accepted_.reset();
  events_.push_back({"clock_reset", fault_id, t_s, error_s - before_s});
}

double DeviceClock::stamp(double t_s) {
  const double e = error_at(t_s);
  max_abs_error_s_ = std::max(max_abs_error_s_, std::fabs(e));
  double stamp = t_s + e;
  for (std::size_t i = 0; i < p_.stamp_faults.size(); ++i) {
    const StampFault& f = p_.stamp_faults[i];
    if (!stamp_activity_[i].active_at(t_s)) continue;
    if (f.probability < 1.0 && stamp_draws_[i].uniform() >= f.probability) continue;
    if (f.kind == "timestamp_null") return std::numeric_limits<double>::quiet_NaN();
    stamp += f.shift_s;
  }
  return stamp;
}

std::vector<std::pair<const StampFault*, Window>> DeviceClock::stamp_fault_windows() const {
  std::vector<std::pair<const StampFault*, Window>> out;
  for (std::size_t i = 0; i < p_.stamp_faults.size(); ++i)
    for (const Window& w : stamp_activity_[i].windows()) out.push_back({&p_.stamp_faults[i], w});
  return out;
}

}  // namespace twinbed::faults
