#include "devices/pump.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "devices/vibration_waveform.hpp"
#include "faults/random_stream.hpp"

namespace twinbed::devices {

bool parse_pump_signal(const std::string& name, PumpSignal& out) {
  if (name == "vibration_rms")
    out = PumpSignal::kVibrationRms;
  else if (name == "bearing_temp")
    out = PumpSignal::kBearingTemp;
  else if (name == "motor_current")
    out = PumpSignal::kMotorCurrent;
  else if (name == "flow")
    out = PumpSignal::kFlow;
  else if (name == "vibration_waveform")
    out = PumpSignal::kVibrationWaveform;
  else
    return false;
  return true;
}

const char* pump_signal_unit(PumpSignal s) {
  switch (s) {
    case PumpSignal::kVibrationRms:
    case PumpSignal::kVibrationWaveform:
      return "mm/s";
    case PumpSignal::kBearingTemp:
      return "degC";
    case PumpSignal::kMotorCurrent:
      return "A";
    case PumpSignal::kFlow:
      return "m3/h";
  }
  return "";
}

PumpModel::PumpModel(const PumpParams& params, std::uint64_t seed, const std::string& asset_id)
    : params_(params), load_step_key_(faults::RandomStream::key(seed, asset_id, "load_step")) {
  phase_ = 2.0 * std::numbers::pi *
           faults::RandomStream::uniform_at(faults::RandomStream::key(seed, asset_id, "load_phase"), 0);
  const double inf = std::numeric_limits<double>::infinity();
  if (params_.degrades && std::isfinite(params_.onset_s) && std::isfinite(params_.time_to_failure_s)) {
    onset_s_ = params_.onset_s;
    tau_s_ = params_.time_to_failure_s / std::log(1.0 / params_.initial_wear);
    failure_s_ = params_.onset_s + params_.time_to_failure_s;
    abnormal_from_s_ =
        params_.incident_wear <= params_.initial_wear
            ? params_.onset_s
            : params_.onset_s + tau_s_ * std::log(params_.incident_wear / params_.initial_wear);
  } else {
    onset_s_ = inf;
    tau_s_ = inf;
    failure_s_ = inf;
    abnormal_from_s_ = inf;
  }
}

double PumpModel::load_step(std::uint64_t k) const {
  return params_.load_step_std * faults::RandomStream::normal_at(load_step_key_, k);
}

double PumpModel::load_at(double t_s) const {
  const auto k = static_cast<std::uint64_t>(std::max(0.0, std::floor(t_s / params_.load_step_interval_s)));
  const double step = params_.load_step_std * faults::RandomStream::normal_at(load_step_key_, k);
  const double l =
      params_.load_mean +
      params_.load_amplitude * std::sin(2.0 * std::numbers::pi * t_s / params_.load_period_s + phase_) + step;
  return std::clamp(l, 0.05, 1.0);
}

void PumpModel::load_batch(const Eigen::ArrayXd& t_s, Eigen::ArrayXd& load) const {
  const Eigen::Index n = t_s.size();
  load.resize(n);
  std::uint64_t k_cached = ~0ULL;
  double step = 0.0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto k =
        static_cast<std::uint64_t>(std::max(0.0, std::floor(t_s(i) / params_.load_step_interval_s)));
    if (k != k_cached) {
      k_cached = k;
      step = params_.load_step_std * faults::RandomStream::normal_at(load_step_key_, k);
    }
    load(i) = step;
  }
  // The sinusoid at evenly spaced times by rotation: one sin/cos per batch.
  const double omega = 2.0 * std::numbers::pi / params_.load_period_s;
  const double dt = n > 1 ? t_s(1) - t_s(0) : 0.0;
  const double step_sin = std::sin(omega * dt), step_cos = std::cos(omega * dt);
  double sin_k = n > 0 ? std::sin(omega * t_s(0) + phase_) : 0.0,
         cos_k = n > 0 ? std::cos(omega * t_s(0) + phase_) : 1.0;
  for (Eigen::Index i = 0; i < n; ++i) {
    load(i) = std::clamp(params_.load_mean + params_.load_amplitude * sin_k + load(i), 0.05, 1.0);
    const double next_sin = sin_k * step_cos + cos_k * step_sin;
    cos_k = cos_k * step_cos - sin_k * step_sin;
    sin_k = next_sin;
  }
}

double PumpModel::wear_at(double t_s) const {
  if (t_s < onset_s_) return 0.0;
  return std::min(1.0, params_.initial_wear * std::exp((t_s - onset_s_) / tau_s_));
}

void PumpModel::stop(double from_s, double until_s) {
  if (!stops_.empty() && from_s < stops_.back().first)
    throw std::logic_error("pump stops must come in time order");
  if (!stops_.empty() && from_s < stops_.back().second) {  // overlapping: one longer stop
    stops_.back().second = std::max(stops_.back().second, until_s);
    return;
  }
  stops_.emplace_back(from_s, until_s);
}

bool PumpModel::stopped_at(double t_s) const {
  for (auto it = stops_.rbegin(); it != stops_.rend(); ++it)
    if (t_s >= it->first) return t_s < it->second;
  return false;
}

double PumpModel::stopped_value(PumpSignal signal, double from_s, double t_s) const {
  if (signal != PumpSignal::kBearingTemp) return 0.0;
  const PumpParams& p = params_;
  const double at_stop = running_value(PumpSignal::kBearingTemp, from_s);
  return p.ambient_c + (at_stop - p.ambient_c) * std::exp(-(t_s - from_s) / p.cooling_tau_s);
}

double PumpModel::evaluate_one(PumpSignal signal, double t_s) const {
  if (signal == PumpSignal::kVibrationWaveform)
    return evaluate_one(PumpSignal::kVibrationRms, t_s) * waveform_shape(params_, t_s, wear_at(t_s));
  for (auto it = stops_.rbegin(); it != stops_.rend(); ++it)
    if (t_s >= it->first) {
      if (t_s < it->second && t_s < failure_s_) return stopped_value(signal, it->first, t_s);
      break;
    }
  return running_value(signal, t_s);
}

double PumpModel::running_value(PumpSignal signal, double t_s) const {
  const PumpParams& p = params_;
  if (t_s >= failure_s_) {  // stopped for good
    if (signal != PumpSignal::kBearingTemp) return 0.0;
    const double at_failure = p.ambient_c + p.temp_rise_load_c * load_at(failure_s_) + p.temp_rise_wear_c;
    return p.ambient_c + (at_failure - p.ambient_c) * std::exp(-(t_s - failure_s_) / p.cooling_tau_s);
  }
  const double load = load_at(t_s);
  const double wear = wear_at(t_s);
  switch (signal) {
    case PumpSignal::kVibrationRms:
      return p.vibration_base_mm_s * (0.6 + 0.4 * load) + p.vibration_wear_mm_s * wear;
    case PumpSignal::kBearingTemp:
      return p.ambient_c + p.temp_rise_load_c * load + p.temp_rise_wear_c * wear;
    case PumpSignal::kMotorCurrent:
      return p.current_no_load_a +
             (p.current_rated_a - p.current_no_load_a) * load * (1.0 + p.friction_gain * wear);
    case PumpSignal::kFlow:
      return p.flow_rated_m3h * load;
    case PumpSignal::kVibrationWaveform:
      break;  // evaluate_one: the RMS times the shape
  }
  return 0.0;
}

void PumpModel::evaluate(PumpSignal signal, const Eigen::ArrayXd& t_s, Eigen::ArrayXd& out) const {
  out.resize(t_s.size());
  if (signal == PumpSignal::kVibrationWaveform) {
    waveform_batch(*this, t_s, out);
    return;
  }
  // Fast path for a batch that lies entirely in the healthy, running regime:
  // vectorised load and a constant-zero wear.
  const bool healthy = t_s.size() > 0 && t_s(t_s.size() - 1) < std::min(onset_s_, failure_s_) &&
                       (stops_.empty() || t_s(t_s.size() - 1) < stops_.front().first);
  if (!healthy) {
    for (Eigen::Index i = 0; i < t_s.size(); ++i) out(i) = evaluate_one(signal, t_s(i));
    return;
  }
  // The load is computed into `out` and each signal is a coefficient-wise
  // map of it, in place: no temporary array per batch.
  load_batch(t_s, out);
  const PumpParams& p = params_;
  switch (signal) {
    case PumpSignal::kVibrationRms:
      out = p.vibration_base_mm_s * (0.6 + 0.4 * out);
      break;
    case PumpSignal::kBearingTemp:
      out = p.ambient_c + p.temp_rise_load_c * out;
      break;
    case PumpSignal::kMotorCurrent:
      out = p.current_no_load_a + (p.current_rated_a - p.current_no_load_a) * out;
      break;
    case PumpSignal::kFlow:
      out = p.flow_rated_m3h * out;
      break;
    case PumpSignal::kVibrationWaveform:
      break;  // handled above
  }
}

}  // namespace twinbed::devices
