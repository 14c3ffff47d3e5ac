#include "sim/net/lorawan.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace twinbed::sim::net {

double LoraModulation::symbol_s() const {
  return std::ldexp(1.0, spreading_factor) / bandwidth_hz;
}

bool LoraModulation::ldro() const {
  if (low_data_rate_optimize >= 0) return low_data_rate_optimize == 1;
  return symbol_s() > 0.016;
}

std::uint32_t payload_symbols(const LoraModulation& m, std::uint32_t phy_payload_bytes) {
  const int sf = m.spreading_factor;
  const int de = m.ldro() ? 1 : 0;
  const int ih = m.explicit_header ? 0 : 1;
  const int crc = m.crc ? 1 : 0;
  const double numerator = 8.0 * phy_payload_bytes - 4.0 * sf + 28 + 16 * crc - 20 * ih;
  const double per_block = std::ceil(numerator / (4.0 * (sf - 2 * de)));
  return 8 + static_cast<std::uint32_t>(std::max(per_block * (m.coding_rate + 4), 0.0));
}

double time_on_air_s(const LoraModulation& m, std::uint32_t phy_payload_bytes) {
  const double t_sym = m.symbol_s();
  const double preamble_s = (m.preamble_symbols + 4.25) * t_sym;
  return preamble_s + payload_symbols(m, phy_payload_bytes) * t_sym;
}

LoraModulation data_rate(LoraRegion region, int dr) {
  LoraModulation m;
  if (region == LoraRegion::kEu868) {
    if (dr < 0 || dr > 6) throw std::invalid_argument("EU868 has data rates 0..6");
    m.spreading_factor = dr == 6 ? 7 : 12 - dr;
    m.bandwidth_hz = dr == 6 ? 250e3 : 125e3;
  } else {
    if (dr < 0 || dr > 4) throw std::invalid_argument("US915 uplinks have data rates 0..4");
    m.spreading_factor = dr == 4 ? 8 : 10 - dr;
    m.bandwidth_hz = dr == 4 ? 500e3 : 125e3;
  }
  return m;
}

int data_rate_of_sf(LoraRegion region, int spreading_factor) {
  if (region == LoraRegion::kEu868)
    return spreading_factor >= 7 && spreading_factor <= 12 ? 12 - spreading_factor : -1;
  return spreading_factor >= 7 && spreading_factor <= 10 ? 10 - spreading_factor : -1;
}

std::uint32_t max_app_payload_bytes(LoraRegion region, int dr) {
  if (region == LoraRegion::kEu868) {
    static constexpr std::uint32_t kN[] = {51, 51, 51, 115, 222, 222, 222};
    if (dr < 0 || dr > 6) throw std::invalid_argument("EU868 has data rates 0..6");
    return kN[dr];
  }
  static constexpr std::uint32_t kN[] = {11, 53, 125, 242, 242};
  if (dr < 0 || dr > 4) throw std::invalid_argument("US915 uplinks have data rates 0..4");
  return kN[dr];
}

double default_duty_cycle(LoraRegion region) {
  return region == LoraRegion::kEu868 ? 0.01 : 1.0;
}

double sensitivity_dbm(int spreading_factor) {
  switch (spreading_factor) {
    case 6:
      return -118.0;
    case 7:
      return -123.0;
    case 8:
      return -126.0;
    case 9:
      return -129.0;
    case 10:
      return -132.0;
    case 11:
      return -134.5;
    default:
      return -137.0;
  }
}

std::string to_string(LoraRegion region) {
  return region == LoraRegion::kEu868 ? "EU868" : "US915";
}

std::uint64_t GatewayRadio::begin(double start_s, double airtime_s, int channel, int spreading_factor,
                                  double rssi_dbm) {
  if (!frames_.empty() && start_s < frames_.back().start_s)
    throw std::logic_error("GatewayRadio: frames must begin in time order");
  prune(start_s);
  longest_airtime_s_ = std::max(longest_airtime_s_, airtime_s);
  airtime_s_ += airtime_s;
  frames_.push_back({next_handle_, start_s, start_s + airtime_s, channel, spreading_factor, rssi_dbm});
  return next_handle_++;
}

void GatewayRadio::prune(double now_s) {
  // A frame still awaiting its outcome ends after now − one airtime; frames that
  // could overlap it end after its start. Keep a generous margin.
  const double horizon_s = now_s - 4.0 * longest_airtime_s_ - 1.0;
  while (!frames_.empty() && frames_.front().end_s < horizon_s) frames_.pop_front();
}

RxOutcome GatewayRadio::outcome(std::uint64_t handle) {
  if (frames_.empty() || handle < frames_.front().handle || handle > frames_.back().handle)
    throw std::logic_error("GatewayRadio: outcome() asked for a frame no longer held");
  const Frame& f = frames_[static_cast<std::size_t>(handle - frames_.front().handle)];
  if (options_.check_sensitivity && f.rssi_dbm < sensitivity_dbm(f.sf)) return RxOutcome::kBelowSensitivity;
  bool overlapped = false;
  for (const Frame& g : frames_) {
    if (g.start_s >= f.end_s) break;  // by start: nothing later overlaps
    if (g.handle == f.handle || g.channel != f.channel || g.sf != f.sf || g.end_s <= f.start_s) continue;
    overlapped = true;
    if (!options_.capture || f.rssi_dbm - g.rssi_dbm < options_.capture_threshold_db) {
      ++collisions_;
      return RxOutcome::kCollision;
    }
  }
  if (overlapped) ++captured_;
  return RxOutcome::kReceived;
}

}  // namespace twinbed::sim::net
