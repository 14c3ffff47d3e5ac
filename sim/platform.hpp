// Platform: the SimGrid world generated from the Topology graph.
//
// Zones mirror the graph: a root star zone whose centre is the core router,
// holding the broker and the cloud, and one star zone per gateway holding the
// gateway and its devices. A host's route to its zone's centre is the graph
// edge to its parent; a gateway zone reaches the root through its gateway host
// and backhaul link. Memory stays linear in the number of devices (no
// all-pairs routing table).
//
// configure_network_model() must run before the platform is built: it sets
// SimGrid's latency and bandwidth factors to 1, so a link declared with 10 ms
// of latency delivers a small message in 10 ms (the default LV08 model
// multiplies latency by 13.01 to mimic TCP slow start on a LAN).
#pragma once

#include <simgrid/s4u.hpp>
#include <vector>

#include "sim/topology.hpp"

namespace twinbed::sim {

void configure_network_model();

struct Platform {
  std::vector<simgrid::s4u::Host*> host_of_vertex;  ///< by topology vertex (nullptr for the core)
  simgrid::s4u::Host* broker = nullptr;
  simgrid::s4u::Host* cloud = nullptr;
};

Platform build_platform(const Topology& topology);

}  // namespace twinbed::sim
