// OutageSchedule: the set of time windows during which a link is down.
//
// Windows are half-open [start_s, end_s), kept sorted and merged, so queries are
// O(log n). Built from scheduled windows now; the renewal-process outages of the
// full fault catalogue add windows through the same `add`.
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

namespace twinbed::faults {

class OutageSchedule {
 public:
  void add(double start_s, double end_s) {
    if (end_s <= start_s) return;
    windows_.emplace_back(start_s, end_s);
    std::sort(windows_.begin(), windows_.end());
    std::vector<std::pair<double, double>> merged;
    for (const auto& w : windows_) {
      if (!merged.empty() && w.first <= merged.back().second)
        merged.back().second = std::max(merged.back().second, w.second);
      else
        merged.push_back(w);
    }
    windows_ = std::move(merged);
  }

  /// True when the link is down at t_s.
  bool down_at(double t_s) const {
    auto it = std::upper_bound(windows_.begin(), windows_.end(), std::make_pair(t_s, 1e308));
    if (it == windows_.begin()) return false;
    --it;
    return t_s >= it->first && t_s < it->second;
  }

  /// True when any window intersects [from_s, to_s].
  bool down_during(double from_s, double to_s) const {
    for (const auto& w : windows_)
      if (w.first <= to_s && w.second > from_s) return true;
    return false;
  }

  /// The end of the window containing t_s, or t_s when the link is up.
  double up_from(double t_s) const {
    auto it = std::upper_bound(windows_.begin(), windows_.end(), std::make_pair(t_s, 1e308));
    if (it == windows_.begin()) return t_s;
    --it;
    return t_s >= it->first && t_s < it->second ? it->second : t_s;
  }

  bool empty() const { return windows_.empty(); }
  const std::vector<std::pair<double, double>>& windows() const { return windows_; }

 private:
  std::vector<std::pair<double, double>> windows_;
};

}  // namespace twinbed::faults
