// Zigbee (IEEE 802.15.4, 2.4 GHz O-QPSK, 250 kbit/s) over a multi-hop mesh.
//
// Modelled, per frame and per hop: unslotted CSMA/CA as the standard gives it
// (random back-off of 0..2^BE − 1 unit periods of 320 µs, a 128 µs clear
// channel assessment that finds the channel busy with probability
// `channel_busy_probability`, BE growing from macMinBE 3 to macMaxBE 5, at
// most macMaxCSMABackoffs 4 retries before a channel-access failure), the
// frame at 250 kbit/s, the acknowledgement or its 864 µs timeout, and up to
// macMaxFrameRetries 3 retransmissions. A message larger than one frame's
// payload is fragmented; each hop relays every fragment in turn.
// Approximated: the busy probability stands for the neighbours' traffic (no
// explicit hidden terminals); routes are fixed (no route discovery).
// Check: with an idle channel and no errors, a frame's mean access delay is
// (2^3 − 1)/2 × 320 µs + 128 µs (tests/sim/test_protocols.cpp).
#pragma once

#include "faults/random_stream.hpp"
#include "sim/net/hop.hpp"

namespace twinbed::sim::net {

struct ZigbeeParams {
  std::uint32_t hops = 1;                   ///< mesh hops to the coordinator / gateway
  std::uint32_t max_payload_bytes = 80;     ///< application payload per frame (APS, secured)
  std::uint32_t frame_overhead_bytes = 37;  ///< PHY 6 + MAC 11 + NWK 8 + APS 8 + security 4
  double channel_busy_probability = 0.0;    ///< a CCA finds the channel busy
  double frame_error_rate = 0.0;            ///< a frame (or its ACK) is lost on one hop
  int min_be = 3, max_be = 5, max_csma_backoffs = 4, max_frame_retries = 3;

  static constexpr double kBitRateBps = 250e3;
  static constexpr double kUnitBackoffS = 320e-6;
  static constexpr double kCcaS = 128e-6;
  static constexpr double kTurnaroundS = 192e-6;
  static constexpr double kAckS = 352e-6;      ///< 11 bytes on air
  static constexpr double kAckWaitS = 864e-6;  ///< macAckWaitDuration
};

/// One message of `bytes` from a device, over `hops` hops to its gateway.
HopResult zigbee_send(const ZigbeeParams& p, std::uint64_t bytes, faults::RandomStream& draws);

/// One CSMA/CA attempt: the access delay, or a negative value for a
/// channel-access failure (after max_csma_backoffs + 1 busy assessments).
double zigbee_csma_delay_s(const ZigbeeParams& p, faults::RandomStream& draws);

}  // namespace twinbed::sim::net
