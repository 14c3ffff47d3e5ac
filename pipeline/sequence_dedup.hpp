// SequenceDedup: exact de-duplication by (device, boot, sequence).
//
// Each (device, boot) stream keeps a bitmap of the sequence numbers it has
// seen, with a moving floor below which every number has been seen (so memory
// stays proportional to the outstanding gaps, not to the stream length).
// Guarantee: `first_time` returns true exactly once per distinct key, whatever
// the arrival order and however many copies arrive.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace twinbed::pipeline {

class SequenceDedup {
 public:
  /// True when (device, boot, seq) has not been seen before; marks it seen.
  bool first_time(std::uint32_t device, std::uint32_t boot, std::uint64_t seq);
  std::uint64_t duplicates() const { return duplicates_; }

 private:
  struct Stream {
    std::uint64_t floor = 0;          ///< every seq < floor has been seen
    std::vector<std::uint64_t> bits;  ///< bit i of word w: seq floor + 64*w + i seen
    std::size_t full_words = 0;       ///< leading words of `bits` that are all ones
  };
  Stream& stream(std::uint32_t device, std::uint32_t boot);

  // Device indices are dense (the registry's): a flat table, then the few boots
  // of each device. A tree over 10 000 devices costs a cache miss per level.
  std::vector<std::vector<std::pair<std::uint32_t, Stream>>> by_device_;
  // Records arrive in per-device batches: the last stream looked up. Stays
  // valid when by_device_ grows (moving a vector keeps its buffer); reset when
  // a device's list of boots grows.
  std::uint32_t last_device_ = ~0u, last_boot_ = ~0u;
  Stream* last_ = nullptr;
  std::uint64_t duplicates_ = 0;
};

}  // namespace twinbed::pipeline
