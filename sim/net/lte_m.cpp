#include "sim/net/lte_m.hpp"

#include <algorithm>

namespace twinbed::sim::net {

HopResult LteMModem::send(double now_s, std::uint64_t bytes, faults::RandomStream& draws) {
  HopResult r;
  double t = 0.0;
  if (p_.psm && now_s - last_activity_s_ > p_.active_timer_s) {
    t += p_.psm_wake_delay_s;
    ++wake_ups_;
  }
  const double on_air_s = static_cast<double>(bytes) * 8.0 / p_.uplink_bps;
  t += on_air_s + std::max(0.0, p_.latency.sample(draws));
  r.delivered = true;
  r.frames = r.transmissions = 1;
  r.airtime_s = on_air_s;
  r.duration_s = t;
  last_activity_s_ = now_s + t;
  return r;
}

}  // namespace twinbed::sim::net
