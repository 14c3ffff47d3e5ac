#include "sim/net/zigbee.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::sim::net {

double zigbee_csma_delay_s(const ZigbeeParams& p, faults::RandomStream& draws) {
  double t = 0.0;
  int be = p.min_be;
  for (int nb = 0; nb <= p.max_csma_backoffs; ++nb) {
    const double periods = std::floor(draws.uniform() * std::ldexp(1.0, be));  // 0 .. 2^BE − 1
    t += periods * ZigbeeParams::kUnitBackoffS + ZigbeeParams::kCcaS;
    if (!(p.channel_busy_probability > 0 && draws.uniform() < p.channel_busy_probability)) return t;
    be = std::min(be + 1, p.max_be);
  }
  return -t;
}

HopResult zigbee_send(const ZigbeeParams& p, std::uint64_t bytes, faults::RandomStream& draws) {
  HopResult r;
  const std::uint64_t per_frame = p.max_payload_bytes;
  r.frames = static_cast<std::uint32_t>(std::max<std::uint64_t>(1, (bytes + per_frame - 1) / per_frame));
  double t = 0.0;
  for (std::uint32_t hop = 0; hop < p.hops; ++hop) {
    std::uint64_t left = bytes;
    for (std::uint32_t f = 0; f < r.frames; ++f) {
      const std::uint64_t payload = std::min(left, per_frame);
      left -= payload;
      const double frame_s =
          static_cast<double>(payload + p.frame_overhead_bytes) * 8.0 / ZigbeeParams::kBitRateBps;
      bool through = false;
      for (int attempt = 0; attempt <= p.max_frame_retries && !through; ++attempt) {
        const double access_s = zigbee_csma_delay_s(p, draws);
        if (access_s < 0) {  // channel-access failure: counts as a failed attempt
          t += -access_s;
          continue;
        }
        t += access_s + ZigbeeParams::kTurnaroundS + frame_s;
        r.airtime_s += frame_s;
        ++r.transmissions;
        through = !(p.frame_error_rate > 0 && draws.uniform() < p.frame_error_rate);
        t += through ? ZigbeeParams::kTurnaroundS + ZigbeeParams::kAckS : ZigbeeParams::kAckWaitS;
      }
      if (!through) {  // the hop gave up: the message is lost
        r.duration_s = t;
        return r;
      }
    }
  }
  r.delivered = true;
  r.duration_s = t;
  return r;
}

}  // namespace twinbed::sim::net
