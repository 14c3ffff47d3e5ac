// The records and alerts that cross the pipeline boundary.
//
// These are what a real ingestion service sees: a device's own identity,
// sequence and timestamp, a value and a status byte. No ground truth ever
// appears here. Interface version: kPipelineApiVersion; a change to any type in
// this header bumps it.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace twinbed::pipeline {

/// 5: time metadata on records (HLC, declared uncertainty, uptime), device
/// events, message authentication (MessageInfo), the cloud log, gap notices.
inline constexpr int kPipelineApiVersion = 5;

/// Status the device firmware attaches to a reading (0 = good).
enum class DeviceStatus : std::uint8_t { kGood = 0, kSensorFault = 1 };

/// One reading as it arrives at the cloud.
struct Record {
  std::uint32_t sensor = 0;  ///< index into the sensor registry given at configure()
  std::uint32_t device = 0;  ///< index into the device registry given at configure()
  std::uint32_t boot = 0;    ///< the device's boot epoch (increments on each reboot)
  /// The device's declared bound on |device_time_s − true time| (since API
  /// version 5; firmware `time_metadata`): derived from its last accepted
  /// sync and its clock model. +inf: unknown (never synced, or not sent).
  float time_uncertainty_s = std::numeric_limits<float>::infinity();
  std::uint64_t seq = 0;     ///< the device's sequence number within the boot epoch
  double device_time_s = 0;  ///< timestamp written by the device's own clock
  double value = 0;          ///< the value as transmitted (may be a sentinel, NaN, ...)
  /// Hybrid logical clock stamp (since API version 5; pipeline/hlc.hpp
  /// packs it: 48 bits of milliseconds, 16 of logical counter). 0: not sent.
  std::uint64_t hlc = 0;
  /// The device's monotonic counter, seconds since this boot (since API
  /// version 5): anchors a repair of a null, epoch or future timestamp.
  /// NaN: not sent.
  double uptime_s = std::numeric_limits<double>::quiet_NaN();
  DeviceStatus status = DeviceStatus::kGood;
  /// Readings this record stands for: 1 for a sample; more for an aggregate
  /// the device made when its buffer overflowed (the mean of `count`
  /// consecutive readings of this sensor, stamped with the first's time; the
  /// others' sequence numbers never arrive). Since API version 2.
  std::uint32_t count = 1;
};

/// What a device reports besides readings (since API version 5): a local
/// decision or a change of its asset's state, in the same sequence space as
/// its records (so de-duplication, per-source order and gap detection cover
/// both).
enum class DeviceEventKind : std::uint8_t {
  kInterlockTrip = 0,  ///< the edge safety interlock stopped the asset (value 0)
  kCommandApplied =
      1,  ///< a cloud command took effect (value: the state it set); `cause_hlc` is the command's
  kSetpointChange = 2,  ///< an operator changed the setpoint at the local HMI (value: the new setpoint)
  kAssetRestart = 3,    ///< the asset was started again (value 1)
  kAlarmRaised = 4,     ///< a reading went outside its sensor's alarm limits (value: the sensor index)
  kAlarmCleared = 5,    ///< a reading came back inside the limits (value: the sensor index)
};
struct DeviceEvent {
  std::uint32_t device = 0;
  std::uint32_t boot = 0;
  std::uint64_t seq = 0;
  double device_time_s = 0;
  float time_uncertainty_s = std::numeric_limits<float>::infinity();
  std::uint64_t hlc = 0;
  double uptime_s = std::numeric_limits<double>::quiet_NaN();
  DeviceEventKind kind = DeviceEventKind::kInterlockTrip;
  double value = 0;
  std::uint64_t command_id = 0;  ///< kCommandApplied: the command's id (0 otherwise)
  std::uint64_t cause_hlc = 0;   ///< kCommandApplied: the command's HLC stamp, its causal predecessor
};

/// Why a device declares a range of its sequence numbers lost (since API
/// version 5): its own policy dropped them, so it knows and says so.
enum class GapNoticeCause : std::uint8_t {
  kBufferOverflow = 0,    ///< evicted by the buffer policy (drop oldest/newest, downsampling, a full
                          ///< flash log, a full alarm or event queue)
  kAggregated = 1,        ///< merged into an aggregate record (summarised: its `count` carries it)
  kTornWrite = 2,         ///< in a flash page the power cut tore (found when the log is recovered)
  kRetriesExhausted = 3,  ///< its message was given up after the retry limit
  kSessionDiscarded = 4,  ///< its message was in flight when a clean session discarded it
};
/// A device's declaration (since API version 5, `MessageInfo::gaps`) that
/// sequence numbers [seq_from, seq_to) of its boot `boot` will never be sent.
struct GapNotice {
  std::uint32_t device = 0;
  std::uint32_t boot = 0;
  std::uint64_t seq_from = 0;
  std::uint64_t seq_to = 0;
  GapNoticeCause cause = GapNoticeCause::kBufferOverflow;
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
  /// A 4–20 mA current-loop transmitter (since API version 4): the value
  /// maps linearly onto 4–20 mA over [range_lo, range_hi], so a NAMUR NE 43
  /// failure current (< 3.8 or > 20.5 mA) shows as a value just outside it.
  bool current_loop = false;
};

/// One field a device's payload declares (since API version 3). A message
/// lists the fields its payload carries, as a JSON or Sparkplug payload
/// names its metrics; the pipeline can compare them with the registry
/// (schema drift: a field appears, disappears, or changes unit).
struct FieldDecl {
  /// Registry index of the sensor this field carries, or kUnregisteredField
  /// for a field the registry does not know (its values cannot be decoded).
  std::uint32_t sensor = 0;
  std::string_view key;   ///< the field's name in the payload, e.g. "vib"
  std::string_view unit;  ///< the unit the payload declares, e.g. "mm/s"
};
inline constexpr std::uint32_t kUnregisteredField = std::numeric_limits<std::uint32_t>::max();

enum class AlertTransition : std::uint8_t { kRaise = 0, kClear = 1 };
enum class Severity : std::uint8_t { kWarning = 1, kCritical = 2 };
/// What an alert claims (since API version 3): the plant is abnormal, or the
/// sensor is (its data cannot be trusted: a stuck, drifting or spiking
/// sensor). Scoring judges each against its own ground truth: a sensor-fault
/// alert is not a plant alarm, and never a false one.
enum class AlertKind : std::uint8_t { kProcess = 0, kSensorFault = 1 };

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
  AlertKind kind = AlertKind::kProcess;
};

}  // namespace twinbed::pipeline
