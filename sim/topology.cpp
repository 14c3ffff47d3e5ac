#include "sim/topology.hpp"

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/connected_components.hpp>
#include <stdexcept>

namespace twinbed::sim {

Topology::Topology(const Scenario& sc) {
  auto add_node = [&](NodeKind kind, const std::string& id, std::size_t index, double cpu) {
    const Vertex v = boost::add_vertex(TopologyNode{kind, id, index, cpu}, graph_);
    by_id_[id] = v;
    return v;
  };
  core_ = add_node(NodeKind::kCore, "core", 0, 1e9);
  broker_ = add_node(NodeKind::kBroker, sc.broker.id, 0, sc.broker.cpu_flops);
  cloud_ = add_node(NodeKind::kCloud, sc.cloud.id, 0, sc.cloud.cpu_flops);
  graph_[cloud_].cores = sc.cloud.workers;  // one core per ingestion worker
  boost::add_edge(broker_, core_, TopologyLink{"link:" + sc.broker.id, sc.broker.link}, graph_);
  boost::add_edge(cloud_, core_, TopologyLink{"link:" + sc.cloud.id, sc.cloud.link}, graph_);
  for (std::size_t g = 0; g < sc.gateways.size(); ++g) {
    const Vertex v = add_node(NodeKind::kGateway, sc.gateways[g].id, g, sc.gateways[g].cpu_flops);
    boost::add_edge(v, core_, TopologyLink{"backhaul:" + sc.gateways[g].id, sc.gateways[g].backhaul}, graph_);
    gateways_.push_back(v);
  }
  for (std::size_t d = 0; d < sc.devices.size(); ++d) {
    const DeviceSpec& spec = sc.devices[d];
    const Vertex v = add_node(NodeKind::kDevice, spec.id, d, spec.cpu_flops);
    boost::add_edge(v, by_id_.at(spec.gateway), TopologyLink{"link:" + spec.id, spec.link}, graph_);
    devices_.push_back(v);
  }

  // Routes: the breadth-first tree from the core. Every vertex must be reached
  // (the loader already guarantees each device names an existing gateway).
  parent_.assign(boost::num_vertices(graph_), boost::graph_traits<TopologyGraph>::null_vertex());
  parent_[core_] = core_;
  boost::breadth_first_search(graph_, core_,
                              boost::visitor(boost::make_bfs_visitor(
                                  boost::record_predecessors(parent_.data(), boost::on_tree_edge()))));
  for (Vertex v = 0; v < parent_.size(); ++v)
    if (parent_[v] == boost::graph_traits<TopologyGraph>::null_vertex())
      throw std::logic_error("topology: " + graph_[v].id + " is not connected to the core");
}

std::vector<Edge> Topology::path_to_core(Vertex v) const {
  std::vector<Edge> path;
  while (v != core_) {
    const Vertex up = parent_[v];
    path.push_back(boost::edge(v, up, graph_).first);
    v = up;
  }
  return path;
}

double Topology::latency_to_broker_s(Vertex v) const {
  double latency = 0.0;
  for (const Edge& e : path_to_core(v)) latency += graph_[e].spec.latency_s;
  for (const Edge& e : path_to_core(broker_)) latency += graph_[e].spec.latency_s;
  return latency;
}

std::map<std::string, std::size_t> Topology::devices_per_gateway() const {
  std::map<std::string, std::size_t> fan_in;
  for (Vertex g : gateways_) {
    std::size_t n = 0;
    for (auto [it, end] = boost::adjacent_vertices(g, graph_); it != end; ++it)
      if (graph_[*it].kind == NodeKind::kDevice) ++n;
    fan_in[graph_[g].id] = n;
  }
  return fan_in;
}

}  // namespace twinbed::sim
