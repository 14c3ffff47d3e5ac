// PumpModel: a motor-driven centrifugal pump with a bearing that wears out.
//
// The state is a closed-form function of time (equations in docs/physics.md),
// so any sensor can evaluate it for a batch of sample times without a shared
// physics actor, and two sensors on one pump always see one physical truth.
//
//   load      L(t)  = clamp(L0 + A sin(2π t/P + φ) + S(⌊t/Δ⌋), L_min, 1)
//   wear      w(t)  = 0 before onset; w0 · exp((t − t_on)/τ) after, τ = T_f / ln(1/w0)
//   failure   t_f   = t_on + T_f  (w reaches 1); the pump stops for good
//   flow      Q     = Q_r · L
//   current   I     = I_0 + (I_r − I_0) · L · (1 + k_f w)
//   vibration v     = v_0 (0.6 + 0.4 L) + v_w · w
//   bearing T T_b   = T_amb + ΔT_L · L + ΔT_w · w ; after failure it cools: exp(−(t − t_f)/τ_c)
//
// After failure (or a stop) flow, current and vibration are zero.
// Stops (stop(): an interlock or an operator) are windows in which the pump
// does not run: flow, current and vibration are zero and the bearing cools
// from its temperature at the stop; it runs again at the window's end. Wear
// keeps its clock through a stop (a simplification: stops are short beside
// the days a bearing takes to fail). Stops must be added in time order and
// never before a time already evaluated (the world adds them at the current
// simulated time).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace twinbed::devices {

/// kVibrationWaveform: the vibration velocity itself (devices/vibration_waveform.hpp),
/// whose RMS over whole shaft turns is kVibrationRms.
enum class PumpSignal { kVibrationRms, kBearingTemp, kMotorCurrent, kFlow, kVibrationWaveform };

/// Parses "vibration_rms", "bearing_temp", "motor_current", "flow", "vibration_waveform"; false if unknown.
bool parse_pump_signal(const std::string& name, PumpSignal& out);
const char* pump_signal_unit(PumpSignal s);

struct PumpParams {
  double load_mean = 0.7;
  double load_amplitude = 0.1;
  double load_period_s = 3600.0;
  double load_step_std = 0.03;
  double load_step_interval_s = 900.0;
  double flow_rated_m3h = 120.0;
  double current_no_load_a = 8.0;
  double current_rated_a = 30.0;
  double friction_gain = 0.15;
  double vibration_base_mm_s = 2.0;
  double vibration_wear_mm_s = 9.0;
  double ambient_c = 25.0;
  double temp_rise_load_c = 30.0;
  double temp_rise_wear_c = 35.0;
  double cooling_tau_s = 1200.0;
  // Degradation: none unless `degrades`.
  bool degrades = false;
  double onset_s = std::numeric_limits<double>::infinity();
  double time_to_failure_s = std::numeric_limits<double>::infinity();
  double initial_wear = 0.02;
  double incident_wear = 0.1;  ///< the plant counts as abnormal once w passes this
  // The vibration waveform (devices/vibration_waveform.hpp).
  double shaft_hz = 24.75;              ///< shaft speed (1485 rpm)
  double bearing_defect_order = 3.58;   ///< defect impacts per shaft turn (outer race, BPFO)
  double bearing_resonance_hz = 900.0;  ///< each impact rings the structure at this frequency
  double impact_decay_s = 0.0008;       ///< and dies away with this time constant
  double bearing_impact_gain = 50.0;    ///< impact amplitude per unit wear, relative to the shaft tones
};

class PumpModel {
 public:
  PumpModel(const PumpParams& params, std::uint64_t seed, const std::string& asset_id);

  /// True values of `signal` at each time in `t_s` (seconds) into `out` (same size).
  void evaluate(PumpSignal signal, const Eigen::ArrayXd& t_s, Eigen::ArrayXd& out) const;
  double evaluate_one(PumpSignal signal, double t_s) const;
  /// The pump is stopped over [from_s, until_s) (from_s not before the last stop's start).
  void stop(double from_s, double until_s);
  /// The stop window holding t_s, if any (index into stops()).
  const std::vector<std::pair<double, double>>& stops() const { return stops_; }
  bool stopped_at(double t_s) const;

  double wear_at(double t_s) const;
  double load_at(double t_s) const;
  /// Load at each of `t_s`, which must be evenly spaced and increasing (a
  /// sensor's sample times): each random step and the sinusoid are computed
  /// once per batch, not per sample.
  void load_batch(const Eigen::ArrayXd& t_s, Eigen::ArrayXd& load) const;
  /// The random part of the load in step interval k (a setpoint change at k·Δ).
  double load_step(std::uint64_t k) const;
  /// Failure time (infinity if the pump never fails).
  double failure_s() const { return failure_s_; }
  /// Running (not failed, not stopped) at t_s.
  bool running_at(double t_s) const { return t_s < failure_s_ && !stopped_at(t_s); }
  /// Time at which wear passes `incident_wear` (infinity if never).
  double abnormal_from_s() const { return abnormal_from_s_; }
  const PumpParams& params() const { return params_; }

 private:
  PumpParams params_;
  std::vector<std::pair<double, double>> stops_;  ///< [from, until), in time order
  /// Value while stopped in the stop that began at from_s.
  double stopped_value(PumpSignal signal, double from_s, double t_s) const;
  double running_value(PumpSignal signal, double t_s) const;
  std::uint64_t load_step_key_;
  double phase_;
  double onset_s_;  ///< degradation onset; infinity when this pump does not degrade
  double tau_s_;
  double failure_s_;
  double abnormal_from_s_;
};

}  // namespace twinbed::devices
