// Protocol and radio models against their specifications and analytic results.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "faults/random_stream.hpp"
#include "sim/net/ble.hpp"
#include "sim/net/coap.hpp"
#include "sim/net/lorawan.hpp"
#include "sim/net/lte_m.hpp"
#include "sim/net/mqtt_session.hpp"
#include "sim/net/zigbee.hpp"

using namespace twinbed::sim::net;
using twinbed::faults::RandomStream;

TEST_CASE("LoRa time on air: the Semtech formula's reference cases") {
  LoraModulation sf7;  // SF7, 125 kHz, CR 4/5, 8-symbol preamble, explicit header, CRC
  // The reference: 20-byte payload ⇒ 12.25 + 43 symbols of 1.024 ms.
  CHECK(payload_symbols(sf7, 20) == 43);
  CHECK(time_on_air_s(sf7, 20) == doctest::Approx(0.056576).epsilon(1e-9));
  // SF12 at 125 kHz: low-data-rate optimisation on (32.768 ms symbols): 40.25 symbols.
  LoraModulation sf12 = data_rate(LoraRegion::kEu868, 0);
  CHECK(sf12.spreading_factor == 12);
  CHECK(sf12.ldro());
  CHECK(time_on_air_s(sf12, 20) == doctest::Approx(1.318912).epsilon(1e-9));
  // SF9, 51 bytes: 80.25 symbols of 4.096 ms.
  CHECK(time_on_air_s(data_rate(LoraRegion::kEu868, 3), 51) == doctest::Approx(0.328704).epsilon(1e-9));
  // A longer preamble or a higher coding rate costs air time; 250 kHz halves the symbol.
  LoraModulation cr48 = sf7;
  cr48.coding_rate = 4;
  CHECK(time_on_air_s(cr48, 20) > time_on_air_s(sf7, 20));
  CHECK(data_rate(LoraRegion::kEu868, 6).symbol_s() == doctest::Approx(sf7.symbol_s() / 2));
  CHECK_FALSE(sf7.ldro());
}

TEST_CASE("LoRaWAN regional parameters: payload limits and duty cycle") {
  CHECK(max_app_payload_bytes(LoraRegion::kEu868, 0) == 51);
  CHECK(max_app_payload_bytes(LoraRegion::kEu868, 3) == 115);
  CHECK(max_app_payload_bytes(LoraRegion::kEu868, 5) == 222);
  CHECK(max_app_payload_bytes(LoraRegion::kUs915, 0) == 11);
  CHECK(max_app_payload_bytes(LoraRegion::kUs915, 3) == 242);
  CHECK(data_rate_of_sf(LoraRegion::kEu868, 7) == 5);
  CHECK(data_rate_of_sf(LoraRegion::kUs915, 12) == -1);
  CHECK_THROWS_AS(data_rate(LoraRegion::kUs915, 5), std::invalid_argument);
  // 1 %: after 56.6 ms on air the band is closed for 99 times as long.
  DutyCycle band(default_duty_cycle(LoraRegion::kEu868));
  const double toa = time_on_air_s(LoraModulation{}, 20);
  band.transmitted(10.0, toa);
  CHECK(band.earliest_start_s(10.1) == doctest::Approx(10.0 + 100 * toa));
  CHECK(band.earliest_start_s(20.0) == 20.0);
  CHECK(band.airtime_s() == doctest::Approx(toa));
}

namespace {
/// Pure ALOHA on one channel: Poisson starts at rate G / T, every frame T long.
double aloha_success(double offered_load_g, std::uint64_t frames, bool capture = false) {
  GatewayRadio::Options o;
  o.capture = capture;
  o.check_sensitivity = false;
  GatewayRadio radio(o);
  RandomStream draws(7, "aloha", std::to_string(offered_load_g));
  const double airtime_s = 0.0566;
  const double mean_gap_s = airtime_s / offered_load_g;
  std::vector<std::pair<std::uint64_t, double>> pending;  // handle, end
  std::uint64_t received = 0;
  double t = 0.0;
  for (std::uint64_t i = 0; i < frames; ++i) {
    t += draws.exponential(mean_gap_s);
    // Frames that ended before this start have seen every overlapping frame begin.
    std::size_t k = 0;
    for (; k < pending.size() && pending[k].second <= t; ++k)
      received += radio.outcome(pending[k].first) == RxOutcome::kReceived;
    pending.erase(pending.begin(), pending.begin() + static_cast<long>(k));
    const double rssi = capture ? -100.0 - 20.0 * draws.uniform() : -100.0;
    pending.push_back({radio.begin(t, airtime_s, 0, 7, rssi), t + airtime_s});
  }
  for (const auto& p : pending) received += radio.outcome(p.first) == RxOutcome::kReceived;
  return static_cast<double>(received) / static_cast<double>(frames);
}
}  // namespace

TEST_CASE("Pure ALOHA at the gateway: success probability e^(-2G) within 0.015") {
  for (double g : {0.05, 0.18, 0.5, 1.0}) {
    CAPTURE(g);
    CHECK(std::fabs(aloha_success(g, 40000) - std::exp(-2 * g)) < 0.015);
  }
  // Capture rescues part of the collisions (the stronger frame of a pair survives).
  CHECK(aloha_success(0.5, 40000, true) > std::exp(-1.0) + 0.05);
}

TEST_CASE("Gateway radio: capture, channels, spreading factors and sensitivity") {
  GatewayRadio plain;
  const auto a = plain.begin(0.0, 0.1, 0, 7, -100);
  const auto b = plain.begin(0.05, 0.1, 0, 7, -80);
  const auto c = plain.begin(0.06, 0.1, 1, 7, -100);   // another channel
  const auto d = plain.begin(0.07, 0.1, 0, 9, -100);   // another SF: orthogonal
  const auto e = plain.begin(0.08, 0.1, 2, 12, -140);  // below SF12's −137 dBm
  CHECK(plain.outcome(a) == RxOutcome::kCollision);
  CHECK(plain.outcome(b) == RxOutcome::kCollision);
  CHECK(plain.outcome(c) == RxOutcome::kReceived);
  CHECK(plain.outcome(d) == RxOutcome::kReceived);
  CHECK(plain.outcome(e) == RxOutcome::kBelowSensitivity);
  GatewayRadio::Options o;
  o.capture = true;
  GatewayRadio cap(o);
  const auto weak = cap.begin(0.0, 0.1, 0, 7, -100);
  const auto strong = cap.begin(0.05, 0.1, 0, 7, -90);  // 10 dB ahead: captured
  const auto near = cap.begin(1.0, 0.1, 0, 7, -100);
  const auto near2 = cap.begin(1.05, 0.1, 0, 7, -97);  // 3 dB: not enough
  CHECK(cap.outcome(weak) == RxOutcome::kCollision);
  CHECK(cap.outcome(strong) == RxOutcome::kReceived);
  CHECK(cap.captured() == 1);
  CHECK(cap.outcome(near) == RxOutcome::kCollision);
  CHECK(cap.outcome(near2) == RxOutcome::kCollision);
  CHECK_THROWS_AS(cap.begin(0.5, 0.1, 0, 7, -100), std::logic_error);  // out of time order
}

TEST_CASE("CoAP retransmission timeline within RFC 7252's bounds") {
  const CoapParams p;
  CHECK(p.max_transmit_span_s() == doctest::Approx(45.0));
  CHECK(p.max_transmit_wait_s() == doctest::Approx(93.0));
  RandomStream draws(3, "coap", "timeout");
  double min_give_up = 1e9, max_give_up = 0;
  for (int i = 0; i < 2000; ++i) {
    const CoapTimeline t = coap_timeline(p, draws.uniform());
    REQUIRE(t.send_offsets_s.size() == 5);  // the first and MAX_RETRANSMIT resends
    const double t0 = t.send_offsets_s[1];
    CHECK(t0 >= 2.0);
    CHECK(t0 <= 3.0);
    for (std::size_t k = 2; k < 5; ++k)  // the timeout doubles each time
      CHECK(t.send_offsets_s[k] - t.send_offsets_s[k - 1] ==
            doctest::Approx(2 * (t.send_offsets_s[k - 1] - t.send_offsets_s[k - 2])));
    CHECK(t.send_offsets_s.back() <= p.max_transmit_span_s() + 1e-9);
    CHECK(t.give_up_offset_s <= p.max_transmit_wait_s() + 1e-9);
    min_give_up = std::min(min_give_up, t.give_up_offset_s);
    max_give_up = std::max(max_give_up, t.give_up_offset_s);
  }
  CHECK(min_give_up >= 62.0);  // 31 × ACK_TIMEOUT at the shortest draw
  CHECK(max_give_up > 90.0);   // the draws reach the top of the range
  CoapParams non;
  non.confirmable = false;
  CHECK(coap_timeline(non, 0.5).send_offsets_s.size() == 1);
}

TEST_CASE("BLE: throughput (MTU − 3) × packets per event / interval; errors cost slots") {
  BleParams p;  // 50 ms interval, MTU 23, 4 packets per event
  RandomStream draws(1, "ble", "x");
  const std::uint64_t bytes = 20 * 4 * 200;  // 200 full events
  const HopResult r = ble_send(p, bytes, draws);
  REQUIRE(r.delivered);
  CHECK(r.frames == 800);
  const double analytic_bps = 20.0 * 4 / p.connection_interval_s;  // 1600 B/s
  CHECK(static_cast<double>(bytes) / r.duration_s == doctest::Approx(analytic_bps).epsilon(0.02));
  BleParams lossy = p;
  lossy.packet_error_rate = 0.2;
  RandomStream d2(1, "ble", "lossy");
  const HopResult l = ble_send(lossy, bytes, d2);
  REQUIRE(l.delivered);
  CHECK(static_cast<double>(l.transmissions) / l.frames == doctest::Approx(1.25).epsilon(0.05));  // 1/(1−PER)
  BleParams dead = p;
  dead.packet_error_rate = 1.0;
  RandomStream d3(1, "ble", "dead");
  const HopResult x = ble_send(dead, 100, d3);
  CHECK_FALSE(x.delivered);
  CHECK(x.duration_s > dead.supervision_timeout_s);
}

TEST_CASE("Zigbee CSMA/CA: mean access delay on an idle channel, failures when always busy") {
  ZigbeeParams p;
  RandomStream draws(5, "zigbee", "csma");
  double sum = 0;
  const int n = 40000;
  for (int i = 0; i < n; ++i) sum += zigbee_csma_delay_s(p, draws);
  CHECK(sum / n == doctest::Approx(3.5 * 320e-6 + 128e-6).epsilon(0.02));
  ZigbeeParams busy = p;
  busy.channel_busy_probability = 1.0;
  CHECK(zigbee_csma_delay_s(busy, draws) < 0);
  CHECK_FALSE(zigbee_send(busy, 40, draws).delivered);
  // Three hops take three times one hop on average; fragments multiply frames.
  ZigbeeParams three = p;
  three.hops = 3;
  double one_sum = 0, three_sum = 0;
  for (int i = 0; i < 5000; ++i) {
    one_sum += zigbee_send(p, 40, draws).duration_s;
    three_sum += zigbee_send(three, 40, draws).duration_s;
  }
  CHECK(three_sum / one_sum == doctest::Approx(3.0).epsilon(0.03));
  const HopResult frag = zigbee_send(p, 200, draws);
  CHECK(frag.frames == 3);
  CHECK(frag.transmissions == 3);
  // Frame errors: retransmissions at 1/(1 − FER) per frame on average.
  ZigbeeParams lossy = p;
  lossy.frame_error_rate = 0.3;
  std::uint64_t tx = 0, ok = 0;
  for (int i = 0; i < 20000; ++i) {
    const HopResult r = zigbee_send(lossy, 40, draws);
    tx += r.transmissions;
    ok += r.delivered;
  }
  CHECK(static_cast<double>(ok) / 20000 == doctest::Approx(1 - std::pow(0.3, 4)).epsilon(0.01));
}

TEST_CASE("LTE-M: power-saving mode adds its wake-up delay only after the active timer") {
  LteMParams p;
  p.latency = twinbed::faults::Law::fixed(0.05);
  LteMModem modem(p);
  RandomStream draws(1, "ltem", "x");
  const HopResult first = modem.send(100.0, 3750, draws);  // asleep: wake, then 0.1 s on air
  CHECK(first.duration_s == doctest::Approx(1.5 + 0.1 + 0.05));
  const HopResult soon = modem.send(105.0, 3750, draws);  // within T3324 of the last activity
  CHECK(soon.duration_s == doctest::Approx(0.15));
  const HopResult later = modem.send(200.0, 3750, draws);
  CHECK(later.duration_s == doctest::Approx(1.65));
  CHECK(modem.wake_ups() == 2);
}

TEST_CASE("MQTT: QoS 1 duplicates exactly when acknowledgements are lost; QoS 2 none; QoS 0 at most once") {
  RandomStream draws(11, "mqtt", "loss");
  for (int qos : {0, 1, 2}) {
    CAPTURE(qos);
    MqttBrokerSession broker;
    std::uint64_t lost_acks = 0, forwarded = 0, duplicates = 0, lost_messages = 0;
    const int n = 20000;
    for (int id = 0; id < n; ++id) {
      auto lost = [&](bool uplink) {
        const bool l = draws.uniform() < 0.2;
        if (!uplink && l && qos >= 1) ++lost_acks;
        return l;
      };
      const std::uint64_t before = lost_acks;
      const MqttExchange x = mqtt_exchange(qos, static_cast<std::uint64_t>(id), broker, lost);
      forwarded += x.forwarded;
      if (x.forwarded > 1) duplicates += x.forwarded - 1;
      if (x.forwarded == 0) ++lost_messages;
      if (qos == 1) CHECK(x.forwarded - 1 == lost_acks - before);  // each lost PUBACK: one more copy
      CHECK(x.completed);
    }
    if (qos == 0) {
      CHECK(duplicates == 0);
      CHECK(static_cast<double>(lost_messages) / n == doctest::Approx(0.2).epsilon(0.05));
    } else if (qos == 1) {
      CHECK(lost_acks > 0);
      CHECK(duplicates == lost_acks);
      CHECK(lost_messages == 0);
    } else {
      CHECK(lost_acks > 0);    // acknowledgements were lost...
      CHECK(duplicates == 0);  // ...and still no message was forwarded twice
      CHECK(forwarded == static_cast<std::uint64_t>(n));
      CHECK(broker.awaiting_release() == 0);
    }
  }
}
