#include "sim/net/coap.hpp"

#include <cmath>

namespace twinbed::sim::net {

double CoapParams::max_transmit_span_s() const {
  return ack_timeout_s * (std::ldexp(1.0, max_retransmit) - 1.0) * ack_random_factor;
}

double CoapParams::max_transmit_wait_s() const {
  return ack_timeout_s * (std::ldexp(1.0, max_retransmit + 1) - 1.0) * ack_random_factor;
}

CoapTimeline coap_timeline(const CoapParams& p, double u) {
  CoapTimeline t;
  t.send_offsets_s.push_back(0.0);
  if (!p.confirmable) return t;  // NON: sent once; the sender never learns its fate
  double timeout_s = p.ack_timeout_s * (1.0 + u * (p.ack_random_factor - 1.0));
  double at_s = 0.0;
  for (int i = 0; i < p.max_retransmit; ++i) {
    at_s += timeout_s;
    t.send_offsets_s.push_back(at_s);
    timeout_s *= 2.0;
  }
  t.give_up_offset_s = at_s + timeout_s;
  return t;
}

}  // namespace twinbed::sim::net
