// SchemaMonitor: a versioned record schema per device, and schema drift.
//
// Version 1 of a device's schema is what the registry says: its sensors'
// fields (key = sensor id) and units. Each message declares the fields its
// payload carries (MessageInfo::fields); the monitor compares them.
// Guarantees, per device and message:
//   - field added: a declared field the registry does not know (counted once
//     per new key; its values cannot be decoded, so nothing is raised on a
//     sensor); a device that declares one moves to schema version 2, ...
//     (counted as `schema.versions_seen`);
//   - field missing: a registered field absent from `missing_messages`
//     consecutive messages of its device: the sensor is flagged (and
//     unflagged by the first message that declares it again);
//   - unit changed (declared): a field declaring a unit other than the
//     registry's: the sensor is flagged while it does, and its records are
//     rejected (a value in an unknown unit cannot be scored against limits);
//   - unit changed (undeclared): a sensor whose readings sit, for
//     `undeclared_readings` in a row, near a known conversion of its learned
//     level (degC→degF: 1.8x+32; mm/s→in/s: x/25.4; A→mA: 1000x;
//     m3/h→L/s: x/3.6) and far (> `jump_sigmas` σ and > 10 % of the level)
//     from the level itself: flagged until a reading returns near the level.
//     The level is an EWMA (α = 0.01) of accepted readings after `warmup`.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "pipeline/cloud_pipeline.hpp"

namespace twinbed::pipeline {

struct SchemaOptions {
  bool enabled = false;
  int missing_messages = 3;
  int undeclared_readings = 5;
  double jump_sigmas = 6.0;
  int warmup = 120;
};

/// Why a sensor is flagged by the schema monitor (bits).
enum SchemaFlag : std::uint8_t { kSchemaMissing = 1, kSchemaUnitDeclared = 2, kSchemaUnitUndeclared = 4 };

class SchemaMonitor {
 public:
  SchemaMonitor() = default;
  SchemaMonitor(const SchemaOptions& options, std::span<const SensorInfo> sensors,
                std::span<const std::string> devices);
  bool enabled() const { return options_.enabled; }
  /// Compares a message's declared fields with the registry; updates the flags.
  void on_message(const MessageInfo& message);
  /// One accepted reading of `sensor` (event-time order): the undeclared-unit test.
  void on_reading(std::uint32_t sensor, double value);
  /// The registry's sensors of a device (empty when the monitor is off).
  std::span<const std::uint32_t> sensors_of(std::uint32_t device) const {
    return device < of_device_.size() ? std::span<const std::uint32_t>(of_device_[device])
                                      : std::span<const std::uint32_t>();
  }
  std::uint8_t flags(std::uint32_t sensor) const { return sensor < flags_.size() ? flags_[sensor] : 0; }
  /// Sensors of the device whose declared unit differs from the registry (reject their records).
  bool unit_mismatch(std::uint32_t sensor) const { return flags(sensor) & kSchemaUnitDeclared; }
  std::uint64_t fields_added() const { return fields_added_; }
  std::uint64_t missing_events() const { return missing_events_; }
  std::uint64_t unit_declared_events() const { return unit_declared_events_; }
  std::uint64_t unit_undeclared_events() const { return unit_undeclared_events_; }
  std::uint64_t versions_seen() const { return versions_seen_; }

 private:
  struct Level {
    std::int64_t n = 0;
    double mean = 0, mr = 0, previous = 0;  ///< EWMA level and moving range
    int near_conversion = 0;
  };
  SchemaOptions options_;
  std::vector<std::string> unit_;                      ///< registry unit per sensor
  std::vector<std::string> key_;                       ///< registry key per sensor
  std::vector<std::vector<std::uint32_t>> of_device_;  ///< registry sensors per device
  std::vector<int> absent_for_;                        ///< consecutive messages without the field
  std::vector<std::uint8_t> flags_;
  std::vector<Level> level_;
  std::vector<std::set<std::string>> extra_keys_;  ///< per device: unknown keys seen
  std::vector<std::uint8_t> seen_flag_;            ///< scratch: declared in this message
  std::uint64_t fields_added_ = 0, missing_events_ = 0, unit_declared_events_ = 0,
                unit_undeclared_events_ = 0, versions_seen_ = 0;
};

}  // namespace twinbed::pipeline
