#include "pipeline/schema_monitor.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::pipeline {

namespace {
/// The conversion a payload that silently changed unit applies to a value
/// in the registry's unit (scale 0: none known).
struct Conversion {
  double scale = 0, offset = 0;
};
Conversion conversion_of(const std::string& unit) {
  if (unit == "degC") return {1.8, 32.0};        // -> degF
  if (unit == "mm/s") return {1.0 / 25.4, 0.0};  // -> in/s
  if (unit == "A") return {1000.0, 0.0};         // -> mA
  if (unit == "m3/h") return {1.0 / 3.6, 0.0};   // -> L/s
  return {};
}
constexpr double kLevelAlpha = 0.01;
}  // namespace

SchemaMonitor::SchemaMonitor(const SchemaOptions& options, std::span<const SensorInfo> sensors,
                             std::span<const std::string> devices)
    : options_(options) {
  if (!options_.enabled) return;
  std::map<std::string, std::uint32_t> device_index;
  for (std::size_t d = 0; d < devices.size(); ++d)
    device_index.emplace(devices[d], static_cast<std::uint32_t>(d));
  of_device_.resize(devices.size());
  for (std::size_t i = 0; i < sensors.size(); ++i) {
    unit_.push_back(sensors[i].unit);
    key_.push_back(sensors[i].sensor_id);
    const auto it = device_index.find(sensors[i].device_id);
    if (it != device_index.end()) of_device_[it->second].push_back(static_cast<std::uint32_t>(i));
  }
  absent_for_.assign(sensors.size(), 0);
  flags_.assign(sensors.size(), 0);
  level_.resize(sensors.size());
  seen_flag_.assign(sensors.size(), 0);
  extra_keys_.resize(devices.size());
}

void SchemaMonitor::on_message(const MessageInfo& m) {
  if (!options_.enabled || m.device >= of_device_.size()) return;
  for (const FieldDecl& f : m.fields) {
    if (f.sensor == kUnregisteredField || f.sensor >= key_.size() || key_[f.sensor] != f.key) {
      if (extra_keys_[m.device].insert(std::string(f.key)).second) ++fields_added_, ++versions_seen_;
      continue;
    }
    seen_flag_[f.sensor] = 1;
    const bool mismatch = f.unit != unit_[f.sensor];
    if (mismatch && !(flags_[f.sensor] & kSchemaUnitDeclared)) {
      ++unit_declared_events_;
      ++versions_seen_;
    }
    flags_[f.sensor] = static_cast<std::uint8_t>(mismatch ? flags_[f.sensor] | kSchemaUnitDeclared
                                                          : flags_[f.sensor] & ~kSchemaUnitDeclared);
  }
  for (std::uint32_t s : of_device_[m.device]) {
    if (seen_flag_[s]) {
      absent_for_[s] = 0;
      flags_[s] &= static_cast<std::uint8_t>(~kSchemaMissing);
    } else if (++absent_for_[s] == options_.missing_messages) {
      flags_[s] |= kSchemaMissing;
      ++missing_events_;
      ++versions_seen_;
    }
    seen_flag_[s] = 0;
  }
}

void SchemaMonitor::on_reading(std::uint32_t sensor, double x) {
  if (!options_.enabled || sensor >= level_.size()) return;
  Level& l = level_[sensor];
  const Conversion c = conversion_of(unit_[sensor]);
  if (l.n < options_.warmup) {
    ++l.n;
    l.mean += (x - l.mean) / static_cast<double>(l.n);
    if (l.n > 1) l.mr += (std::fabs(x - l.previous) - l.mr) / static_cast<double>(l.n - 1);
    l.previous = x;
    return;
  }
  const double sigma = std::max(l.mr / 1.128, 1e-9);
  const double converted = c.scale * l.mean + c.offset;
  const double jump = std::fabs(converted - l.mean);
  const bool meaningful =
      c.scale != 0 && jump > options_.jump_sigmas * sigma && jump > 0.1 * std::fabs(l.mean);
  const bool near_converted = meaningful && std::fabs(x - converted) < 0.25 * jump;
  const bool near_level = std::fabs(x - l.mean) < 0.25 * jump || !meaningful;
  const bool flagged = flags_[sensor] & kSchemaUnitUndeclared;
  if (near_converted) {
    if (!flagged && ++l.near_conversion >= options_.undeclared_readings) {
      flags_[sensor] |= kSchemaUnitUndeclared;
      ++unit_undeclared_events_;
      ++versions_seen_;
    }
    return;  // a converted value never moves the level
  }
  l.near_conversion = 0;
  if (flagged && near_level) flags_[sensor] &= static_cast<std::uint8_t>(~kSchemaUnitUndeclared);
  if (!flagged) {
    l.mr += kLevelAlpha * (std::min(std::fabs(x - l.previous), 3.267 * std::max(l.mr, 1e-12)) - l.mr);
    l.mean += kLevelAlpha * (x - l.mean);
  }
  l.previous = x;
}

}  // namespace twinbed::pipeline
