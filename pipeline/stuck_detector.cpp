#include "pipeline/stuck_detector.hpp"

#include <map>
#include <string>

namespace twinbed::pipeline {

StuckDetector::StuckDetector(const StuckOptions& options, std::span<const SensorInfo> sensors)
    : readings_(options.readings) {
  if (readings_ <= 0) return;
  state_.resize(sensors.size());
  peers_.resize(sensors.size());
  std::map<std::string, std::vector<std::uint32_t>> by_device;
  for (std::size_t i = 0; i < sensors.size(); ++i)
    by_device[sensors[i].device_id].push_back(static_cast<std::uint32_t>(i));
  for (const auto& [device, members] : by_device)
    for (std::uint32_t i : members)
      for (std::uint32_t j : members)
        if (i != j) peers_[i].push_back(j);
}

std::optional<AlertTransition> StuckDetector::update(std::uint32_t sensor, double t, double x) {
  if (sensor >= state_.size()) return std::nullopt;
  State& s = state_[sensor];
  if (!s.any || x != s.value) {
    s.any = true;
    s.value = x;
    s.run = 1;
    s.run_start_s = t;
    if (s.flagged) {
      s.flagged = false;
      return AlertTransition::kClear;
    }
    return std::nullopt;
  }
  ++s.run;
  if (s.flagged || s.run < readings_) return std::nullopt;
  for (std::uint32_t p : peers_[sensor])
    if (state_[p].any && state_[p].run_start_s > s.run_start_s) {
      s.flagged = true;
      return AlertTransition::kRaise;
    }
  return std::nullopt;
}

}  // namespace twinbed::pipeline
