// Fault bits stamped on each sample's ground truth: which value faults touched it.
// (The labelled fault windows themselves are part of the trace schema:
// analysis/trace_schema.hpp.)
#pragma once

#include <cstdint>

namespace twinbed::faults {

enum FaultBit : std::uint32_t {
  kFaultNone = 0,
  kFaultDrift = 1u << 0,
  kFaultEmiSpike = 1u << 1,
};

}  // namespace twinbed::faults
