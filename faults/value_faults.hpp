// Value faults: everything that corrupts a sensor's value between the physics
// and the wire, one class per kind, all behind ValueFault.
//
// A sensor's value path runs its faults by stage, in this order (within a
// stage, in scenario order):
//   true value
//   → kCalibration: gain (1+g)·x, offset +b
//   → sensor noise N(0, noise_std)                      (SensorChannel)
//   → kAdditive: drifts (linear, random walk, Gauss–Markov), high-noise
//     episodes, Middleton Class A impulsive noise, EMI spikes and bursts
//   → kTransducer: 4–20 mA loop failure (NAMUR NE 43) and its conversion
//   → kConverter: ADC faults (coarser quantisation, rails), then the
//     sensor's own quantisation and range                (SensorChannel)
//   → kOutput: stuck-at, sentinel / fault codes, firmware code mapping,
//     dropout (the sample goes missing)
//
// When a fault is active is an EpisodeProcess (a scheduled window or random
// episodes). Each fault owns its RandomStream, keyed by (seed, fault id @
// sensor path, purpose), so adding a fault never moves another's draws.
// Each fault reports its ground truth as labelled events: episode windows,
// or one event per spike / per replaced sample for per-sample faults.
// apply() must be called with non-decreasing sample times.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "faults/episodes.hpp"
#include "faults/fault_bits.hpp"
#include "faults/laws.hpp"
#include "faults/random_stream.hpp"

namespace twinbed::faults {

enum class Stage { kCalibration = 0, kAdditive = 1, kTransducer = 2, kConverter = 3, kOutput = 4 };

/// One sample on its way through the value path.
struct SampleContext {
  double t_s = 0;       ///< true sample time
  double period_s = 1;  ///< the sensor's sample period
  double value = 0;     ///< the value so far
  double range_lo = 0;  ///< the sensor's measuring range
  double range_hi = 1;
  std::uint32_t mask = 0;  ///< FaultBit flags of faults that touched the value
  bool missing = false;    ///< dropout: no reading is produced
};

/// One labelled piece of ground truth: [start_s, end_s) and a magnitude
/// (amplitude, bias, code...; NaN when none applies).
struct FaultEvent {
  double start_s, end_s, magnitude;
};

struct ValueFaultParams;

/// A row of the kind table (value_faults.cpp): what a scenario's `kind` makes.
struct ValueFaultKind {
  const char* kind;   ///< as written in a scenario
  const char* label;  ///< as labelled in the trace and named in attribution
  Stage stage;
  std::uint32_t bit;  ///< FaultBit set on every sample the fault touches
};

class ValueFault {
 public:
  ValueFault(const ValueFaultKind& kind, const EpisodeParams& activity, RandomStream activity_stream,
             RandomStream value_stream)
      : kind_(kind), activity_(activity, activity_stream), stream_(value_stream) {}
  virtual ~ValueFault() = default;
  ValueFault(const ValueFault&) = delete;
  ValueFault& operator=(const ValueFault&) = delete;

  /// The label kind ("emi_spike" for the scenario kind "emi_spikes").
  std::string kind() const { return kind_.label; }
  Stage stage() const { return kind_.stage; }
  virtual void apply(SampleContext& s) = 0;
  /// Labels so far: one per window or episode (with magnitude_), or one per
  /// recorded event when labels_per_event(). `run_end_s` closes open windows.
  virtual void events(std::vector<FaultEvent>& out, double run_end_s) const;
  bool labels_per_event() const { return per_event_; }

 protected:
  void mark(SampleContext& s) const { s.mask |= kind_.bit; }

  const ValueFaultKind& kind_;
  EpisodeProcess activity_;
  RandomStream stream_;  ///< the fault's own draws (the activity has a separate stream)
  double magnitude_ = std::numeric_limits<double>::quiet_NaN();  ///< on window labels
  bool per_event_ = false;          ///< labels are events_, not the activity's windows
  std::vector<FaultEvent> events_;  ///< per-event labels
};

/// Everything a value fault of any kind may need; each kind reads its part.
struct ValueFaultParams {
  std::string kind;
  EpisodeParams activity;
  // offset, gain
  double bias = 0, gain = 0;
  // drift (linear), random_walk_drift, gauss_markov_drift, high_noise, impulsive_noise
  double rate_per_s = 0;
  bool hold_after_end = false;
  double sigma = 0;            ///< random walk: per sqrt(s); Gauss–Markov: stationary std; noise std
  double tau_s = 0;            ///< Gauss–Markov correlation time
  double impulsive_index = 0;  ///< Middleton A
  double gaussian_ratio = 0;   ///< Middleton Gamma
  // emi_spikes, emi_bursts
  double rate_per_s_events = 0;     ///< spikes (or burst centres) per second
  Law amplitude = Law::fixed(1.0);  ///< magnitude law; the sign is random
  int width_samples = 1;
  double spikes_per_burst = 0;       ///< mean, Poisson
  double burst_spread_s = 0;         ///< mean offset from the centre, exponential
  std::function<bool(double)> gate;  ///< bursts happen only when gate(t) (e.g. a motor running)
  // stuck_at
  bool stuck_at_value = false;
  double stuck_value = 0;
  // dropout, sentinel: per-sample probability while active (1 = the whole episode)
  double probability = 1.0;
  // sentinel, firmware_code_mapping
  std::string code;  ///< catalogue name ("-9999", "nan", "hold_last", "adc_high", ...) or "value"
  double code_value = 0;
  // current_loop_failure
  double current_ma = 3.6;
  bool naive_conversion = true;
  // quantisation, saturation
  int adc_bits = 12;
  double rail_lo = 0, rail_hi = 0;
};

/// Builds the fault; throws std::invalid_argument for an unknown kind.
std::unique_ptr<ValueFault> make_value_fault(const ValueFaultParams& p, std::uint64_t seed,
                                             const std::string& stream_entity);

/// Fault kinds make_value_fault knows (as written in scenarios), and the fault
/// bit each sets (by scenario kind or by label kind; 0 for neither).
const std::vector<std::string>& value_fault_kinds();
std::uint32_t fault_bit_of(const std::string& kind);

/// The sentinel catalogue: names accepted for `code`.
const std::vector<std::string>& sentinel_codes();

}  // namespace twinbed::faults
