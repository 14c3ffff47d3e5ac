// Topology: the plant's network as a Boost.Graph graph, built from a scenario.
//
// Vertices are devices, gateways, the core router, the broker and the cloud;
// each undirected edge is a link with bandwidth and latency:
//
//   device ──(device link)── gateway ──(backhaul)── core ──(broker link)── broker
//                                                        └──(cloud link)── cloud
//
// The SimGrid platform is generated from this graph (sim/platform.hpp), and
// routes are the graph's shortest paths (breadth-first from the core), so the
// graph is the one description of the network. Guarantees: every device has
// a path to the broker; `path_to_core` returns the links in device-to-core order.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <map>
#include <string>
#include <vector>

#include "sim/scenario.hpp"

namespace twinbed::sim {

enum class NodeKind { kDevice, kGateway, kCore, kBroker, kCloud };

struct TopologyNode {
  NodeKind kind = NodeKind::kDevice;
  std::string id;
  std::size_t spec_index = 0;  ///< index into the scenario's devices / gateways
  double cpu_flops = 1e9;      ///< per core
  int cores = 1;
};

struct TopologyLink {
  std::string name;  ///< unique SimGrid link name
  LinkSpec spec;
};

using TopologyGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, TopologyNode, TopologyLink>;
using Vertex = boost::graph_traits<TopologyGraph>::vertex_descriptor;
using Edge = boost::graph_traits<TopologyGraph>::edge_descriptor;

class Topology {
 public:
  explicit Topology(const Scenario& scenario);

  const TopologyGraph& graph() const { return graph_; }
  Vertex vertex(const std::string& id) const { return by_id_.at(id); }
  Vertex core() const { return core_; }
  Vertex broker() const { return broker_; }
  Vertex cloud() const { return cloud_; }
  const std::vector<Vertex>& devices() const { return devices_; }
  const std::vector<Vertex>& gateways() const { return gateways_; }

  /// The edges from `v` up to the core, in order (from breadth-first search).
  std::vector<Edge> path_to_core(Vertex v) const;
  /// One-way latency from `v` to the broker (sum of the path's link latencies).
  double latency_to_broker_s(Vertex v) const;
  /// Devices attached to each gateway (the fan-in a capacity study sweeps).
  std::map<std::string, std::size_t> devices_per_gateway() const;

 private:
  TopologyGraph graph_;
  std::map<std::string, Vertex> by_id_;
  std::vector<Vertex> devices_, gateways_;
  Vertex core_{}, broker_{}, cloud_{};
  std::vector<Vertex> parent_;  ///< BFS tree from the core
};

}  // namespace twinbed::sim
