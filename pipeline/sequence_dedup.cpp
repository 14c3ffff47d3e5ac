#include "pipeline/sequence_dedup.hpp"

namespace twinbed::pipeline {

bool SequenceDedup::first_time(std::uint32_t device, std::uint32_t boot, std::uint64_t seq) {
  Stream& s = streams_[{device, boot}];
  if (seq < s.floor) {
    ++duplicates_;
    return false;
  }
  const std::uint64_t offset = seq - s.floor;
  const std::size_t word = offset / 64;
  const std::uint64_t mask = 1ULL << (offset % 64);
  if (word >= s.bits.size()) s.bits.resize(word + 1, 0);
  if (s.bits[word] & mask) {
    ++duplicates_;
    return false;
  }
  s.bits[word] |= mask;
  // Advance the floor past fully seen leading words.
  std::size_t full = 0;
  while (full < s.bits.size() && s.bits[full] == ~0ULL) ++full;
  if (full > 0) {
    s.bits.erase(s.bits.begin(), s.bits.begin() + static_cast<std::ptrdiff_t>(full));
    s.floor += 64 * full;
  }
  return true;
}

}  // namespace twinbed::pipeline
