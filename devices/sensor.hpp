// SensorChannel: one physical sensor wired to an edge device.
//
// Value path for each sample, in this order:
//   true value (physics) → + noise N(0, noise_std) → + value faults (drift, EMI)
//   → quantise to `resolution` → saturate to [range_lo, range_hi]
// The true value is recorded before anything is added. Sample k is taken at
// true time k / rate_hz (k = 1, 2, ...).
#pragma once

#include <cstdint>
#include <vector>

#include "devices/pump.hpp"
#include "faults/emi_spikes.hpp"
#include "faults/fault_bits.hpp"
#include "faults/linear_drift.hpp"
#include "faults/random_stream.hpp"

namespace twinbed::devices {

struct SensorParams {
  double rate_hz = 1.0;
  double noise_std = 0.0;
  double resolution = 0.0;  ///< 0 = no quantisation
  double range_lo = 0.0;
  double range_hi = 1.0;
};

struct SensorChannel {
  std::uint32_t sensor_index = 0;  ///< index in the plant's sensor registry
  const PumpModel* asset = nullptr;
  PumpSignal signal = PumpSignal::kVibrationRms;
  SensorParams params;
  faults::RandomStream noise;
  std::vector<faults::LinearDrift> drifts;
  std::vector<faults::EmiSpikes> emi;
  std::uint64_t next_k = 1;  ///< index of the next sample to take

  /// Applies noise, faults, quantisation and saturation to one true value.
  /// `period_s` is 1 / rate_hz, computed once per batch by the caller.
  double measure(double t_s, double true_value, double period_s, std::uint32_t& fault_mask);
};

}  // namespace twinbed::devices
