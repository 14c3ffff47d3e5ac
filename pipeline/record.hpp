// The records and alerts that cross the pipeline boundary.
//
// These are what a real ingestion service sees: a device's own identity,
// sequence and timestamp, a value and a status byte. No ground truth ever
// appears here. Interface version: kPipelineApiVersion; a change to any type in
// this header bumps it.
#pragma once

#include <cstdint>
#include <string>

namespace twinbed::pipeline {

inline constexpr int kPipelineApiVersion = 2;

/// Status the device firmware attaches to a reading (0 = good).
enum class DeviceStatus : std::uint8_t { kGood = 0, kSensorFault = 1 };

/// One reading as it arrives at the cloud.
struct Record {
  std::uint32_t sensor = 0;  ///< index into the sensor registry given at configure()
  std::uint32_t device = 0;  ///< index into the device registry given at configure()
  std::uint32_t boot = 0;    ///< the device's boot epoch (increments on each reboot)
  std::uint64_t seq = 0;     ///< the device's sequence number within the boot epoch
  double device_time_s = 0;  ///< timestamp written by the device's own clock
  double value = 0;          ///< the value as transmitted (may be a sentinel, NaN, ...)
  DeviceStatus status = DeviceStatus::kGood;
  /// Readings this record stands for: 1 for a sample; more for an aggregate
  /// the device made when its buffer overflowed (the mean of `count`
  /// consecutive readings of this sensor, stamped with the first's time; the
  /// others' sequence numbers never arrive). Since API version 2.
  std::uint32_t count = 1;
};

/// What the device registry says about a sensor (as a real IoT platform would know it).
struct SensorInfo {
  std::string device_id;  ///< e.g. "edge-01"
  std::string sensor_id;  ///< e.g. "vib", unique within its device
  std::string measurand;  ///< e.g. "vibration_rms", "bearing_temp"
  std::string unit;       ///< e.g. "mm/s"
  double range_lo = 0;    ///< the instrument's calibrated range
  double range_hi = 0;
  double rate_hz = 1;  ///< nominal sampling rate
};

enum class AlertTransition : std::uint8_t { kRaise = 0, kClear = 1 };
enum class Severity : std::uint8_t { kWarning = 1, kCritical = 2 };

/// An alert raised or cleared by the pipeline, tied to the record that caused it.
struct AlertEvent {
  std::uint32_t sensor = 0;
  AlertTransition transition = AlertTransition::kRaise;
  Severity severity = Severity::kWarning;
  std::uint32_t device = 0;  ///< identity of the triggering record
  std::uint32_t boot = 0;
  std::uint64_t seq = 0;
  double device_time_s = 0;  ///< the triggering record's device timestamp
  double score = 0;          ///< detector statistic at the transition (e.g. |z|)
};

}  // namespace twinbed::pipeline
