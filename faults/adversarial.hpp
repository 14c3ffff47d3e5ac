// Adversarial fault processes (docs/faults.md, "Adversarial faults"): when a
// spoofing attacker sends, which genuine messages a replaying attacker
// captures, and what a man in the middle does to a value. Pure functions of
// their parameters and a keyed RandomStream: the simulator (sim/world.cpp)
// turns them into forged or altered messages at the ingestion endpoint.
//
// Guarantees: spoof arrivals are a homogeneous Poisson process of rate
// `rate_per_s` on [start_s, end_s) (plus any scheduled times), sorted; each
// capture and each tamper is one Bernoulli draw with the given probability,
// from the caller's stream only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "faults/random_stream.hpp"

namespace twinbed::faults {

/// The times a spoofing attacker sends a message: Poisson at `rate_per_s` in
/// [start_s, end_s), merged with the scheduled `at_s` inside the window, sorted.
std::vector<double> spoof_times(double rate_per_s, double start_s, double end_s,
                                const std::vector<double>& at_s, RandomStream& draws);

/// What a man in the middle does to a value it alters.
enum class TamperMode : std::uint8_t { kOffset = 0, kScale = 1, kSet = 2 };
struct TamperParams {
  double probability = 1.0;  ///< per message, while the fault is active
  TamperMode mode = TamperMode::kOffset;
  double amount = 0.0;  ///< offset: added (engineering units); scale: the factor; set: the value
};
TamperMode tamper_mode(const std::string& name);  ///< "offset", "scale", "set"; throws otherwise

/// The altered value.
inline double tampered_value(double value, const TamperParams& p) {
  switch (p.mode) {
    case TamperMode::kOffset:
      return value + p.amount;
    case TamperMode::kScale:
      return value * p.amount;
    case TamperMode::kSet:
      return p.amount;
  }
  return value;
}

/// One message in transit: does the man in the middle alter it?
inline bool tamper_draw(const TamperParams& p, RandomStream& draws) {
  return draws.uniform() < p.probability;
}

/// A replaying attacker: captures each genuine message of its target with
/// `probability` (up to `count` messages) and sends a copy `delay_s` later.
struct ReplayParams {
  double probability = 1.0;
  double delay_s = 3600.0;
  std::uint64_t count = 0;  ///< most messages replayed; 0: no limit
};

/// Decides captures one genuine message at a time (a draw per message offered while active).
class ReplayCapture {
 public:
  ReplayCapture(ReplayParams params, RandomStream draws) : params_(params), draws_(draws) {}
  /// True when this message is captured (to be replayed params().delay_s later).
  bool capture() {
    if (params_.count != 0 && captured_ >= params_.count) return false;
    if (!(draws_.uniform() < params_.probability)) return false;
    ++captured_;
    return true;
  }
  std::uint64_t captured() const { return captured_; }
  const ReplayParams& params() const { return params_; }

 private:
  ReplayParams params_;
  RandomStream draws_;
  std::uint64_t captured_ = 0;
};

}  // namespace twinbed::faults
