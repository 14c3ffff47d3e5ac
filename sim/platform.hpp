// Platform: the SimGrid world generated from the Topology graph.
//
// One star zone whose centre is the graph's core router. A host's route to
// the centre is its breadth-first path to the core in the graph, as a list of
// links: a device's is [device link, its gateway's backhaul]. Each graph edge
// is one SimGrid link shared by every route that crosses it, so the devices
// behind a gateway contend for its backhaul. Memory is linear in the number
// of hosts (no all-pairs routing table).
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
