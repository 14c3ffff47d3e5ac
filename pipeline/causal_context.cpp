#include "pipeline/causal_context.hpp"

#include <iterator>

namespace twinbed::pipeline {

void ReceivedRanges::add(std::uint32_t device, std::uint32_t boot, std::uint64_t seq) {
  // The range at or before seq in this (device, boot).
  auto next = ranges_.upper_bound({device, boot, seq});
  if (next != ranges_.begin()) {
    const auto prev = std::prev(next);
    const auto& [d, b, from] = prev->first;
    if (d == device && b == boot && seq < prev->second) return;  // already held
    if (d == device && b == boot && seq == prev->second) {       // extends prev
      prev->second = seq + 1;
      if (next != ranges_.end() && next->first == std::make_tuple(device, boot, seq + 1)) {
        prev->second = next->second;  // and closes the hole up to next
        ranges_.erase(next);
      }
      return;
    }
  }
  if (next != ranges_.end() && next->first == std::make_tuple(device, boot, seq + 1)) {
    const std::uint64_t to = next->second;  // extends next downwards
    ranges_.erase(next);
    ranges_.emplace(std::make_tuple(device, boot, seq), to);
    return;
  }
  ranges_.emplace(std::make_tuple(device, boot, seq), seq + 1);
}

CausalContext ReceivedRanges::context(std::uint32_t device) const {
  CausalContext out;
  for (auto it = ranges_.lower_bound({device, 0, 0}); it != ranges_.end() && std::get<0>(it->first) == device;
       ++it)
    out.push_back(SeqRange{std::get<1>(it->first), std::get<2>(it->first), it->second});
  return out;
}

}  // namespace twinbed::pipeline
