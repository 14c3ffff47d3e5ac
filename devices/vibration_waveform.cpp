#include "devices/vibration_waveform.hpp"

#include <cmath>
#include <numbers>

namespace twinbed::devices {

namespace {
constexpr double kTwoPi = 2.0 * std::numbers::pi;
constexpr double kA1 = 1.2, kA2 = 0.6;
const double kA3 = std::sqrt(0.2);  // 1.2^2 + 0.6^2 + 0.2 = 2: mean square 1
}  // namespace

double impact_mean_square(const PumpParams& p) {
  // (1/T) ∫0^T e^{-2τ/τd} sin^2(ωτ) dτ = (1/2T)[∫ e^{-bτ} dτ - ∫ e^{-bτ} cos(cτ) dτ], b = 2/τd, c = 2ω.
  const double period_s = 1.0 / (p.bearing_defect_order * p.shaft_hz);
  const double b = 2.0 / p.impact_decay_s, c = 2.0 * kTwoPi * p.bearing_resonance_hz;
  const double e = std::exp(-b * period_s);
  const double plain = (1.0 - e) / b;
  const double cosine =
      (e * (-b * std::cos(c * period_s) + c * std::sin(c * period_s)) + b) / (b * b + c * c);
  return 0.5 * (plain - cosine) / period_s;
}

double waveform_shape(const PumpParams& p, double t_s, double wear) {
  const double f = p.shaft_hz;
  const double h = kA1 * std::sin(kTwoPi * f * t_s) + kA2 * std::sin(2.0 * kTwoPi * f * t_s + 0.7) +
                   kA3 * std::sin(3.0 * kTwoPi * f * t_s + 1.9);
  const double k = p.bearing_impact_gain * wear;
  if (k <= 0) return h;
  const double period_s = 1.0 / (p.bearing_defect_order * f);
  const double tau = std::fmod(t_s, period_s);
  const double impact = std::exp(-tau / p.impact_decay_s) * std::sin(kTwoPi * p.bearing_resonance_hz * tau);
  return (h + k * impact) / std::sqrt(1.0 + k * k * impact_mean_square(p));
}

void waveform_batch(const PumpModel& pump, const Eigen::ArrayXd& t_s, Eigen::ArrayXd& out) {
  const PumpParams& p = pump.params();
  Eigen::ArrayXd rms;
  pump.evaluate(PumpSignal::kVibrationRms, t_s, rms);
  const Eigen::Index n = t_s.size();
  out.resize(n);
  const double f = p.shaft_hz;
  const Eigen::ArrayXd h = kA1 * (kTwoPi * f * t_s).sin() + kA2 * (2.0 * kTwoPi * f * t_s + 0.7).sin() +
                           kA3 * (3.0 * kTwoPi * f * t_s + 1.9).sin();
  const double first_wear = n > 0 ? pump.wear_at(t_s(0)) : 0.0;
  const double last_wear = n > 0 ? pump.wear_at(t_s(n - 1)) : 0.0;
  if (first_wear <= 0 && last_wear <= 0) {  // healthy: the tones alone
    out = rms * h;
    return;
  }
  const double period_s = 1.0 / (p.bearing_defect_order * f);
  const double msq = impact_mean_square(p);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double k = p.bearing_impact_gain * pump.wear_at(t_s(i));
    const double tau = std::fmod(t_s(i), period_s);
    const double impact = std::exp(-tau / p.impact_decay_s) * std::sin(kTwoPi * p.bearing_resonance_hz * tau);
    out(i) = rms(i) * (h(i) + k * impact) / std::sqrt(1.0 + k * k * msq);
  }
}

}  // namespace twinbed::devices
