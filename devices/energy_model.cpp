#include "devices/energy_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace twinbed::devices {

std::string_view to_string(EnergyUse use) {
  switch (use) {
    case EnergyUse::kSleep:
      return "sleep";
    case EnergyUse::kSampling:
      return "sampling";
    case EnergyUse::kTx:
      return "tx";
    case EnergyUse::kRx:
      return "rx";
    case EnergyUse::kWakeUp:
      return "wake_up";
    case EnergyUse::kSelfDischarge:
      return "self_discharge";
  }
  return "?";
}

double EnergyParams::self_discharge_ma() const {
  // mAh per month over the month's hours.
  return battery_mah * self_discharge_pct_per_month / 100.0 / (kSecondsPerMonth / 3600.0);
}

EnergyMeter::EnergyMeter(EnergyParams p, double start_s) : p_(p), start_s_(start_s), now_s_(start_s) {
  if (!(p_.battery_mah > 0.0) || !(p_.voltage_v > 0.0))
    throw std::invalid_argument("EnergyParams: battery_mah and voltage_v must be positive");
  if (p_.cutoff_pct < 0.0 || p_.cutoff_pct >= 100.0)
    throw std::invalid_argument("EnergyParams: cutoff_pct must be in [0, 100)");
}

bool EnergyMeter::draw(EnergyUse use, double current_ma, double duration_s) {
  if (!(duration_s >= 0.0) || !(current_ma >= 0.0))
    throw std::invalid_argument("EnergyMeter: negative duration or current");
  if (depleted()) {
    now_s_ += duration_s;
    return false;
  }
  const double sd_ma = p_.self_discharge_ma();
  const double total_ma = current_ma + sd_ma;
  const double left_mah = p_.usable_mah() - consumed_mah_;
  double dt_s = duration_s;
  if (total_ma * duration_s / 3600.0 >= left_mah && total_ma > 0.0) {
    dt_s = std::max(0.0, left_mah) * 3600.0 / total_ma;  // the brown-out, inside this activity
    depleted_at_s_ = now_s_ + dt_s;
  }
  const std::size_t u = static_cast<std::size_t>(use);
  by_use_mah_[u] += current_ma * dt_s / 3600.0;
  by_use_mah_[static_cast<std::size_t>(EnergyUse::kSelfDischarge)] += sd_ma * dt_s / 3600.0;
  by_use_s_[u] += dt_s;
  consumed_mah_ += total_ma * dt_s / 3600.0;
  now_s_ += duration_s;
  return !depleted();
}

bool EnergyMeter::sleep(double duration_s) {
  return draw(EnergyUse::kSleep, p_.sleep_current_ua / 1000.0, duration_s);
}

bool EnergyMeter::sleep_until(double t_s) {
  if (t_s < now_s_) throw std::invalid_argument("EnergyMeter::sleep_until: a time in the past");
  return sleep(t_s - now_s_);
}

bool EnergyMeter::sample(std::uint64_t count) {
  return draw(EnergyUse::kSampling, p_.active_current_ma, static_cast<double>(count) * p_.sample_active_s);
}

bool EnergyMeter::transmit(double airtime_s) {
  return draw(EnergyUse::kTx, p_.tx_ma(), airtime_s);
}

bool EnergyMeter::receive(double window_s) {
  return draw(EnergyUse::kRx, p_.rx_current_ma, window_s);
}

bool EnergyMeter::wake_up(std::uint64_t count) {
  return draw(EnergyUse::kWakeUp, p_.wake_current_ma, static_cast<double>(count) * p_.wake_s);
}

double EnergyMeter::time_s(EnergyUse use) const {
  if (use == EnergyUse::kSelfDischarge) return elapsed_s();
  return by_use_s_[static_cast<std::size_t>(use)];
}

double EnergyMeter::average_current_ma() const {
  const double t = (depleted() ? *depleted_at_s_ : now_s_) - start_s_;
  return t > 0.0 ? consumed_mah_ * 3600.0 / t : 0.0;
}

double EnergyMeter::projected_lifetime_s() const {
  if (depleted()) return *depleted_at_s_ - start_s_;
  const double i_ma = average_current_ma();
  return i_ma > 0.0 ? p_.usable_mah() * 3600.0 / i_ma : std::numeric_limits<double>::infinity();
}

double EnergyMeter::projected_remaining_s() const {
  if (depleted()) return 0.0;
  const double i_ma = average_current_ma();
  return i_ma > 0.0 ? (p_.usable_mah() - consumed_mah_) * 3600.0 / i_ma
                    : std::numeric_limits<double>::infinity();
}

}  // namespace twinbed::devices
