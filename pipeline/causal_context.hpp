// ReceivedRanges: what the cloud has received from each device, as ranges of
// (boot, seq), so that a command can carry its causal context
// (pipeline/cloud_log.hpp, CausalContext; docs/reconciliation.md, "Plant
// state and conflict rules").
//
// Guarantees:
// - add() is idempotent and commutative: the ranges are a function of the
//   set of (device, boot, seq) added, not of the order or duplication;
// - context(device) lists that set for one device as sorted, disjoint,
//   non-adjacent ranges: context_includes(context(d), boot, seq) is true
//   exactly when (d, boot, seq) was added;
// - add() is O(log ranges); the ranges of a device number its holes (lost or
//   not yet arrived sequence numbers) plus one per boot.
#pragma once

#include <cstdint>
#include <map>
#include <tuple>

#include "pipeline/cloud_log.hpp"

namespace twinbed::pipeline {

class ReceivedRanges {
 public:
  /// The cloud received message (boot, seq) of `device`.
  void add(std::uint32_t device, std::uint32_t boot, std::uint64_t seq);
  /// Everything received from `device` so far.
  CausalContext context(std::uint32_t device) const;

 private:
  /// (device, boot, seq_from) -> seq_to.
  std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint64_t>, std::uint64_t> ranges_;
};

}  // namespace twinbed::pipeline
