// EdgeStage: pipeline code that runs on the device, in the loop.
//
// The firmware hands each stage the readings it has just sampled (records
// only: what the device itself knows, never ground truth) and what it knows
// of the world: its own clock and whether it can reach the cloud. A stage
// may
// - transform the pass before it enters the store-and-forward buffer
//   (transform(): replace values, drop readings by a documented policy,
//   emit derived records on channels the device registry declares), and
// - take local decisions on what the device will send (process(): stop the
//   asset); the simulator carries them out on the plant.
// docs/pipeline.md, "Edge stages". Interface version: kEdgeApiVersion (the
// records themselves: kPipelineApiVersion).
//
// Thread safety: none needed; the simulator calls from one thread.
// Errors: a stage must not throw on bad data.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "pipeline/record.hpp"

namespace twinbed::pipeline {

/// 1: process() and reset() (local decisions). 2: transform() (fates and
/// derived records before the buffer).
inline constexpr int kEdgeApiVersion = 2;

/// What the device knows when its stages run.
struct EdgeContext {
  std::uint32_t device = 0;
  double device_time_s = 0;     ///< the device's clock now
  bool cloud_reachable = true;  ///< connected to the broker (as the device believes)
};

/// A local decision: stop the asset a sensor watches (a local interlock).
struct EdgeDecision {
  std::uint32_t sensor = 0;  ///< the sensor whose readings decided it
  std::uint32_t boot = 0;    ///< identity of the reading that decided it
  std::uint64_t seq = 0;
  double device_time_s = 0;  ///< that reading's timestamp
  double value = 0;          ///< and value
};

/// What becomes of a sampled reading (a documented policy, never a loss).
enum class EdgeFate : std::uint8_t {
  kSend = 0,        ///< buffered and sent
  kSuppressed = 1,  ///< report by exception: it did not move enough to be worth sending (deadband)
  kSummarised = 2,  ///< consumed into derived records (features of a waveform window)
};

/// A record a stage made on a derived channel (a feature, an event). The
/// firmware gives it the device, boot epoch and sequence number.
struct DerivedRecord {
  Record record;                ///< sensor: the derived channel's registry index; time, value, status
  bool alarm = false;           ///< alarm priority: it goes to the firmware's alarm queue
  std::uint32_t source = 0;     ///< the sensor it derives from
  std::uint64_t first_seq = 0;  ///< the source readings it stands for, by sample number (inclusive)
  std::uint64_t last_seq = 0;
};

/// A pass as transforming stages see it: the readings (values may be
/// replaced), their fates (parallel; a stage leaves readings already not
/// kSend alone) and the derived records made so far (later stages see them
/// too). Readings' `seq` here is the device's sample number; the firmware
/// numbers what it sends afterwards.
struct EdgePass {
  std::span<Record> readings;
  std::span<EdgeFate> fate;
  std::vector<DerivedRecord>& derived;
};

class EdgeStage {
 public:
  virtual ~EdgeStage() = default;
  /// Before the buffer: the pass's readings in sample order. Default: nothing.
  virtual void transform(EdgePass& pass, const EdgeContext& context) {
    (void)pass;
    (void)context;
  }
  /// After the buffer: what the device sends from this pass (readings kept,
  /// then derived records), in sequence order. Default: no decisions.
  virtual void process(std::span<const Record> readings, const EdgeContext& context,
                       std::vector<EdgeDecision>& decisions) {
    (void)readings;
    (void)context;
    (void)decisions;
  }
  /// The asset the stage stopped runs again (an operator restarted it).
  virtual void reset(std::uint32_t sensor) { (void)sensor; }
};

}  // namespace twinbed::pipeline
