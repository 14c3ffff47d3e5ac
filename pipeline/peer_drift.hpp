// PeerDrift: two-sided CUSUM on a sensor's residual against its peers.
//
// A sensor's peers are the sensors of the same measurand on other devices
// (the same machine type elsewhere on the line). The residual of a reading
// is its value minus the median of the peers' latest readings (each at most
// `peer_fresh_s` older in device time; none fresh: no residual). The first
// `training_samples` residuals give its mean μ and standard deviation σ
// (floored at `min_sigma_fraction_of_range` of the sensor's range); after
// that, with z = (r − μ)/σ,
//   S⁺ = max(0, S⁺ + z − k),  S⁻ = max(0, S⁻ − z − k)   (k, h in σ units)
// Guarantee: a raise when S⁺ or S⁻ first exceeds h, a clear once both are
// back at 0; each sum is capped at 2h so recovery takes bounded time. The
// score is max(S⁺, S⁻). A sensor with no peer, or of a measurand not
// watched, never updates. With `baseline_samples` = N > 0, μ then follows
// the residual (μ += (r − μ)/N) while not raised: a drift is caught when it
// outruns that tracking (a ramp of slope a leaves μ behind by a·N samples).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pipeline/detector.hpp"
#include "pipeline/record.hpp"

namespace twinbed::pipeline {

struct PeerDriftOptions {
  bool enabled = false;
  double k_sigma = 1.0;
  double h_sigma = 10.0;
  int training_samples = 600;
  double peer_fresh_s = 60.0;
  double min_sigma_fraction_of_range = 0.001;
  /// After training, μ follows the residual as an EWMA over this many samples
  /// (frozen while raised), so a slow divergence of the peers' processes — each
  /// pump's own load — is absorbed while a sensor drifting faster is not. 0: μ fixed.
  int baseline_samples = 0;
  /// Measurands watched (empty: all).
  std::vector<std::string> measurands;
};

class PeerDrift {
 public:
  PeerDrift() = default;
  PeerDrift(const PeerDriftOptions& options, std::span<const SensorInfo> sensors);
  bool enabled() const { return options_.enabled; }
  /// Records the reading as the sensor's latest (for its peers), then steps its CUSUM.
  std::optional<Transition> update(std::uint32_t sensor, double device_time_s, double value);
  /// The residual statistics learned so far (tests, docs).
  double residual_mean(std::uint32_t sensor) const { return state_[sensor].mean; }
  double residual_sigma(std::uint32_t sensor) const;

 private:
  struct State {
    std::vector<std::uint32_t> peers;
    bool has_latest = false;
    double latest_s = 0, latest = 0;
    std::int64_t n = 0;
    double mean = 0, m2 = 0;  ///< Welford over the training residuals
    double min_sigma = 0;
    double s_hi = 0, s_lo = 0;
    bool raised = false;
  };
  PeerDriftOptions options_;
  std::vector<State> state_;
  std::vector<double> scratch_;
};

}  // namespace twinbed::pipeline
