#include "sim/platform.hpp"

#include <map>

namespace sg4 = simgrid::s4u;

namespace twinbed::sim {

void configure_network_model() {
  sg4::Engine::set_config("network/latency-factor:1.0");
  sg4::Engine::set_config("network/bandwidth-factor:1.0");
  // No modelled TCP-ack flow on the reverse path of every transfer: twinbed
  // models the protocol's own acknowledgements (MQTT PUBACK) explicitly, and
  // the extra flow doubles the solver's work for every message.
  sg4::Engine::set_config("network/crosstraffic:0");
  // Actors are small state machines; 10 000 of them must not reserve 8 MiB stacks each.
  sg4::Engine::set_config("contexts/stack-size:256");
}

Platform build_platform(const Topology& topo) {
  const TopologyGraph& g = topo.graph();
  Platform p;
  p.host_of_vertex.assign(boost::num_vertices(g), nullptr);

  // One star zone; its centre is the core router. Each graph edge becomes one
  // SimGrid link, created once and shared by every route that crosses it (so
  // devices behind one gateway contend for its backhaul).
  auto* zone = sg4::create_star_zone("site");
  std::vector<const sg4::Link*> link_of_edge(boost::num_edges(g), nullptr);
  std::map<std::string, const sg4::Link*> links;
  auto link_for = [&](const Edge& e) {
    const TopologyLink& l = g[e];
    auto [it, fresh] = links.emplace(l.name, nullptr);
    // Scenarios speak bits per second; SimGrid links are in bytes per second.
    if (fresh)
      it->second =
          zone->create_link(l.name, l.spec.bandwidth_bps / 8.0)->set_latency(l.spec.latency_s)->seal();
    return it->second;
  };
  for (auto [it, end] = boost::vertices(g); it != end; ++it) {
    const Vertex v = *it;
    if (g[v].kind == NodeKind::kCore) continue;
    sg4::Host* h = zone->create_host(g[v].id, g[v].cpu_flops)->set_core_count(g[v].cores)->seal();
    std::vector<sg4::LinkInRoute> route;
    for (const Edge& e : topo.path_to_core(v)) route.emplace_back(link_for(e));
    zone->add_route(h->get_netpoint(), nullptr, nullptr, nullptr, route, true);
    p.host_of_vertex[v] = h;
  }
  zone->seal();
  p.broker = p.host_of_vertex[topo.broker()];
  p.cloud = p.host_of_vertex[topo.cloud()];
  return p;
}

}  // namespace twinbed::sim
