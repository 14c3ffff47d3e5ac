// The /topology/devices table (docs/trace-format.md): where each device sits
// and what its uplink can carry. The one definition of its columns: the
// world writes it from the scenario and the Boost.Graph topology, the tests
// write hand-built ones with it, and analysis/trace_tables.cpp reads it by
// these names.
#pragma once

#include <span>

#include "analysis/reconciliation_input.hpp"
#include "sim/trace_writer.hpp"

namespace twinbed::sim {

/// Writes `devices` (one row each, in order) to `trace` as /topology/devices,
/// with the gateway and protocol names as string datasets beside it.
void write_topology_devices(TraceWriter& trace, std::span<const analysis::DeviceTopology> devices);

}  // namespace twinbed::sim
