#include "pipeline/vibration_features.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::pipeline {

WaveformFeatures waveform_features(std::span<const double> x) {
  WaveformFeatures f;
  double sum = 0, sum_sq = 0;
  for (const double v : x) {
    if (!std::isfinite(v)) continue;
    ++f.samples;
    sum += v;
    sum_sq += v * v;
    f.peak = std::max(f.peak, std::abs(v));
  }
  if (f.samples == 0) return f;
  const auto n = static_cast<double>(f.samples);
  f.rms = std::sqrt(sum_sq / n);
  f.crest = f.rms > 0 ? f.peak / f.rms : 0.0;
  const double mean = sum / n;
  double m2 = 0, m4 = 0;
  for (const double v : x) {
    if (!std::isfinite(v)) continue;
    const double d2 = (v - mean) * (v - mean);
    m2 += d2;
    m4 += d2 * d2;
  }
  m2 /= n;
  m4 /= n;
  f.kurtosis = m2 > 0 ? m4 / (m2 * m2) : 0.0;
  return f;
}

double feature_value(const WaveformFeatures& f, VibrationFeature which) {
  switch (which) {
    case VibrationFeature::kRms:
      return f.rms;
    case VibrationFeature::kPeak:
      return f.peak;
    case VibrationFeature::kCrest:
      return f.crest;
    case VibrationFeature::kKurtosis:
      return f.kurtosis;
  }
  return 0.0;
}

VibrationFeatures::VibrationFeatures(std::vector<Rule> rules) {
  for (const Rule& r : rules) {
    states_.push_back({r, {}, 0, 0});
    states_.back().values.reserve(static_cast<std::size_t>(r.window));
  }
}

void VibrationFeatures::transform(EdgePass& pass, const EdgeContext& /*context*/) {
  for (std::size_t i = 0; i < pass.readings.size(); ++i) {
    if (pass.fate[i] != EdgeFate::kSend) continue;
    const Record& r = pass.readings[i];
    for (State& s : states_) {
      if (s.rule.source != r.sensor) continue;
      pass.fate[i] = EdgeFate::kSummarised;
      if (s.values.empty() || s.boot != r.boot) {  // a new window (a reboot drops the partial one)
        s.values.clear();
        s.boot = r.boot;
        s.first_seq = r.seq;
      }
      s.values.push_back(r.status == DeviceStatus::kGood ? r.value : std::nan(""));
      if (s.values.size() < static_cast<std::size_t>(s.rule.window)) break;
      const WaveformFeatures f = waveform_features(s.values);
      const bool good = f.samples >= 2;
      for (std::size_t k = 0; k < s.rule.channel.size(); ++k) {
        if (s.rule.channel[k] == kNoChannel) continue;
        DerivedRecord d;
        d.record.sensor = s.rule.channel[k];
        d.record.device_time_s = r.device_time_s;
        d.record.value = good ? feature_value(f, static_cast<VibrationFeature>(k)) : std::nan("");
        d.record.status = good ? DeviceStatus::kGood : DeviceStatus::kSensorFault;
        d.source = r.sensor;
        d.first_seq = s.first_seq;
        d.last_seq = r.seq;
        pass.derived.push_back(d);
      }
      ++windows_;
      s.values.clear();
      break;
    }
  }
}

}  // namespace twinbed::pipeline
