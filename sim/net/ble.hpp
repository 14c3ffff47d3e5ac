// BLE (Bluetooth Low Energy 4.2/5, LE 1M PHY): a peripheral sending
// notifications to its gateway over an established connection.
//
// Modelled: the connection interval (data moves only at connection events),
// the ATT MTU (MTU − 3 bytes of payload per notification), the number of
// packets the stack fits in one event, per-packet errors with link-layer
// retransmission (the next slot carries the same packet again) and the
// supervision timeout (no packet through for that long: the connection drops
// and the message is lost). Not modelled: advertising and connection set-up,
// channel hopping and its interference, data length extension timing details.
// Check: with no errors, sustained throughput is (MTU − 3) × packets_per_event
// / connection_interval (tests/sim/test_protocols.cpp).
#pragma once

#include "faults/random_stream.hpp"
#include "sim/net/hop.hpp"

namespace twinbed::sim::net {

struct BleParams {
  double connection_interval_s = 0.05;  ///< 7.5 ms .. 4 s
  std::uint32_t att_mtu = 23;           ///< 23 (default) .. 517 bytes
  std::uint32_t packets_per_event = 4;  ///< notifications the stack sends per connection event
  double phy_bps = 1e6;                 ///< LE 1M PHY
  double packet_error_rate = 0.0;       ///< per link-layer packet, before retransmission
  double supervision_timeout_s = 4.0;

  std::uint32_t payload_per_packet_bytes() const { return att_mtu - 3; }
  /// Air time of one notification carrying `payload` bytes with its overheads
  /// (preamble, access address, LL header, L2CAP, ATT, CRC: 17 bytes), the
  /// inter-frame space and the peer's empty acknowledgement.
  double packet_slot_s(std::uint32_t payload) const;
};

/// One message of `bytes` from the peripheral: the first connection event is
/// uniformly within one interval of the request.
HopResult ble_send(const BleParams& p, std::uint64_t bytes, faults::RandomStream& draws);

}  // namespace twinbed::sim::net
