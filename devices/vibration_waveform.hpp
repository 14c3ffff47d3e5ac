// The pump's vibration waveform: what an accelerometer-based velocity sensor
// sampled at kHz rates sees, synthesised from the pump's state.
//
//   v(t) = V(t) * (h(t) + k(w) p(t)) / sqrt(1 + k(w)^2 P)
//   h(t) = 1.2 sin(2π f t) + 0.6 sin(4π f t + 0.7) + sqrt(0.2) sin(6π f t + 1.9)
//          (shaft tones at f = shaft_hz; mean square exactly 1)
//   p(t) = exp(-τ/τ_d) sin(2π f_r τ), τ = t mod T, T = 1 / (order f)
//          (bearing-defect impacts ringing the structure at f_r, one per defect passage)
//   P    = mean of p^2 over one impact period (closed form)
//   k(w) = bearing_impact_gain * w
// with V(t) the pump's vibration RMS (PumpSignal::kVibrationRms) and w its
// wear. The normalisation makes the waveform's mean square V^2 over whole
// periods (the cross term of incommensurate tones averages out), so its RMS
// is the pump's vibration RMS; as the bearing wears the impacts grow
// relative to the tones and the kurtosis and crest factor rise. Stopped or
// failed: zero. Deterministic (no draws): the sensor adds its own noise.
#pragma once

#include <Eigen/Core>

#include "devices/pump.hpp"

namespace twinbed::devices {

/// The unit-RMS shape at t for wear w.
double waveform_shape(const PumpParams& p, double t_s, double wear);
/// Mean square of one impact over its period (P above).
double impact_mean_square(const PumpParams& p);
/// The waveform at each of t_s (a sensor's batch), vectorised.
void waveform_batch(const PumpModel& pump, const Eigen::ArrayXd& t_s, Eigen::ArrayXd& out);

}  // namespace twinbed::devices
