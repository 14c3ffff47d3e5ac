#include "sim/topology_table.hpp"

#include <string>
#include <vector>

namespace twinbed::sim {

void write_topology_devices(TraceWriter& trace, std::span<const analysis::DeviceTopology> devices) {
  auto table = trace.table("/topology/devices", {{"device", ColumnType::kU32, ""},
                                                 {"uplink_bytes_per_s", ColumnType::kF64, "B/s"},
                                                 {"backhaul_bytes_per_s", ColumnType::kF64, "B/s"},
                                                 {"latency_s", ColumnType::kF64, "s"},
                                                 {"record_bytes", ColumnType::kF64, "B"},
                                                 {"message_overhead_bytes", ColumnType::kF64, "B"},
                                                 {"max_batch_records", ColumnType::kU64, ""},
                                                 {"max_inflight", ColumnType::kU64, ""},
                                                 {"drain_records_per_s", ColumnType::kF64, "1/s"},
                                                 {"reconnect_interval_s", ColumnType::kF64, "s"},
                                                 {"ack_timeout_s", ColumnType::kF64, "s"},
                                                 {"buffer_capacity_records", ColumnType::kU64, ""}});
  std::vector<std::string> gateways, protocols;
  for (const analysis::DeviceTopology& d : devices) {
    table->append(d.device, d.uplink_bytes_per_s, d.backhaul_bytes_per_s, d.latency_s, d.record_bytes,
                  d.message_overhead_bytes, d.max_batch_records, d.max_inflight, d.drain_records_per_s,
                  d.reconnect_interval_s, d.ack_timeout_s, d.buffer_capacity_records);
    gateways.push_back(d.gateway);
    protocols.push_back(d.protocol);
  }
  table->flush();
  table.reset();
  trace.strings("/topology/devices/gateway", gateways);
  trace.strings("/topology/devices/protocol", protocols);
}

}  // namespace twinbed::sim
