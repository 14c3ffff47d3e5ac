#include "sim/true_order_replay.hpp"

#include <algorithm>
#include <limits>
#include <tuple>

namespace twinbed::sim {

std::vector<analysis::RaiseRef> replay_in_true_order(
    pipeline::CloudPipeline& fresh, std::vector<ReplayReading> readings,
    std::span<const std::vector<pipeline::FieldDecl>> fields_by_device) {
  std::stable_sort(readings.begin(), readings.end(), [](const ReplayReading& a, const ReplayReading& b) {
    return std::tie(a.true_time_s, a.record.device, a.record.sensor) <
           std::tie(b.true_time_s, b.record.device, b.record.sensor);
  });
  std::vector<std::uint64_t> next_seq(fields_by_device.size(), 0);
  std::vector<std::uint64_t> counter(fields_by_device.size(), 0);
  // Renumbered: readings[k] of device d is (d, 1, seq_of[k]); the trigger's position by (device, seq).
  std::vector<std::vector<std::size_t>> position(fields_by_device.size());
  std::vector<pipeline::AlertEvent> alerts;
  std::vector<char> open;
  std::vector<analysis::RaiseRef> raises;
  for (std::size_t k = 0; k < readings.size(); ++k) {
    pipeline::Record r = readings[k].record;
    const double t = readings[k].true_time_s;
    if (r.device >= fields_by_device.size()) continue;
    r.boot = 1;
    r.seq = next_seq[r.device]++;
    position[r.device].push_back(k);
    r.device_time_s = t;
    r.time_uncertainty_s = 0.0f;
    r.hlc = 0;
    r.uptime_s = std::numeric_limits<double>::quiet_NaN();
    pipeline::MessageInfo message;
    message.device = r.device;
    message.fields = fields_by_device[r.device];
    message.authenticated_device = r.device;
    message.integrity = pipeline::MessageIntegrity::kValid;
    message.message_counter = ++counter[r.device];
    alerts.clear();
    fresh.ingest(message, std::span<const pipeline::Record>(&r, 1), t, alerts);
    for (const pipeline::AlertEvent& a : alerts) {
      if (a.kind != pipeline::AlertKind::kProcess) continue;
      if (a.sensor >= open.size()) open.resize(a.sensor + 1, 0);
      if (a.transition == pipeline::AlertTransition::kClear) {
        open[a.sensor] = 0;
        continue;
      }
      if (open[a.sensor]) continue;
      open[a.sensor] = 1;
      if (a.device >= position.size() || a.seq >= position[a.device].size())
        continue;  // not a replayed record
      const ReplayReading& trigger = readings[position[a.device][a.seq]];
      analysis::RaiseRef ref;
      ref.sensor = a.sensor;
      ref.trigger_true_time_s = trigger.true_time_s;
      ref.trigger_device_time_s = trigger.true_time_s;
      ref.device = trigger.record.device;
      ref.boot = trigger.record.boot;
      ref.seq = trigger.record.seq;
      raises.push_back(ref);
    }
  }
  alerts.clear();
  fresh.finish(readings.empty() ? 0.0 : readings.back().true_time_s, alerts);
  return raises;
}

}  // namespace twinbed::sim
