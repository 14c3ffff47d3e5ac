// A hand-built history for the reconciliation checker's tests: two devices,
// one sensor each, one reading a second for 100 s; device 0 is cut off by an
// outage over [20, 50) s and flushes its backlog (in 0.3 s) after it, so receipt order
// differs from physical order on purpose. `correct_log` is what a correct
// reconciling pipeline reports; each test breaks it one way. `write_trace`
// writes the same tables with the simulator's trace writer (round trip, CLI).
#pragma once

#include <algorithm>
#include <cmath>
#include <string>

#include "analysis/reconciliation_input.hpp"
#include "analysis/trace_tables.hpp"
#include "sim/cloud_log_tables.hpp"
#include "sim/topology_table.hpp"
#include "sim/trace_writer.hpp"

namespace twinbed::test {

using analysis::CloudViewRow;
using analysis::ReconciliationInput;
using pipeline::ViewChange;

inline constexpr double kOutageFrom_s = 20, kOutageTo_s = 50, kLatency_s = 0.5, kClaim_s = 0.1;

/// Cloud arrival of a reading taken at τ on `device`: the latency, or the flush after the outage.
inline double arrival_s(std::uint32_t device, double tau_s) {
  if (device == 0 && tau_s >= kOutageFrom_s && tau_s < kOutageTo_s)
    return kOutageTo_s + (tau_s - kOutageFrom_s) * 0.01;
  return tau_s + kLatency_s;
}

/// Truth, transport and faults; the cloud log is left empty.
inline ReconciliationInput history() {
  ReconciliationInput in;
  in.devices = {"edge-01", "edge-02"};
  in.sensors = {"edge-01/vib", "edge-02/vib"};
  in.assets = {"pump-1", "pump-2"};
  in.duration_s = 100;
  in.quiet_from_s = 60;
  in.faults = {{"cut", "outage", "edge-01", kOutageFrom_s, kOutageTo_s, "{}"}};
  auto& samples = in.samples.emplace();
  auto& received = in.received.emplace();
  in.lost.emplace();
  for (std::uint32_t d = 0; d < 2; ++d)
    for (std::uint64_t k = 0; k < 100; ++k) {
      const double tau = static_cast<double>(k) + 0.25 * d;
      const double value = 3.0 + d + std::sin(0.1 * static_cast<double>(k));
      samples.push_back({d, d, 1, k, tau, value - 0.01, tau + 0.02, value});
      received.push_back({d, d, 1, k, tau + 0.02, value, arrival_s(d, tau), false});
    }
  std::sort(received.begin(), received.end(),
            [](const auto& a, const auto& b) { return a.ingest_time_s < b.ingest_time_s; });
  return in;
}

/// /topology/devices for the history: both devices MQTT behind gateway gw-1 (device 1 behind `gateway_1`),
/// a 10 kB/s uplink, 10 ms one way, 43-byte readings in batches of 10 under a 64-byte header, one message
/// in flight, reconnecting at once: a message cycle of 0.0694 s, 144 readings/s through the window.
inline void with_topology(ReconciliationInput& in, const std::string& gateway_1 = "gw-1") {
  auto& t = in.topology.emplace();
  for (std::uint32_t d = 0; d < 2; ++d)
    t.push_back({d, d == 0 ? "gw-1" : gateway_1, "mqtt", 10000, 250000, 0.01, 43, 64, 10, 1, 0, 0, 0, 20000});
}

/// What a correct pipeline reports: every received reading inserted once, when it arrives, at its device
/// time (error 0.02 s), claiming kClaim_s.
inline void correct_log(ReconciliationInput& in) {
  in.cloud_log = true;
  in.view.clear();
  for (const auto& r : *in.received) {
    ViewChange c;
    c.device = r.device, c.boot = r.boot, c.seq = r.seq, c.sensor = r.sensor, c.value = r.value;
    c.event_time_s = r.device_time_s, c.uncertainty_s = kClaim_s;
    in.view.push_back({r.ingest_time_s, c});
  }
}

/// Windows of 10 s per sensor, each reported once (final) at the end of the run with the right aggregate.
inline void final_windows(ReconciliationInput& in) {
  for (std::uint32_t s = 0; s < 2; ++s)
    for (int w = 0; w < 10; ++w) {
      pipeline::WindowResult r;
      r.sensor = s, r.start_s = 10.0 * w, r.end_s = 10.0 * (w + 1), r.final_ = true;
      double sum = 0, lo = 1e300, hi = -1e300;
      for (const auto& v : in.view)
        if (v.change.sensor == s && v.change.event_time_s >= r.start_s && v.change.event_time_s < r.end_s)
          ++r.count, sum += v.change.value, lo = std::min(lo, v.change.value),
                                            hi = std::max(hi, v.change.value);
      r.mean = sum / static_cast<double>(r.count), r.min = lo, r.max = hi;
      in.windows.push_back({99.9, r});
    }
}

/// Writes `in` as a trace file (the layout of docs/trace-format.md).
inline void write_trace(const ReconciliationInput& in, const std::string& path) {
  using sim::ColumnType;
  sim::TraceWriter w(path, 1);
  w.attribute("twinbed_trace_format", 1.0);
  w.attribute("duration_s", in.duration_s);
  w.attribute("level", "full");
  if (in.quiet_from_s) w.attribute(analysis::kQuietFromAttribute, *in.quiet_from_s);
  if (in.drain_overhead != analysis::kDefaultDrainOverhead)
    w.attribute(analysis::kDrainOverheadAttribute, in.drain_overhead);
  if (in.live_latency_slo_s) w.attribute(analysis::kLiveLatencySloAttribute, *in.live_latency_slo_s);
  w.strings("/registry/devices/id", in.devices);
  std::vector<std::string> dev, sen;
  for (const auto& s : in.sensors)
    dev.push_back(s.substr(0, s.find('/'))), sen.push_back(s.substr(s.find('/') + 1));
  w.strings("/registry/sensors/device", dev);
  w.strings("/registry/sensors/sensor", sen);
  w.strings("/registry/sensors/asset", in.assets);
  std::vector<std::string> ids, kinds, targets, params;
  std::vector<double> starts, ends;
  for (const auto& f : in.faults)
    ids.push_back(f.fault_id), kinds.push_back(f.kind), targets.push_back(f.target),
        params.push_back(f.params_json), starts.push_back(f.start_s), ends.push_back(f.end_s);
  w.strings("/truth/faults/fault_id", ids);
  w.strings("/truth/faults/kind", kinds);
  w.strings("/truth/faults/target", targets);
  w.strings("/truth/faults/params", params);
  w.doubles("/truth/faults/start_s", starts, "s");
  w.doubles("/truth/faults/end_s", ends, "s");
  {
    auto t = w.table("/truth/samples", {{"device", ColumnType::kU32, ""},
                                        {"sensor", ColumnType::kU32, ""},
                                        {"boot", ColumnType::kU32, ""},
                                        {"seq", ColumnType::kU64, ""},
                                        {"true_time_s", ColumnType::kF64, "s"},
                                        {"true_value", ColumnType::kF64, ""},
                                        {"device_time_s", ColumnType::kF64, "s"},
                                        {"value", ColumnType::kF64, ""}});
    for (const auto& s : *in.samples)
      t->append(s.device, s.sensor, s.boot, s.seq, s.true_time_s, s.true_value, s.device_time_s, s.value);
    t->flush();
  }
  {
    // No boot column: the reader must take boot = 1.
    auto t = w.table("/readings/lost", {{"device", ColumnType::kU32, ""},
                                        {"sensor", ColumnType::kU32, ""},
                                        {"seq", ColumnType::kU64, ""},
                                        {"true_time_s", ColumnType::kF64, "s"},
                                        {"cause", ColumnType::kU8, ""}});
    for (const auto& l : *in.lost) t->append(l.device, l.sensor, l.seq, l.true_time_s, l.cause);
    t->flush();
  }
  {
    auto t = w.table("/readings/received", {{"device", ColumnType::kU32, ""},
                                            {"sensor", ColumnType::kU32, ""},
                                            {"boot", ColumnType::kU32, ""},
                                            {"seq", ColumnType::kU64, ""},
                                            {"device_time_s", ColumnType::kF64, "s"},
                                            {"value", ColumnType::kF64, ""},
                                            {"ingest_time_s", ColumnType::kF64, "s"},
                                            {"duplicate", ColumnType::kU8, ""}});
    for (const auto& r : *in.received)
      t->append(r.device, r.sensor, r.boot, r.seq, r.device_time_s, r.value, r.ingest_time_s,
                r.duplicate ? 1 : 0);
    t->flush();
  }
  if (in.topology) sim::write_topology_devices(w, *in.topology);
  if (in.cloud_log) {
    sim::CloudLogTables cloud(w);
    for (const auto& r : in.view) cloud.append(r.cloud_time_s, r.change);
    for (const auto& r : in.gaps) cloud.append(r.cloud_time_s, r.gap);
    for (const auto& r : in.windows) cloud.append(r.cloud_time_s, r.window);
    for (const auto& r : in.state) cloud.append(r.cloud_time_s, r.write);
    cloud.flush();
  }
  w.close();
}

}  // namespace twinbed::test
