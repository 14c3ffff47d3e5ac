#include "sim/net/ble.hpp"

#include <algorithm>

namespace twinbed::sim::net {

double BleParams::packet_slot_s(std::uint32_t payload) const {
  constexpr double kOverheadBytes = 17.0, kIfsS = 150e-6, kEmptyPduBytes = 10.0;
  return (payload + kOverheadBytes) * 8.0 / phy_bps + kIfsS + kEmptyPduBytes * 8.0 / phy_bps + kIfsS;
}

HopResult ble_send(const BleParams& p, std::uint64_t bytes, faults::RandomStream& draws) {
  HopResult r;
  const std::uint32_t per_packet = p.payload_per_packet_bytes();
  r.frames = static_cast<std::uint32_t>(std::max<std::uint64_t>(1, (bytes + per_packet - 1) / per_packet));
  double t = draws.uniform() * p.connection_interval_s;  // the next connection event
  double last_success_s = 0.0;
  std::uint64_t left = bytes == 0 ? 1 : bytes;
  std::uint32_t remaining = r.frames;
  while (remaining > 0) {
    double in_event_s = 0.0;
    for (std::uint32_t slot = 0; slot < p.packets_per_event && remaining > 0; ++slot) {
      const auto payload = static_cast<std::uint32_t>(std::min<std::uint64_t>(left, per_packet));
      const double slot_s = p.packet_slot_s(payload);
      in_event_s += slot_s;
      r.airtime_s += slot_s;
      ++r.transmissions;
      if (p.packet_error_rate > 0 && draws.uniform() < p.packet_error_rate) continue;  // resent next slot
      --remaining;
      left -= std::min<std::uint64_t>(left, per_packet);
      last_success_s = t + in_event_s;
    }
    if (remaining == 0) {
      r.delivered = true;
      r.duration_s = last_success_s;
      return r;
    }
    t += p.connection_interval_s;
    if (t - last_success_s > p.supervision_timeout_s && t > p.supervision_timeout_s) {
      r.duration_s = t;  // the connection dropped: the message is lost
      return r;
    }
  }
  return r;
}

}  // namespace twinbed::sim::net
