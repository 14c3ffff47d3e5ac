// ReferencePipeline: twinbed's own cloud pipeline, the first system under test.
//
// Stages, in order, for every arriving record:
//   1. de-duplication by (device, boot, seq)          -> duplicates are dropped, counted
//   2. validation (sentinels, NaN/Inf, range)          -> rejected records are counted by reason
//   3. per-sensor order check on the device timestamp  -> records older than the last one
//      processed for that sensor are counted as `late` and kept out of the detector
//   4. per-sensor detector (EWMA z-score or threshold) -> alert transitions
#pragma once

#include <memory>
#include <variant>
#include <vector>

#include "pipeline/cloud_pipeline.hpp"
#include "pipeline/detector.hpp"
#include "pipeline/multivariate_stage.hpp"
#include "pipeline/sequence_dedup.hpp"
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

struct ReferencePipelineOptions {
  ValidationOptions validation;
  DetectorKind detector = DetectorKind::kEwmaZScore;
  EwmaOptions ewma;
  ThresholdOptions threshold;
  std::vector<MultivariateGroupOptions> multivariate;
};

class ReferencePipeline final : public CloudPipeline {
 public:
  explicit ReferencePipeline(ReferencePipelineOptions options)
      : options_(std::move(options)), validator_(options_.validation) {}

  void configure(std::span<const SensorInfo> sensors, std::span<const std::string> devices) override;
  void ingest(const MessageInfo& message, std::span<const Record> records, double ingest_time_s,
              std::vector<AlertEvent>& alerts) override;
  void finish(double end_time_s, std::vector<AlertEvent>& alerts) override;
  PipelineCounters counters() const override;
  std::vector<CalibratedDetector> calibrated_detectors() const override;

 private:
  struct SensorState {
    std::variant<std::monostate, EwmaZScore, ThresholdDetector> detector;
    double last_device_time_s = -std::numeric_limits<double>::infinity();
  };

  ReferencePipelineOptions options_;
  Validator validator_;
  SequenceDedup dedup_;
  struct Group {
    MultivariateStage stage;
    AlarmLatch latch;
    std::vector<double> decision_times_s;
    std::vector<std::uint8_t> alarms;
  };
  std::vector<Group> groups_;
  void run_groups(const Record& r, std::vector<AlertEvent>& alerts);
  std::vector<SensorInfo> sensors_;
  std::vector<SensorState> state_;
  std::uint64_t records_in_ = 0, accepted_ = 0, late_ = 0, raised_ = 0, cleared_ = 0;
  std::uint64_t null_timestamp_ = 0;  ///< no device time (NaN, ±Inf): cannot be ordered
  std::uint64_t rejected_[5] = {};
};

}  // namespace twinbed::pipeline
