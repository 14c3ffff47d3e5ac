#include "pipeline/sequence_dedup.hpp"

namespace twinbed::pipeline {

SequenceDedup::Stream& SequenceDedup::stream(std::uint32_t device, std::uint32_t boot) {
  if (last_ != nullptr && device == last_device_ && boot == last_boot_) return *last_;
  last_device_ = device;
  last_boot_ = boot;
  if (device >= by_device_.size()) by_device_.resize(device + 1);
  auto& boots = by_device_[device];
  for (auto& [b, s] : boots)
    if (b == boot) return *(last_ = &s);
  boots.emplace_back(boot, Stream{});
  return *(last_ = &boots.back().second);
}

bool SequenceDedup::first_time(std::uint32_t device, std::uint32_t boot, std::uint64_t seq) {
  Stream& s = stream(device, boot);
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
  // Track the run of full leading words incrementally, and drop it in bulk
  // (one shift per 64 full words, not one per record).
  if (word == s.full_words)
    while (s.full_words < s.bits.size() && s.bits[s.full_words] == ~0ULL) ++s.full_words;
  if (s.full_words > 0 && (s.full_words == s.bits.size() || s.full_words >= 64)) {
    s.bits.erase(s.bits.begin(), s.bits.begin() + static_cast<std::ptrdiff_t>(s.full_words));
    s.floor += 64 * s.full_words;
    s.full_words = 0;
  }
  return true;
}

}  // namespace twinbed::pipeline
