#include "sim/pdm_fleet.hpp"

#include <algorithm>
#include <cmath>

#include "devices/pump.hpp"
#include "devices/sensor.hpp"
#include "faults/random_stream.hpp"
#include "faults/value_faults.hpp"

namespace twinbed::sim::pdm {

const char* split_name(Split s) {
  switch (s) {
    case Split::kTrain:
      return "train";
    case Split::kValidation:
      return "validation";
    case Split::kTest:
      return "test";
  }
  return "";
}

std::string unit_id(const StudySpec& spec, int index) {
  const std::string n = std::to_string(index + 1);
  const std::size_t width = std::max<std::size_t>(4, std::to_string(spec.units).size());
  return "pump-" + std::string(width > n.size() ? width - n.size() : 0, '0') + n;
}

namespace {

/// The unit's value faults on one signal, drawn from (seed, unit, "pdm_fault:" + id).
void add_faults(const StudySpec& spec, const std::string& id, const SensorSpec& sensor,
                devices::SensorChannel& channel, UnitHistory& unit) {
  for (const FaultSpec& f : spec.faults) {
    if (f.signal != sensor.signal) continue;
    faults::RandomStream draw(spec.seed, id, "pdm_fault:" + f.id);
    if (!draw.bernoulli(f.fraction)) continue;
    faults::ValueFaultParams p;
    p.kind = f.kind;
    p.activity.start_s = std::max(0.0, f.start_s.sample(draw));
    p.activity.end_s = p.activity.start_s + std::max(0.0, f.duration_s.sample(draw));
    if (f.kind == "drift") {
      p.rate_per_s = f.rate_per_day.sample(draw) / 86400.0;
    } else if (f.kind == "random_walk_drift") {
      p.sigma = f.sigma_per_sqrt_hour / 60.0;
    } else if (f.kind == "emi_spikes") {
      p.rate_per_s_events = f.rate_per_hour / 3600.0;
      p.amplitude = f.amplitude;
      p.width_samples = f.width_samples;
    }
    channel.add_fault(faults::make_value_fault(p, spec.seed, id + "/" + sensor.signal + "/" + f.id));
    unit.sensor_faults.push_back(f.id);
  }
}

}  // namespace

UnitHistory simulate_unit(const StudySpec& spec, int index) {
  UnitHistory unit;
  const std::string id = unit_id(spec, index);
  unit.id = id;
  {
    faults::RandomStream s(spec.seed, id, "pdm_split");
    const double u = s.uniform();
    unit.split = u < spec.train_fraction                              ? Split::kTrain
                 : u < spec.train_fraction + spec.validation_fraction ? Split::kValidation
                                                                      : Split::kTest;
  }
  devices::PumpParams params;
  for (const auto& [name, law] : spec.params) {
    faults::RandomStream s(spec.seed, id, std::string("pdm_param:") + name);
    const double v = law.sample(s);
    for (const auto& [field, member] : pump_param_fields())
      if (name == field) params.*member = v;
  }
  params.load_mean = std::clamp(params.load_mean, 0.05, 1.0);
  params.load_amplitude = std::max(0.0, params.load_amplitude);
  params.load_step_std = std::max(0.0, params.load_step_std);
  params.load_period_s = std::max(1.0, params.load_period_s);
  params.load_step_interval_s = std::max(1.0, params.load_step_interval_s);
  params.cooling_tau_s = std::max(1.0, params.cooling_tau_s);
  {
    faults::RandomStream s(spec.seed, id, "pdm_degradation");
    unit.degrades = s.bernoulli(spec.degradation_probability);
    if (unit.degrades) {
      params.degrades = true;
      params.onset_s = std::max(0.0, spec.onset_s.sample(s));
      params.time_to_failure_s = std::max(3600.0, spec.time_to_failure_s.sample(s));
      params.initial_wear = std::clamp(spec.initial_wear.sample(s), 1e-4, 0.5);
    }
  }
  const devices::PumpModel pump(params, spec.seed, id);
  unit.truth.failure_s = pump.failure_s();
  unit.truth.onset_s = unit.degrades ? params.onset_s : unit.truth.failure_s;
  unit.truth.history_end_s = std::min(spec.history_s, pump.failure_s());

  // Samples k = 1, 2, ... at k * period, strictly before the history's end.
  const double period = spec.sample_period_s;
  const auto m = static_cast<Eigen::Index>(std::max(0.0, std::ceil(unit.truth.history_end_s / period) - 1.0));
  unit.samples = static_cast<std::size_t>(m);
  const Eigen::ArrayXd t = Eigen::ArrayXd::LinSpaced(m, period, period * static_cast<double>(m));

  pipeline::pdm::AssetSeries series;
  series.start_s = period;
  series.period_s = period;
  series.reference_name = spec.reference;
  Eigen::ArrayXd truth(m);
  Eigen::Array<std::uint8_t, Eigen::Dynamic, 1> touched =
      Eigen::Array<std::uint8_t, Eigen::Dynamic, 1>::Zero(m);
  for (const SensorSpec& sensor : spec.sensors) {
    devices::SensorChannel channel;
    channel.asset = &pump;
    channel.signal = sensor.kind;
    channel.params = {1.0 / period, sensor.noise_std, sensor.resolution, sensor.range_lo, sensor.range_hi};
    channel.noise = faults::RandomStream(spec.seed, id + "/" + sensor.signal, "noise");
    add_faults(spec, id, sensor, channel, unit);
    pump.evaluate(sensor.kind, t, truth);
    Eigen::ArrayXd measured(m);
    for (Eigen::Index i = 0; i < m; ++i) {
      const devices::Measurement x = channel.measure(t(i), truth(i), period);
      measured(i) = x.missing ? std::nan("") : x.value;
      touched(i) |= x.fault_mask != 0 ? 1 : 0;
    }
    if (sensor.signal == spec.reference) {
      series.reference = std::move(measured);
    } else {
      series.signal_names.push_back(sensor.signal);
      series.signals.push_back(std::move(measured));
    }
  }
  unit.features = pipeline::pdm::compute_features(series, spec.features);

  // Which windows a fault touched: prefix counts over the same sample ranges
  // as the features' windows.
  std::vector<std::int64_t> prefix(static_cast<std::size_t>(m) + 1, 0);
  for (Eigen::Index i = 0; i < m; ++i) prefix[i + 1] = prefix[i] + touched(i);
  const auto window_samples =
      std::max<Eigen::Index>(1, static_cast<Eigen::Index>(std::llround(spec.features.window_s / period)));
  unit.window_fault.reserve(unit.features.window_end_s.size());
  for (double t_end : unit.features.window_end_s) {
    const Eigen::Index i1 =
        std::min(m, static_cast<Eigen::Index>(std::floor((t_end - series.start_s) / period + 1e-9)) + 1);
    const Eigen::Index i0 = std::max<Eigen::Index>(0, i1 - window_samples);
    unit.window_fault.push_back(prefix[i1] - prefix[i0] > 0 ? 1 : 0);
  }
  return unit;
}

}  // namespace twinbed::sim::pdm
