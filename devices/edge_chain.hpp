// EdgeChain: a device's edge stages, run in the loop by its firmware, with
// the ground truth of what they make kept beside them.
//
// - transform(): the sensors that report raw units (a normaliser's sensors)
//   are converted to raw (value - offset) / scale first — what their
//   transmitter puts on the wire — then every stage's transform() runs in
//   order; values and fates go back to the readings, and each derived record
//   becomes a derived Reading whose truth the chain computes from the truth
//   of the readings it stands for (never shown to the stages):
//   a feature: the same feature of the true (noise- and fault-free) waveform
//   over the same window, its fault mask the OR of the window's, its true
//   time the window's last reading's; an event: the true value of the
//   reading (or derived record) that completed its run.
// - decide(): every stage's process() on what the device sends.
// Truth history is kept only for the sources of features and events: the
// pass's readings, and between passes at most one window each (a device with
// no such stage keeps none).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "devices/reading.hpp"
#include "pipeline/edge_stage.hpp"
#include "pipeline/vibration_features.hpp"

namespace twinbed::devices {

class EdgeChain {
 public:
  void add(std::unique_ptr<pipeline::EdgeStage> stage) { stages_.push_back(std::move(stage)); }
  /// The sensor's transmitter reports raw = (value - offset) / scale.
  void raw_output(std::uint32_t sensor, double scale, double offset) {
    raw_.push_back({sensor, scale, offset});
  }
  /// A derived channel carrying feature `which` of `source`'s windows of `window` samples.
  void feature_channel(std::uint32_t channel, std::uint32_t source, pipeline::VibrationFeature which,
                       std::size_t window);
  /// A derived channel carrying events on `watched` (a sensor or a derived channel).
  void event_channel(std::uint32_t channel, std::uint32_t watched);
  /// Any stage transforms (false: decisions only; the firmware needs no transform hook).
  bool transforms() const { return transforms_; }
  void set_transforms() { transforms_ = true; }

  void transform(std::vector<Reading>& readings, std::vector<pipeline::EdgeFate>& fate,
                 std::vector<Reading>& derived, const pipeline::EdgeContext& context);
  void decide(const std::vector<Reading>& sent, const pipeline::EdgeContext& context,
              std::vector<pipeline::EdgeDecision>& decisions);
  void reset(std::uint32_t sensor);
  const std::vector<std::unique_ptr<pipeline::EdgeStage>>& stages() const { return stages_; }

 private:
  struct Raw {
    std::uint32_t sensor;
    double scale, offset;
  };
  struct Past {
    std::uint64_t seq;
    std::uint32_t boot;
    double true_time_s, true_value;
    std::uint32_t fault_mask;
  };
  struct Source {
    std::uint32_t sensor;
    std::size_t capacity;
    std::deque<Past> past;  ///< this pass's readings and the `capacity` before them, oldest first
  };
  enum class Kind { kFeature, kEvent };
  struct Channel {
    std::uint32_t channel;
    Kind kind;
    std::uint32_t source;
    pipeline::VibrationFeature feature;
  };
  Source* source(std::uint32_t sensor);
  void watch(std::uint32_t sensor, std::size_t capacity);
  bool truth_of(const pipeline::DerivedRecord& d, const std::vector<Reading>& made, ReadingTruth& out);

  std::vector<std::unique_ptr<pipeline::EdgeStage>> stages_;
  std::vector<Raw> raw_;
  std::vector<Source> sources_;
  std::vector<Channel> channels_;
  bool transforms_ = false;
  std::vector<pipeline::Record> records_;
  std::vector<pipeline::DerivedRecord> made_;
  std::vector<double> window_;
};

}  // namespace twinbed::devices
