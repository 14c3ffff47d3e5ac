// Fault bits stamped on each sample's ground truth: which value faults touched it.
// (The labelled fault windows themselves are part of the trace schema:
// analysis/trace_schema.hpp.) One bit per fault kind; docs/trace-format.md
// lists them.
#pragma once

#include <cstdint>

namespace twinbed::faults {

enum FaultBit : std::uint32_t {
  kFaultNone = 0,
  kFaultDrift = 1u << 0,
  kFaultEmiSpike = 1u << 1,
  kFaultOffset = 1u << 2,
  kFaultGain = 1u << 3,
  kFaultRandomWalkDrift = 1u << 4,
  kFaultGaussMarkovDrift = 1u << 5,
  kFaultHighNoise = 1u << 6,
  kFaultImpulsiveNoise = 1u << 7,
  kFaultEmiBurst = 1u << 8,
  kFaultCurrentLoop = 1u << 9,
  kFaultQuantisation = 1u << 10,
  kFaultSaturation = 1u << 11,
  kFaultStuckAt = 1u << 12,
  kFaultSentinel = 1u << 13,
  kFaultFirmwareCodeMapping = 1u << 14,
  kFaultDropout = 1u << 15,     ///< never on a reading: the sample went missing
  kFaultCorruption = 1u << 16,  ///< the value was corrupted in transit (undetected)
};

}  // namespace twinbed::faults
