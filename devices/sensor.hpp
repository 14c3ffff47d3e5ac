// SensorChannel: one physical sensor wired to an edge device.
//
// Value path for each sample (docs/faults.md has the stages):
//   true value (physics) → calibration faults (gain, offset)
//   → + noise N(0, noise_std) → additive faults (drifts, noise, EMI)
//   → transducer faults (4–20 mA loop) → converter faults (ADC)
//   → quantise to `resolution` → saturate to [range_lo, range_hi]
//   → output faults (stuck-at, fault codes, dropout)
// The true value (physics, or a recording) is recorded before anything is
// added. Sample k is taken at true time k / rate_hz (k = 1, 2, ...). Faults
// must see non-decreasing times.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "devices/pump.hpp"
#include "devices/recorded_table.hpp"
#include "faults/random_stream.hpp"
#include "faults/value_faults.hpp"

namespace twinbed::devices {

struct SensorParams {
  double rate_hz = 1.0;
  double noise_std = 0.0;
  double resolution = 0.0;  ///< 0 = no quantisation
  double range_lo = 0.0;
  double range_hi = 1.0;
  /// A 4–20 mA transmitter: the input card measures the loop current over
  /// 0–24 mA and converts it linearly, so the converter clamps to that span
  /// (range_lo − 25 % … range_hi + 25 % of the range), not to the range: a
  /// NAMUR NE 43 failure current reads just outside the range.
  bool current_loop = false;
};

/// The firmware's alarm limits on a sensor's measured value: a reading
/// strictly above `above` or below `below` is an alarm (NaN never is).
struct AlarmLimits {
  double above = std::numeric_limits<double>::infinity();
  double below = -std::numeric_limits<double>::infinity();
  bool any() const {
    return above < std::numeric_limits<double>::infinity() ||
           below > -std::numeric_limits<double>::infinity();
  }
  bool tripped(double value) const { return value > above || value < below; }
};

/// What a sensor made of one sample.
struct Measurement {
  double value = 0;
  std::uint32_t fault_mask = 0;  ///< faults::FaultBit flags
  bool missing = false;          ///< dropout: no reading
};

struct SensorChannel {
  std::uint32_t sensor_index = 0;  ///< index in the plant's sensor registry
  const PumpModel* asset = nullptr;
  PumpSignal signal = PumpSignal::kVibrationRms;
  /// Set: the true value is this recorded column instead (asset and signal
  /// unused); a stopped recording takes no samples past its end.
  std::optional<RecordedSignal> recorded;
  SensorParams params;
  AlarmLimits alarm;                           ///< the firmware's limits (none by default)
  faults::RandomStream noise{0, "", "noise"};  ///< replaced by the plant's keyed stream
  /// Value faults, ordered by stage (stable: scenario order within a stage).
  std::vector<std::unique_ptr<faults::ValueFault>> faults;
  std::uint64_t next_k = 1;  ///< index of the next sample to take

  /// Adds a fault in its stage's place.
  void add_fault(std::unique_ptr<faults::ValueFault> fault);
  /// Runs the value path on one true value. `period_s` is 1 / rate_hz.
  /// Defined here: it runs once per sample, and inlining it into the
  /// firmware's sampling loop is worth 5 % of a 10,000-device run.
  inline Measurement measure(double t_s, double true_value, double period_s);
};

inline Measurement SensorChannel::measure(double t_s, double true_value, double period_s) {
  faults::SampleContext s;
  s.t_s = t_s;
  s.period_s = period_s;
  s.value = true_value;
  s.range_lo = params.range_lo;
  s.range_hi = params.range_hi;
  auto f = faults.begin();
  auto run_until = [&](faults::Stage last) {
    for (; f != faults.end() && (*f)->stage() <= last; ++f) (*f)->apply(s);
  };
  run_until(faults::Stage::kCalibration);
  if (params.noise_std > 0) s.value += params.noise_std * noise.normal();
  run_until(faults::Stage::kConverter);
  if (std::isfinite(s.value)) {  // NaN and infinities pass the converter unchanged
    if (params.resolution > 0) s.value = std::round(s.value / params.resolution) * params.resolution;
    const double margin = params.current_loop ? 0.25 * (params.range_hi - params.range_lo) : 0.0;
    s.value = std::clamp(s.value, params.range_lo - margin, params.range_hi + margin);
  }
  run_until(faults::Stage::kOutput);
  return {s.value, s.mask, s.missing};
}

}  // namespace twinbed::devices
