// The network model is configured so that declared latencies are delivered as
// declared: a link with 10 ms of latency carries a small message in ~10 ms
// (SimGrid's default LV08 model would take ~130 ms), and a large one in
// latency + size / bandwidth. Its own process: one SimGrid engine each.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <simgrid/s4u.hpp>

#include "sim/platform.hpp"
#include "sim/scenario.hpp"
#include "sim/topology.hpp"

namespace sg4 = simgrid::s4u;

TEST_CASE("declared latency and bandwidth are what a transfer takes") {
  int argc = 2;
  char a0[] = "test", a1[] = "--log=root.thres:warning";
  char* argv[] = {a0, a1, nullptr};
  sg4::Engine engine(&argc, argv);
  const auto sc = twinbed::sim::parse_scenario(R"({
    "twinbed": 1, "duration_s": 10,
    "assets": [{"id": "p"}],
    "gateways": [{"id": "gw", "backhaul": {"bandwidth_bps": 1e9, "latency_s": 0}}],
    "broker": {"link": {"bandwidth_bps": 1e9, "latency_s": 0}},
    "devices": [{"id": "dev", "gateway": "gw", "link": {"bandwidth_bps": 1e6, "latency_s": 0.01},
                 "sensors": [{"id": "s", "asset": "p", "signal": "flow"}]}]
  })",
                                               "inline.json");
  twinbed::sim::configure_network_model();
  const twinbed::sim::Topology topo(sc);
  const auto platform = twinbed::sim::build_platform(topo);
  sg4::Host* dev = platform.host_of_vertex[topo.vertex("dev")];
  double small_s = -1, large_s = -1;
  sg4::Actor::create("probe", dev, [&] {
    double t0 = sg4::Engine::get_clock();
    sg4::Comm::sendto(dev, platform.broker, 10);
    small_s = sg4::Engine::get_clock() - t0;
    t0 = sg4::Engine::get_clock();
    sg4::Comm::sendto(dev, platform.broker, 125000);  // 1 Mbit over 1 Mbit/s
    large_s = sg4::Engine::get_clock() - t0;
  });
  engine.run();
  CHECK(small_s == doctest::Approx(0.010).epsilon(0.02));
  CHECK(large_s == doctest::Approx(0.010 + 1.0).epsilon(0.05));
}
