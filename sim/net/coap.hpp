// CoAP reliability (RFC 7252 §4.2, §4.8): confirmable messages and their
// retransmission timeline.
//
// A confirmable (CON) message is sent at t0; if no ACK arrives, it is resent
// after an initial timeout drawn uniformly in [ACK_TIMEOUT, ACK_TIMEOUT ×
// ACK_RANDOM_FACTOR], the timeout doubling after each resend, at most
// MAX_RETRANSMIT times; after the last resend's timeout the exchange fails.
// Non-confirmable (NON) messages are sent once. With the defaults (2 s, 1.5, 4)
// the last resend is at most MAX_TRANSMIT_SPAN = 45 s after t0 and the
// sender gives up at most MAX_TRANSMIT_WAIT = 93 s after t0.
//
// Guarantees: the timeline is a pure function of the parameters and one
// uniform draw, which the caller supplies from its own stream.
#pragma once

#include <vector>

namespace twinbed::sim::net {

struct CoapParams {
  double ack_timeout_s = 2.0;
  double ack_random_factor = 1.5;
  int max_retransmit = 4;
  bool confirmable = true;

  /// ACK_TIMEOUT × (2^MAX_RETRANSMIT − 1) × ACK_RANDOM_FACTOR (RFC 7252 §4.8.2).
  double max_transmit_span_s() const;
  /// ACK_TIMEOUT × (2^(MAX_RETRANSMIT + 1) − 1) × ACK_RANDOM_FACTOR.
  double max_transmit_wait_s() const;
};

/// When each transmission of one message goes out, relative to the first
/// (the first is 0), and when the sender gives up if none is acknowledged.
struct CoapTimeline {
  std::vector<double> send_offsets_s;
  double give_up_offset_s = 0.0;
};

/// The timeline for an initial-timeout draw `u` uniform in [0, 1).
CoapTimeline coap_timeline(const CoapParams& p, double u);

}  // namespace twinbed::sim::net
