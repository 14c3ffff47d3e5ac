#include "pipeline/reorder_buffer.hpp"

#include <algorithm>

namespace twinbed::pipeline {

bool ReorderBuffer::push(const Record& r, std::vector<Record>& released) {
  State& s = state_[r.sensor];
  if (r.device_time_s < s.max_seen_s - lateness_s_) return false;
  s.max_seen_s = std::max(s.max_seen_s, r.device_time_s);
  s.held.push(r);
  const double watermark = s.max_seen_s - lateness_s_;
  while (!s.held.empty() && s.held.top().device_time_s <= watermark) {
    released.push_back(s.held.top());
    s.held.pop();
  }
  return true;
}

std::uint64_t ReorderBuffer::held() const {
  std::uint64_t n = 0;
  for (const State& s : state_) n += s.held.size();
  return n;
}

}  // namespace twinbed::pipeline
