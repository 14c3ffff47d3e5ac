#include "sim/edge_setup.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "devices/pump.hpp"
#include "pipeline/local_interlock.hpp"
#include "pipeline/noise_filter.hpp"
#include "pipeline/normaliser.hpp"

namespace twinbed::sim {

std::unique_ptr<EdgeSetup> build_edge(const DeviceSpec& spec, std::uint32_t first_sensor,
                                      std::vector<pipeline::SensorInfo>& registry,
                                      std::vector<analysis::SensorMeta>& metas) {
  const DeviceSpec::EdgeStages& e = spec.edge;
  if (spec.interlocks.empty() && !e.any()) return nullptr;
  auto setup = std::make_unique<EdgeSetup>();
  EdgeSetup& out = *setup;
  out.chain = std::make_unique<devices::EdgeChain>();
  devices::EdgeChain& chain = *out.chain;
  if (e.transforms()) chain.set_transforms();
  // Channels by id: the device's sensors, then what its stages derive.
  std::map<std::string, std::uint32_t> channel;
  std::map<std::uint32_t, std::size_t> device_sensor;  // registry index → the sensor (asset) behind it
  for (std::size_t k = 0; k < spec.sensors.size(); ++k) {
    channel[spec.sensors[k].id] = first_sensor + static_cast<std::uint32_t>(k);
    device_sensor[first_sensor + static_cast<std::uint32_t>(k)] = k;
  }
  auto declare = [&](const std::string& id, const std::string& measurand, const std::string& unit, double lo,
                     double hi, double rate_hz, std::size_t behind) {
    const auto index = static_cast<std::uint32_t>(registry.size());
    registry.push_back({spec.id, id, measurand, unit, lo, hi, rate_hz});
    metas.push_back({spec.id, id, spec.sensors[behind].asset, measurand});
    channel[id] = index;
    device_sensor[index] = behind;
    return index;
  };
  auto unit_of = [&](std::size_t k) {
    devices::PumpSignal s = devices::PumpSignal::kVibrationRms;
    devices::parse_pump_signal(spec.sensors[k].signal, s);
    return std::string(devices::pump_signal_unit(s));
  };

  if (!e.normalise.empty()) {
    std::vector<pipeline::Normaliser::Rule> rules;
    for (const auto& n : e.normalise) {
      const devices::SensorParams& p = spec.sensors[n.sensor].params;
      const std::uint32_t s = first_sensor + static_cast<std::uint32_t>(n.sensor);
      const auto rule = pipeline::Normaliser::Rule::from_range(s, n.raw_lo, n.raw_hi, p.range_lo, p.range_hi);
      rules.push_back(rule);
      chain.raw_output(s, rule.scale, rule.offset);  // the transmitter's raw output, the stage's input
    }
    chain.add(std::make_unique<pipeline::Normaliser>(std::move(rules)));
  }
  if (!e.filters.empty()) {
    std::vector<pipeline::NoiseFilter::Rule> rules;
    for (const auto& f : e.filters)
      rules.push_back({first_sensor + static_cast<std::uint32_t>(f.sensor),
                       f.median ? pipeline::NoiseFilter::Kind::kMedian : pipeline::NoiseFilter::Kind::kEwma,
                       f.alpha, f.window});
    chain.add(std::make_unique<pipeline::NoiseFilter>(std::move(rules)));
  }
  if (!e.features.empty()) {
    std::vector<pipeline::VibrationFeatures::Rule> rules;
    for (const auto& f : e.features) {
      const SensorSpec& s = spec.sensors[f.sensor];
      pipeline::VibrationFeatures::Rule rule;
      rule.source = first_sensor + static_cast<std::uint32_t>(f.sensor);
      rule.window = f.window;
      const double amplitude = std::max(std::abs(s.params.range_lo), std::abs(s.params.range_hi));
      for (std::size_t k = 0; k < pipeline::kVibrationFeatureNames.size(); ++k) {
        const std::string name = pipeline::kVibrationFeatureNames[k];
        if (std::find(f.emit.begin(), f.emit.end(), name) == f.emit.end()) continue;
        const bool dimensionless = name == "crest_factor" || name == "kurtosis";
        const std::uint32_t index =
            declare(s.id + "." + name, "vibration_" + name, dimensionless ? "1" : unit_of(f.sensor), 0.0,
                    dimensionless ? 1000.0 : amplitude, s.params.rate_hz / f.window, f.sensor);
        rule.channel[k] = index;
        chain.feature_channel(index, rule.source, static_cast<pipeline::VibrationFeature>(k),
                              static_cast<std::size_t>(f.window));
        out.feature_channels.push_back({index, name});
      }
      rules.push_back(rule);
    }
    auto stage = std::make_unique<pipeline::VibrationFeatures>(std::move(rules));
    out.features = stage.get();
    chain.add(std::move(stage));
  }
  if (!e.events.empty()) {
    std::vector<pipeline::EventDetector::Rule> rules;
    for (const auto& ev : e.events) {
      const std::uint32_t watched = channel.at(ev.watch);
      const pipeline::SensorInfo w = registry[watched];
      const std::uint32_t index =
          declare(ev.id, "event", w.unit, w.range_lo, w.range_hi, w.rate_hz, device_sensor.at(watched));
      chain.event_channel(index, watched);
      out.event_channels.push_back({index, ev.id});
      rules.push_back({watched, index, ev.trip_above, ev.clear_below, ev.debounce});
    }
    auto stage = std::make_unique<pipeline::EventDetector>(std::move(rules));
    out.events = stage.get();
    chain.add(std::move(stage));
  }
  if (!e.deadband.empty()) {
    std::vector<pipeline::Deadband::Rule> rules;
    for (const auto& d : e.deadband) {
      const devices::SensorParams& p = spec.sensors[d.sensor].params;
      rules.push_back({first_sensor + static_cast<std::uint32_t>(d.sensor), d.deadband, d.deadband_percent,
                       p.range_hi - p.range_lo, d.max_silence_s});
    }
    auto stage = std::make_unique<pipeline::Deadband>(std::move(rules));
    out.deadband = stage.get();
    chain.add(std::move(stage));
  }
  if (!spec.interlocks.empty()) {
    std::vector<pipeline::LocalInterlock::Rule> rules;
    for (const DeviceSpec::Interlock& il : spec.interlocks) {
      const std::uint32_t s = first_sensor + static_cast<std::uint32_t>(il.sensor);
      rules.push_back({s, il.trip_above, il.debounce_readings, il.offline_only});
      out.stops.push_back({s, il.sensor, il.restart_after_s});
    }
    chain.add(std::make_unique<pipeline::LocalInterlock>(std::move(rules)));
  }
  if (e.detector) {
    const auto& d = *e.detector;
    pipeline::Int8Detector::Options o;
    for (const std::string& c : d.channels) o.channels.push_back(channel.at(c));
    o.train_from_s = d.train_from_s;
    o.train_until_s = d.train_until_s;
    o.threshold = d.threshold;
    o.debounce = d.debounce;
    o.offline_only = d.offline_only;
    o.decide = d.decide;
    o.input_range_sigma = d.input_range_sigma;
    out.stops.push_back({o.channels.front(), device_sensor.at(o.channels.front()), d.restart_after_s});
    auto stage = std::make_unique<pipeline::Int8Detector>(std::move(o));
    out.detector = stage.get();
    chain.add(std::move(stage));
  }
  return setup;
}

}  // namespace twinbed::sim
