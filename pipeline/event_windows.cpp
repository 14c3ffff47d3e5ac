#include "pipeline/event_windows.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::pipeline {

std::int64_t EventWindows::index_of(double time_s) const {
  return static_cast<std::int64_t>(std::floor(time_s / options_.window_s));
}

std::int64_t EventWindows::first_ending_after(double t_s) const {
  if (std::isnan(t_s) || t_s == -std::numeric_limits<double>::infinity())
    return std::numeric_limits<std::int64_t>::min();
  if (t_s == std::numeric_limits<double>::infinity()) return std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(std::floor(t_s / options_.window_s));
}

void EventWindows::emit(std::uint32_t sensor, std::int64_t k, Window& w, std::vector<WindowResult>& out) {
  WindowResult r;
  r.sensor = sensor;
  r.start_s = static_cast<double>(k) * options_.window_s;
  r.end_s = static_cast<double>(k + 1) * options_.window_s;
  r.revision = w.next_revision++;
  double sum = 0;
  for (const auto& [value, count] : w.items) {  // sorted: the same sum for the same contents
    r.count += count;
    sum += value * count;
  }
  if (r.count > 0) {
    r.mean = sum / static_cast<double>(r.count);
    r.min = w.items.begin()->first;
    r.max = w.items.rbegin()->first;
  }
  r.final_ = w.final_;
  w.emitted = true;
  out.push_back(r);
}

void EventWindows::changed(std::uint32_t sensor, std::int64_t k, Window& w, std::vector<WindowResult>& out) {
  const double end_s = static_cast<double>(k + 1) * options_.window_s;
  const double wm = sensors_[sensor].watermark_s;
  if (w.emitted) {
    ++late_revisions_;
    if (w.final_) ++after_final_;
    emit(sensor, k, w, out);
  } else if (end_s <= wm) {  // a window behind the watermark that had no result yet
    w.final_ = end_s + options_.allowed_lateness_s <= wm && end_s <= sensors_[sensor].final_limit_s;
    emit(sensor, k, w, out);
  }
}

void EventWindows::advance(std::uint32_t sensor, double time_s, std::vector<WindowResult>& out) {
  Sensor& s = sensors_[sensor];
  if (!(time_s > s.watermark_s)) return;
  const double old_wm = s.watermark_s;
  s.watermark_s = time_s;
  // Windows whose end the watermark passed now: first result; whose end + lateness: final.
  const double W = options_.window_s, L = options_.allowed_lateness_s;
  // First results: end in (old_wm, wm].
  for (auto it = s.windows.lower_bound(first_ending_after(old_wm)); it != s.windows.end(); ++it) {
    const double end_s = static_cast<double>(it->first + 1) * W;
    if (end_s > time_s) break;
    if (end_s <= old_wm || it->second.emitted) continue;
    it->second.final_ = end_s + L <= time_s && end_s <= s.final_limit_s;
    emit(sensor, it->first, it->second, out);
  }
  // Finals: end + L in (old_wm, wm], end within the final limit.
  for (auto it = s.windows.lower_bound(first_ending_after(old_wm - L)); it != s.windows.end(); ++it) {
    const double end_s = static_cast<double>(it->first + 1) * W;
    if (end_s + L > time_s || end_s > s.final_limit_s) break;
    if (end_s + L <= old_wm || it->second.final_) continue;
    it->second.final_ = true;
    emit(sensor, it->first, it->second, out);
  }
}

void EventWindows::set_final_limit(std::uint32_t sensor, double limit_s, std::vector<WindowResult>& out) {
  Sensor& s = sensors_[sensor];
  const double old_limit = s.final_limit_s;
  s.final_limit_s = limit_s;
  if (!(limit_s > old_limit)) return;
  // Released: the windows ending in (old_limit, limit] the watermark passed by the lateness.
  const double W = options_.window_s, L = options_.allowed_lateness_s;
  for (auto it = s.windows.lower_bound(first_ending_after(old_limit)); it != s.windows.end(); ++it) {
    const double end_s = static_cast<double>(it->first + 1) * W;
    if (end_s > limit_s || end_s + L > s.watermark_s) break;
    if (end_s <= old_limit || it->second.final_ || !it->second.emitted) continue;
    it->second.final_ = true;
    emit(sensor, it->first, it->second, out);
  }
}

void EventWindows::add(std::uint32_t sensor, double time_s, double value, std::uint32_t count,
                       std::vector<WindowResult>& out) {
  const std::int64_t k = index_of(time_s);
  Window& w = sensors_[sensor].windows[k];
  w.items.emplace(value, count);
  changed(sensor, k, w, out);
  advance(sensor, time_s, out);
}

void EventWindows::remove(std::uint32_t sensor, double time_s, double value, std::uint32_t count,
                          std::vector<WindowResult>& out) {
  const std::int64_t k = index_of(time_s);
  auto wit = sensors_[sensor].windows.find(k);
  if (wit == sensors_[sensor].windows.end()) return;
  Window& w = wit->second;
  auto it = w.items.find({value, count});
  if (it == w.items.end()) return;
  w.items.erase(it);
  changed(sensor, k, w, out);
}

void EventWindows::close(std::vector<WindowResult>& out) {
  for (std::size_t s = 0; s < sensors_.size(); ++s)
    for (auto& [k, w] : sensors_[s].windows) {
      if (w.final_ || (!w.emitted && w.items.empty())) continue;
      w.final_ = true;
      emit(static_cast<std::uint32_t>(s), k, w, out);
    }
}

}  // namespace twinbed::pipeline
