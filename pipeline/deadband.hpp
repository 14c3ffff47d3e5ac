// Deadband: report by exception. A reading is sent only when it moved more
// than the deadband from the last value sent for its sensor, or when
// `max_silence_s` (device time) has passed since that send (a heartbeat, so
// the cloud can tell a quiet sensor from a dead one). Everything else is
// suppressed (EdgeFate::kSuppressed): a policy the device documents and the
// ledger counts (samples.suppressed.deadband), not a loss.
//
// The deadband is absolute (`deadband`, in the sensor's unit) or a percent
// of the sensor's span (`deadband_percent` of range_hi - range_lo). The
// comparison is strict (|x - last_sent| > deadband). The first reading of a
// sensor, and the first after a reboot (new boot epoch), is always sent; so
// is every NaN or flagged reading (a fault is news), which does not become
// the reference value. Readings a stage before it did not send are left alone.
#pragma once

#include <cstdint>
#include <vector>

#include "pipeline/edge_stage.hpp"

namespace twinbed::pipeline {

class Deadband : public EdgeStage {
 public:
  struct Rule {
    std::uint32_t sensor = 0;
    double deadband = 0.0;          ///< absolute band, sensor units (used when > 0)
    double deadband_percent = 0.0;  ///< else: percent of span
    double span = 1.0;              ///< range_hi - range_lo of the sensor
    double max_silence_s = 3600.0;  ///< a heartbeat at least this often (device time)
    double band() const { return deadband > 0 ? deadband : deadband_percent / 100.0 * span; }
  };
  explicit Deadband(std::vector<Rule> rules);

  void transform(EdgePass& pass, const EdgeContext& context) override;
  /// Readings this stage suppressed, all sensors.
  std::uint64_t suppressed() const { return suppressed_; }
  /// Heartbeats: readings sent only because max_silence_s had passed.
  std::uint64_t heartbeats() const { return heartbeats_; }

 private:
  struct State {
    Rule rule;
    bool primed = false;
    std::uint32_t boot = 0;
    double last_value = 0;
    double last_sent_s = 0;
  };
  std::vector<State> states_;
  std::uint64_t suppressed_ = 0;
  std::uint64_t heartbeats_ = 0;
};

}  // namespace twinbed::pipeline
