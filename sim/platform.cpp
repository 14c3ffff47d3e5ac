#include "sim/platform.hpp"

namespace sg4 = simgrid::s4u;

namespace twinbed::sim {

void configure_network_model() {
  sg4::Engine::set_config("network/latency-factor:1.0");
  sg4::Engine::set_config("network/bandwidth-factor:1.0");
  // Actors are small state machines; 10 000 of them must not reserve 8 MiB stacks each.
  sg4::Engine::set_config("contexts/stack-size:256");
}

Platform build_platform(const Topology& topo) {
  const TopologyGraph& g = topo.graph();
  Platform p;
  p.host_of_vertex.assign(boost::num_vertices(g), nullptr);

  auto* root = sg4::create_star_zone("site");
  auto make_link = [](sg4::NetZone* zone, const TopologyLink& l) {
    return zone->create_link(l.name, l.spec.bandwidth_bps)->set_latency(l.spec.latency_s)->seal();
  };
  auto link_up = [&](Vertex v) { return g[topo.path_to_core(v).front()]; };

  for (Vertex v : {topo.broker(), topo.cloud()}) {
    sg4::Host* h = root->create_host(g[v].id, g[v].cpu_flops)->seal();
    const sg4::Link* l = make_link(root, link_up(v));
    root->add_route(h->get_netpoint(), nullptr, nullptr, nullptr, {sg4::LinkInRoute(l)}, true);
    p.host_of_vertex[v] = h;
  }
  p.broker = p.host_of_vertex[topo.broker()];
  p.cloud = p.host_of_vertex[topo.cloud()];

  for (Vertex gw : topo.gateways()) {
    auto* zone = sg4::create_star_zone("zone:" + g[gw].id);
    zone->set_parent(root);
    sg4::Host* gw_host = zone->create_host(g[gw].id, g[gw].cpu_flops)->seal();
    // The gateway's own port on its star: a fast local link (a gateway has a LAN side).
    const sg4::Link* lan = zone->create_link("lan:" + g[gw].id, 1e9)->set_latency(0)->seal();
    zone->add_route(gw_host->get_netpoint(), nullptr, nullptr, nullptr, {sg4::LinkInRoute(lan)}, true);
    p.host_of_vertex[gw] = gw_host;
    for (auto [it, end] = boost::adjacent_vertices(gw, g); it != end; ++it) {
      const Vertex dev = *it;
      if (g[dev].kind != NodeKind::kDevice) continue;
      sg4::Host* h = zone->create_host(g[dev].id, g[dev].cpu_flops)->seal();
      const sg4::Link* l = make_link(zone, link_up(dev));
      zone->add_route(h->get_netpoint(), nullptr, nullptr, nullptr, {sg4::LinkInRoute(l)}, true);
      p.host_of_vertex[dev] = h;
    }
    zone->seal();
    const sg4::Link* backhaul = make_link(root, link_up(gw));
    root->add_route(zone->get_netpoint(), nullptr, gw_host->get_netpoint(), nullptr, {sg4::LinkInRoute(backhaul)}, true);
  }
  root->seal();
  return p;
}

}  // namespace twinbed::sim
