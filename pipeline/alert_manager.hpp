// AlertManager: what the pipeline finally says, per sensor: process alerts
// and sensor-fault alerts, as episodes.
//
// Guarantees:
//   - a sensor-fault alert (AlertKind::kSensorFault) is open on a sensor
//     exactly while at least one data-quality reason flags it (stuck, drift,
//     schema, an NE 43 failure current): raised when the first reason appears, cleared when the
//     last goes; transitions are emitted at `sync`, tied to a record that
//     arrived in the current message;
//   - with `suppress_on_sensor_fault`, a process alert the detector raises
//     while the sensor is flagged is suppressed (counted, never emitted, and
//     its later clear swallowed), and an open process alert is cleared when
//     its sensor becomes flagged (counted): a sensor fault is reported as a
//     sensor fault, not as a plant incident;
//   - severity: with `critical_score` > 0, a process alert is critical when
//     its score reaches it and a warning below (score bands); otherwise the
//     detector's own severity stands.
// Without any data-quality reason and with `critical_score` 0 it passes the
// detector's transitions through unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "pipeline/detector.hpp"
#include "pipeline/record.hpp"

namespace twinbed::pipeline {

struct AlertOptions {
  bool suppress_on_sensor_fault = true;
  double critical_score = 0.0;  ///< 0: the detector's severity
};

/// Reasons a sensor is flagged faulty (bits of AlertManager's reason mask).
enum SensorFaultReason : std::uint32_t {
  kReasonStuck = 1,
  kReasonDrift = 2,
  kReasonSchemaMissing = 4,
  kReasonSchemaUnitDeclared = 8,
  kReasonSchemaUnitUndeclared = 16,
  kReasonNe43 = 32,  ///< the transmitter drives a NAMUR NE 43 failure current
};

class AlertManager {
 public:
  AlertManager() = default;
  AlertManager(const AlertOptions& options, std::size_t sensors)
      : options_(options),
        reasons_(sensors, 0),
        fault_open_(sensors, 0),
        process_open_(sensors, 0),
        swallowed_(sensors, 0) {}

  void set_reason(std::uint32_t sensor, std::uint32_t reason, bool on) {
    reasons_[sensor] = on ? reasons_[sensor] | reason : reasons_[sensor] & ~reason;
  }
  bool flagged(std::uint32_t sensor) const { return reasons_[sensor] != 0; }
  std::uint32_t reasons(std::uint32_t sensor) const { return reasons_[sensor]; }
  bool process_open(std::uint32_t sensor) const { return process_open_[sensor] != 0; }

  /// Emits the sensor-fault transition the sensor's reasons call for, if any (and, on a
  /// raise, the clear of an open process alert), tied to `trigger`. `score`: the statistic.
  /// Returns the sensor-fault transition emitted, if any.
  std::optional<AlertTransition> sync(std::uint32_t sensor, const Record& trigger, double score,
                                      std::vector<AlertEvent>& alerts);
  /// A detector transition on `sensor`, tied to `trigger`.
  void on_process(std::uint32_t sensor, const Transition& t, const Record& trigger,
                  std::vector<AlertEvent>& alerts);

  std::uint64_t process_raised() const { return process_raised_; }
  std::uint64_t process_cleared() const { return process_cleared_; }
  std::uint64_t suppressed() const { return suppressed_; }
  std::uint64_t cleared_by_sensor_fault() const { return cleared_by_fault_; }
  std::uint64_t sensor_fault_raised() const { return fault_raised_; }

 private:
  AlertOptions options_;
  std::vector<std::uint32_t> reasons_;
  std::vector<std::uint8_t> fault_open_, process_open_, swallowed_;
  std::uint64_t process_raised_ = 0, process_cleared_ = 0, suppressed_ = 0, cleared_by_fault_ = 0,
                fault_raised_ = 0;
};

}  // namespace twinbed::pipeline
