// HopResult: what one message's trip over a point-to-point radio hop cost.
#pragma once

#include <cstdint>

namespace twinbed::sim::net {

struct HopResult {
  bool delivered = false;
  double duration_s = 0.0;          ///< from the send request to delivery (or to giving up)
  std::uint32_t frames = 0;         ///< link-layer frames the message needed (fragments)
  std::uint32_t transmissions = 0;  ///< frames put on air, retransmissions included
  double airtime_s = 0.0;           ///< time the transmitter was on air
};

}  // namespace twinbed::sim::net
