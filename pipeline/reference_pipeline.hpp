// ReferencePipeline: twinbed's own cloud pipeline, the first system under test.
//
// Stages, in order, for every arriving message (docs/pipeline.md). Those
// marked (opt) are off unless the scenario switches them on; with all of
// them off the pipeline is the version-3 one, transition for transition.
//  -1. (opt) message authentication: the sender's credential, the payload MAC,
//      the anti-replay counter (MessageAuthenticator); a refused message's
//      records are counted by reason and go no further; records naming
//      another device than the authenticated one are dropped
//   0. (opt) schema: the message's declared fields against the registry   -> SchemaMonitor
// and for each of its records:
//   1. de-duplication by (device, boot, seq)          -> duplicates are dropped, counted
//   2. validation (sentinels, NaN/Inf, range; (opt) NAMUR NE 43 on current
//      loops; (opt) a unit the registry does not know) -> rejected records are counted by reason
//   3. timestamp sanity: null; (opt) epoch, future, backwards -> rejected, counted by reason
//   4. event-time order: (opt) a per-sensor reorder buffer with a watermark
//      (late records to a counted side output); otherwise records older than
//      the last one processed for that sensor are counted as `late` and skipped
// then, for each record in event-time order:
//   5. (opt) gap markers and bounded linear filling (filled values never
//      reach the detector)
//   6. (opt) rate-of-change rejection
//   7. (opt) sensor-fault checks: stuck values, peer CUSUM drift,
//      undeclared unit change
//   8. multivariate groups (docs/detectors.md; their alerts pass straight
//      through), then the per-sensor detector (EWMA z-score or threshold)
//   9. alert management: sensor-fault alerts, suppression of process alerts
//      on flagged sensors, severity bands (AlertManager); when a sensor-fault
//      alert clears, the sensor's detector re-learns its baseline (what it
//      knew is from before the fault, and the plant moved on meanwhile)
// An alert decided on a record the reorder buffer released is tied to the
// arriving record whose watermark advance released it (the decision is made
// when that record arrives).
#pragma once

#include <memory>
#include <variant>
#include <vector>

#include "pipeline/alert_manager.hpp"
#include "pipeline/cloud_pipeline.hpp"
#include "pipeline/detector.hpp"
#include "pipeline/gap_detector.hpp"
#include "pipeline/message_authenticator.hpp"
#include "pipeline/multivariate_stage.hpp"
#include "pipeline/peer_drift.hpp"
#include "pipeline/rate_of_change.hpp"
#include "pipeline/reconciler.hpp"
#include "pipeline/reorder_buffer.hpp"
#include "pipeline/schema_monitor.hpp"
#include "pipeline/sequence_dedup.hpp"
#include "pipeline/stuck_detector.hpp"
#include "pipeline/timestamp_check.hpp"
#include "pipeline/validation.hpp"

namespace twinbed::pipeline {

/// kNone: no per-sensor detector (a pipeline that only runs multivariate groups).
enum class DetectorKind { kEwmaZScore, kThreshold, kNone };

/// A multivariate detector over a group of sensors, in the loop (docs/detectors.md).
struct MultivariateGroupOptions {
  std::string name;                      ///< names its counters (multivariate.<name>.*) and its calibration
  std::vector<std::string> sensor_keys;  ///< "device/sensor" of the registry; the row's columns in this order
  MultivariateStageOptions stage;        ///< `sensors` is filled at configure() from sensor_keys
  int debounce_rows = 1;                 ///< alarming rows in a row before an alert is raised
  int clear_rows = 1;                    ///< quiet rows in a row before it clears
};

struct OrderingOptions {
  bool enabled = false;
  double allowed_lateness_s = 30.0;
};

struct ReferencePipelineOptions {
  AuthOptions security;
  ValidationOptions validation;
  TimestampOptions timestamps;
  RateOfChangeOptions rate_of_change;
  StuckOptions stuck;
  OrderingOptions ordering;
  ReconciliationOptions reconciliation;  ///< the materialised history (docs/reconciliation.md)
  GapOptions gaps;
  PeerDriftOptions drift;
  SchemaOptions schema;
  AlertOptions alerts;
  DetectorKind detector = DetectorKind::kEwmaZScore;
  EwmaOptions ewma;
  ThresholdOptions threshold;
  std::vector<MultivariateGroupOptions> multivariate;
};

class ReferencePipeline final : public CloudPipeline {
 public:
  explicit ReferencePipeline(ReferencePipelineOptions options)
      : options_(std::move(options)),
        validator_(options_.validation),
        timestamps_(options_.timestamps),
        auth_(options_.security) {}

  void configure(std::span<const SensorInfo> sensors, std::span<const std::string> devices) override;
  void ingest(const MessageInfo& message, std::span<const Record> records, double ingest_time_s,
              std::vector<AlertEvent>& alerts) override;
  void finish(double end_time_s, std::vector<AlertEvent>& alerts) override;
  PipelineCounters counters() const override;
  std::vector<CalibratedDetector> calibrated_detectors() const override;
  bool observe_accepted(AcceptedObserver observer) override {
    accepted_observer_ = std::move(observer);
    return true;
  }
  /// With reconciliation on: the cloud clock stamps the command, its write enters the plant state.
  void issue_command(CloudCommand& command, double now_s) override;
  /// With reconciliation on: the changes to the materialised view (false when off).
  bool drain_log(CloudLog& out) override;
  /// The device reports a hole its buffer policy made (reconciliation on; otherwise ignored).
  /// ingest() calls it for each of a message's gap notices (MessageInfo::gaps).
  void device_reported_gap(std::uint32_t device, std::uint32_t boot, std::uint64_t seq_from,
                           std::uint64_t seq_to, double now_s);

  /// Gap markers emitted so far, and the values filled in (flagged: never readings).
  const std::vector<GapMarker>& gap_markers() const { return gap_markers_; }
  const std::vector<FilledValue>& filled_values() const { return filled_; }
  /// The side output: records that arrived behind their sensor's watermark.
  const std::vector<Record>& late_side_output() const { return late_; }

 private:
  struct SensorState {
    std::variant<std::monostate, EwmaZScore, ThresholdDetector> detector;
    double last_device_time_s = -std::numeric_limits<double>::infinity();
  };
  /// Stages 5–9 for one record in event-time order; alerts tied to `trigger`.
  void process(const Record& r, const Record& trigger, std::vector<AlertEvent>& alerts);
  bool authenticate(const MessageInfo& message, std::size_t records);  ///< false: rejected, counted
  void on_schema_message(const MessageInfo& message, std::span<const Record> records,
                         std::vector<AlertEvent>& alerts);
  void reconcile(const MessageInfo& message, std::span<const Record> records, double ingest_time_s);
  /// The sensor's detector starts afresh (after a sensor fault: what it learned may be stale).
  void reset_detector(std::uint32_t sensor);
  /// Emits the sensor-fault transition its reasons call for; a clear resets the detector.
  void sync_sensor(std::uint32_t sensor, const Record& trigger, double score,
                   std::vector<AlertEvent>& alerts);

  ReferencePipelineOptions options_;
  Validator validator_;
  TimestampCheck timestamps_;
  SequenceDedup dedup_;
  MessageAuthenticator auth_;
  std::uint64_t rejected_auth_[kAuthVerdicts] = {};  ///< records of refused messages, by reason
  std::uint64_t rejected_auth_record_device_ = 0, auth_messages_rejected_ = 0;
  AcceptedObserver accepted_observer_;
  Reconciler reconciler_;
  struct Group {
    MultivariateStage stage;
    AlarmLatch latch;
    std::vector<double> decision_times_s;
    std::vector<std::uint8_t> alarms;
  };
  std::vector<Group> groups_;
  /// The multivariate groups take an accepted record (event-time order); alerts tied to `trigger`.
  void run_groups(const Record& r, const Record& trigger, std::vector<AlertEvent>& alerts);
  std::uint64_t group_raised_ = 0, group_cleared_ = 0;
  RateOfChange rate_;
  StuckDetector stuck_;
  ReorderBuffer reorder_;
  GapDetector gaps_;
  PeerDrift drift_;
  SchemaMonitor schema_;
  AlertManager alert_manager_;
  std::vector<SensorInfo> sensors_;
  /// Some stage can flag a sensor as faulty (stuck, drift, schema, NE 43):
  /// otherwise no record needs the alert manager's sensor-fault bookkeeping.
  bool sensor_checks_ = false;
  std::vector<SensorState> state_;
  std::vector<std::vector<std::uint32_t>> siblings_;  ///< the other sensors of each sensor's device
  std::vector<Record> released_;                      ///< scratch: records the reorder buffer let go
  std::vector<GapMarker> gap_markers_;
  std::vector<FilledValue> filled_;
  std::vector<Record> late_;
  std::uint64_t records_in_ = 0, accepted_ = 0, late_count_ = 0;
  std::uint64_t null_timestamp_ = 0;  ///< no device time (NaN, ±Inf): cannot be ordered
  std::uint64_t rejected_[6] = {};
  std::uint64_t rejected_timestamp_[5] = {};
  std::uint64_t rejected_rate_ = 0, rejected_schema_unit_ = 0, stuck_events_ = 0, drift_events_ = 0,
                drift_vetoed_ = 0, gap_readings_ = 0, detector_resets_ = 0;
};

}  // namespace twinbed::pipeline
