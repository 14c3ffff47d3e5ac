// EnergyMeter: battery and energy accounting for a battery-powered device.
//
// Modelled: coulomb counting. The simulator reports what the device does,
// activity by activity, each lasting a duration (sleep, sampling, a
// transmission, a receive window, a wake-up); the meter's clock advances by
// each duration in turn (the activities are exclusive states: each one's
// current is the whole device's draw during it, the sleep floor included),
// so time passes as the caller says. The charge drawn is accumulated in mAh
// per category (EnergyUse), and in joules as charge × the nominal voltage.
// A linear self-discharge (a % of the nominal capacity per month, month =
// 365.25 / 12 days) runs all the time as a constant extra current. The device
// browns out when the remaining charge falls to `cutoff_pct` of the capacity;
// the instant is exact (the current is constant within each activity), and
// from then on nothing more is drawn (calls return false).
// Projections: the average current since the start, and the lifetime the
// usable charge gives at that average (`projected_lifetime_s`).
//
// Not modelled: the battery's voltage curve and its effect on the current,
// rate-dependent capacity (Peukert), temperature, passivation of Li-SOCl2
// cells, pulse-current limits and supercapacitor buffering, regulator
// efficiency (fold it into the currents), energy harvesting.
//
// Deterministic: no random draws; pure arithmetic on what the caller reports.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace twinbed::devices {

enum class EnergyUse : std::uint8_t { kSleep, kSampling, kTx, kRx, kWakeUp, kSelfDischarge };
inline constexpr std::size_t kEnergyUseCount = 6;
std::string_view to_string(EnergyUse use);

struct EnergyParams {
  double battery_mah = 2400.0;     ///< nominal capacity (a 3.6 V Li-SOCl2 AA cell: 2400–2600 mAh)
  double voltage_v = 3.6;          ///< nominal: charge to energy, and tx_power_mw to current
  double sleep_current_ua = 10.0;  ///< the floor: deep sleep, or the modem in PSM (whole device)
  double active_current_ma = 5.0;  ///< MCU running, radio off (sampling, processing)
  double sample_active_s = 0.005;  ///< MCU time per sample
  double tx_current_ma = 40.0;     ///< whole device while transmitting, per second of air time
  double tx_power_mw = 0.0;        ///< > 0: the transmit draw as power instead (current = P / V)
  double rx_current_ma = 12.0;     ///< whole device while a receive window is open
  double wake_current_ma = 5.0;    ///< a wake-up from sleep (clock start-up, peripherals) ...
  double wake_s = 0.002;           ///< ... lasting this long
  double self_discharge_pct_per_month = 0.0;  ///< of the nominal capacity, linear
  double cutoff_pct = 0.0;  ///< brown-out when the remaining charge falls to this % of the capacity

  /// The transmit current: tx_power_mw / voltage_v when a power is given, else tx_current_ma.
  double tx_ma() const { return tx_power_mw > 0.0 ? tx_power_mw / voltage_v : tx_current_ma; }
  /// The self-discharge as a constant current, mA.
  double self_discharge_ma() const;
  /// The charge drawn before the brown-out, mAh.
  double usable_mah() const { return battery_mah * (1.0 - cutoff_pct / 100.0); }
};

/// Seconds in the month of `self_discharge_pct_per_month`: 365.25 / 12 days.
inline constexpr double kSecondsPerMonth = 365.25 / 12.0 * 86400.0;

class EnergyMeter {
 public:
  /// A full battery at `start_s`.
  explicit EnergyMeter(EnergyParams p, double start_s = 0.0);

  // Activities: each draws its current for its duration and advances the
  // clock by it. Each returns false once the device has browned out (then
  // only the clock moves). Negative durations: std::invalid_argument.
  bool sleep(double duration_s);
  /// Sleeps until `t_s` (not before now_s(): std::invalid_argument).
  bool sleep_until(double t_s);
  /// `count` samples, each `sample_active_s` of MCU at `active_current_ma`.
  bool sample(std::uint64_t count = 1);
  bool transmit(double airtime_s);
  bool receive(double window_s);
  /// `count` wake-ups, each `wake_s` at `wake_current_ma`.
  bool wake_up(std::uint64_t count = 1);
  /// Any other activity: `current_ma` for `duration_s`, charged to `use`.
  bool draw(EnergyUse use, double current_ma, double duration_s);

  double now_s() const { return now_s_; }
  double elapsed_s() const { return now_s_ - start_s_; }
  /// Time spent in an activity (kSelfDischarge: it runs all the time: the elapsed time).
  double time_s(EnergyUse use) const;
  double consumed_mah() const { return consumed_mah_; }
  double consumed_mah(EnergyUse use) const { return by_use_mah_[static_cast<std::size_t>(use)]; }
  /// Charge × the nominal voltage: 1 mAh = 3.6 C.
  double consumed_j() const { return consumed_mah_ * 3.6 * p_.voltage_v; }
  double consumed_j(EnergyUse use) const { return consumed_mah(use) * 3.6 * p_.voltage_v; }
  /// Charge left in the battery, mAh (the cut-off's share included).
  double remaining_mah() const { return p_.battery_mah - consumed_mah_; }
  bool depleted() const { return depleted_at_s_.has_value(); }
  /// When the device browned out, if it has.
  std::optional<double> depleted_at_s() const { return depleted_at_s_; }
  /// The average current since the start, mA (0 before any time has passed).
  double average_current_ma() const;
  /// The lifetime from the start at the average current: usable charge /
  /// average current, s (the real one once depleted; +inf if nothing is drawn).
  double projected_lifetime_s() const;
  /// What is left of it from now, s.
  double projected_remaining_s() const;
  const EnergyParams& params() const { return p_; }

 private:
  EnergyParams p_;
  double start_s_;
  double now_s_;
  double consumed_mah_ = 0.0;
  std::array<double, kEnergyUseCount> by_use_mah_{};
  std::array<double, kEnergyUseCount> by_use_s_{};
  std::optional<double> depleted_at_s_;
};

}  // namespace twinbed::devices
