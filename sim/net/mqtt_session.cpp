#include "sim/net/mqtt_session.hpp"

namespace twinbed::sim::net {

MqttExchange mqtt_exchange(int qos, std::uint64_t packet_id, MqttBrokerSession& broker,
                           const std::function<bool(bool uplink)>& lost, int max_attempts) {
  MqttExchange x;
  auto may_try = [&](std::uint32_t tries) {
    return max_attempts == 0 || tries < static_cast<std::uint32_t>(max_attempts);
  };
  // Step 1: PUBLISH until acknowledged (PUBACK or PUBREC).
  std::uint32_t tries = 0;
  bool acknowledged = false;
  while (!acknowledged && may_try(tries)) {
    ++tries;
    ++x.publishes;
    if (lost(true)) {
      if (qos == 0) break;  // fire and forget: the sender never learns
      continue;
    }
    if (broker.on_publish(qos, packet_id)) ++x.forwarded;
    if (qos == 0) break;
    ++x.control;  // PUBACK or PUBREC
    acknowledged = !lost(false);
  }
  if (qos == 0) {
    x.completed = true;
    return x;
  }
  if (!acknowledged) return x;
  if (qos == 1) {
    x.completed = true;
    return x;
  }
  // Step 2 (QoS 2): PUBREL until a PUBCOMP arrives.
  tries = 0;
  while (may_try(tries)) {
    ++tries;
    ++x.control;  // PUBREL
    if (lost(true)) continue;
    broker.on_pubrel(packet_id);
    ++x.control;  // PUBCOMP
    if (!lost(false)) {
      x.completed = true;
      return x;
    }
  }
  return x;
}

}  // namespace twinbed::sim::net
