#include "faults/device_clock.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace twinbed::faults {

DeviceClock::DeviceClock(ClockParams params, std::uint64_t seed, const std::string& device_id,
                         std::function<bool(double)> reachable)
    : p_(std::move(params)),
      reachable_(std::move(reachable)),
      walk_(seed, device_id, "clock_walk"),
      sync_(seed, device_id, "clock_sync"),
      next_poll_s_(p_.sync == ClockSync::kNone ? std::numeric_limits<double>::infinity() : p_.poll_s) {
  std::sort(p_.steps.begin(), p_.steps.end(), [](const auto& a, const auto& b) { return a.at_s < b.at_s; });
  for (const StampFault& f : p_.stamp_faults) {
    stamp_activity_.emplace_back(f.activity, RandomStream(seed, f.fault_id + "@" + device_id, "activity"));
    stamp_draws_.emplace_back(seed, f.fault_id + "@" + device_id, "value");
  }
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
  for (;;) {
    const double next_step_s = next_step_ < p_.steps.size() ? p_.steps[next_step_].at_s : INFINITY;
    const double next_s = std::min(next_step_s, next_poll_s_);
    if (next_s > t_s) break;
    run_to(next_s);
    if (next_s == next_step_s) {
      const auto& s = p_.steps[next_step_++];
      steps_s_ += s.step_s;
      events_.push_back({"clock_step", s.fault_id, s.at_s, s.step_s});
      continue;
    }
    next_poll_s_ += p_.poll_s;
    if (reachable_ && !reachable_(next_s)) continue;  // no reference: nothing to correct against
    const double measured = free_error(next_s) + correction_s_ + p_.sync_noise_s * sync_.normal();
    if (p_.sync == ClockSync::kSntp) {
      correction_s_ -= measured;
      slew_remaining_s_ = 0;
      ++sync_steps_;
      events_.push_back({"clock_sync_step", "(sntp)", next_s, -measured});
      continue;
    }
    const double abs_offset = std::fabs(measured);
    if (abs_offset > p_.panic_s && !p_.force_step) {  // ntpd exits rather than jump that far
      if (sync_refusals_++ == 0 || events_.empty() || events_.back().kind != "clock_sync_refused")
        events_.push_back({"clock_sync_refused", "(ntp)", next_s, -measured});
      continue;
    }
    if (abs_offset <= p_.step_threshold_s) {
      slew_remaining_s_ = -measured;
      over_threshold_since_s_.reset();
      continue;
    }
    if (!over_threshold_since_s_) over_threshold_since_s_ = next_s;
    if (next_s - *over_threshold_since_s_ >= p_.stepout_s) {
      correction_s_ -= measured;
      slew_remaining_s_ = 0;
      over_threshold_since_s_.reset();
      ++sync_steps_;
      events_.push_back({"clock_sync_step", "(ntp)", next_s, -measured});
    }
  }
  run_to(t_s);
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
