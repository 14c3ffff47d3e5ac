#include "analysis/alert_parity.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace twinbed::analysis {

std::uint64_t AlertParity::caused() const {
  std::uint64_t n = 0;
  for (const auto& [cause, count] : caused_by) n += count;
  return n;
}

namespace {
bool before(const RaiseRef& a, const RaiseRef& b) {
  return std::tie(a.sensor, a.trigger_true_time_s, a.device, a.boot, a.seq) <
         std::tie(b.sensor, b.trigger_true_time_s, b.device, b.boot, b.seq);
}

}  // namespace

const char* raise_cause(const RaiseRef& r, double match_window_s) {
  if (r.trigger_fault_coded) return "sentinel";
  if (r.trigger_duplicate) return "duplicate";
  if (!(std::abs(r.trigger_device_time_s - r.trigger_true_time_s) <= match_window_s)) return "timestamp";
  return "reordering";
}

AlertParity compare_alerts(std::vector<RaiseRef> run, std::vector<RaiseRef> reference, double match_window_s,
                           std::size_t max_witnesses) {
  AlertParity out;
  out.run_raises = run.size();
  out.reference_raises = reference.size();
  for (const char* cause : {"sentinel", "duplicate", "timestamp", "reordering"}) out.caused_by[cause] = 0;
  std::sort(run.begin(), run.end(), before);
  std::sort(reference.begin(), reference.end(), before);
  std::vector<char> used(reference.size(), 0);
  std::vector<RaiseRef> extra;
  // Per sensor, each run raise takes the earliest unused reference raise within the window.
  std::size_t from = 0;  // first reference raise of the current sensor that may still match
  for (const RaiseRef& r : run) {
    while (from < reference.size() &&
           (reference[from].sensor < r.sensor ||
            (reference[from].sensor == r.sensor &&
             reference[from].trigger_true_time_s < r.trigger_true_time_s - match_window_s)))
      ++from;
    bool found = false;
    for (std::size_t k = from; k < reference.size() && reference[k].sensor == r.sensor &&
                               reference[k].trigger_true_time_s <= r.trigger_true_time_s + match_window_s;
         ++k) {
      if (used[k]) continue;
      used[k] = 1;
      found = true;
      break;
    }
    if (found) {
      ++out.matched;
    } else {
      ++out.caused_by[raise_cause(r, match_window_s)];
      extra.push_back(r);
    }
  }
  for (std::size_t k = 0; k < reference.size(); ++k)
    if (!used[k]) {
      ++out.missing;
      out.missing_witnesses.push_back(reference[k]);
    }
  auto by_time = [](const RaiseRef& a, const RaiseRef& b) {
    return std::tie(a.trigger_true_time_s, a.sensor, a.device, a.boot, a.seq) <
           std::tie(b.trigger_true_time_s, b.sensor, b.device, b.boot, b.seq);
  };
  std::sort(extra.begin(), extra.end(), by_time);
  std::sort(out.missing_witnesses.begin(), out.missing_witnesses.end(), by_time);
  if (extra.size() > max_witnesses) extra.resize(max_witnesses);
  if (out.missing_witnesses.size() > max_witnesses) out.missing_witnesses.resize(max_witnesses);
  out.extra_witnesses = std::move(extra);
  return out;
}

}  // namespace twinbed::analysis
