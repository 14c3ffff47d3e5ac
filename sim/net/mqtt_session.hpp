// MQTT 3.1.1 delivery semantics (OASIS MQTT 3.1.1 §4.3): the broker's session
// state and the acknowledgement flow of one message at each QoS.
//
// - QoS 0: PUBLISH once, no acknowledgement: at most once.
// - QoS 1: PUBLISH until a PUBACK arrives; every PUBLISH that reaches the
//   broker is forwarded, so a lost PUBACK makes a duplicate: at least once.
// - QoS 2: PUBLISH until a PUBREC arrives, then PUBREL until a PUBCOMP
//   arrives. The broker forwards a packet id the first time it sees it and
//   remembers it until the PUBREL ("method B" of §4.3.3), so a resent PUBLISH
//   is not forwarded again: exactly once.
//
// Guarantees: MqttBrokerSession is the one place that decides whether a
// PUBLISH is forwarded; the simulator and the tests both use it.
#pragma once

#include <cstdint>
#include <functional>
#include <set>

namespace twinbed::sim::net {

class MqttBrokerSession {
 public:
  /// A PUBLISH arrived; true when the broker forwards it to subscribers.
  bool on_publish(int qos, std::uint64_t packet_id) {
    if (qos < 2) return true;
    return awaiting_release_.insert(packet_id).second;
  }
  /// A PUBREL arrived: the id may be reused (the broker answers PUBCOMP either way).
  void on_pubrel(std::uint64_t packet_id) { awaiting_release_.erase(packet_id); }
  /// A clean session (or a broker that lost its state) forgets every id.
  void clear() { awaiting_release_.clear(); }
  std::size_t awaiting_release() const { return awaiting_release_.size(); }

 private:
  std::set<std::uint64_t> awaiting_release_;
};

/// One message's exchange over a channel that loses packets as `lost(uplink)`
/// says, each step retried up to `max_attempts` times (0: without limit).
struct MqttExchange {
  std::uint32_t publishes = 0;  ///< PUBLISH packets sent (the first and the DUPs)
  std::uint32_t forwarded = 0;  ///< copies the broker handed to subscribers
  std::uint32_t control = 0;    ///< PUBACK / PUBREC / PUBREL / PUBCOMP packets sent
  bool completed = false;       ///< the sender saw the flow end (QoS 0: always)
};
MqttExchange mqtt_exchange(int qos, std::uint64_t packet_id, MqttBrokerSession& broker,
                           const std::function<bool(bool uplink)>& lost, int max_attempts = 0);

}  // namespace twinbed::sim::net
