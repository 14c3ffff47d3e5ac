#include "sim/net/lorawan.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

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

void GatewayRadio::add_tx_blackout(double start_s, double end_s) {
  if (!(end_s >= start_s)) throw std::invalid_argument("GatewayRadio: a TX blackout ends before it starts");
  const auto at = std::upper_bound(blackouts_.begin(), blackouts_.end(), start_s,
                                   [](double s, const std::pair<double, double>& b) { return s < b.first; });
  blackouts_.insert(at, {start_s, end_s});
}

void GatewayRadio::prune(double now_s) {
  // A frame still awaiting its outcome ends after now − one airtime; frames that
  // could overlap it end after its start. Keep a generous margin.
  const double horizon_s = now_s - 4.0 * longest_airtime_s_ - 1.0;
  while (!frames_.empty() && frames_.front().end_s < horizon_s) frames_.pop_front();
  while (!blackouts_.empty() && blackouts_.front().second < horizon_s) blackouts_.pop_front();
}

RxOutcome GatewayRadio::outcome(std::uint64_t handle) {
  if (frames_.empty() || handle < frames_.front().handle || handle > frames_.back().handle)
    throw std::logic_error("GatewayRadio: outcome() asked for a frame no longer held");
  const Frame& f = frames_[static_cast<std::size_t>(handle - frames_.front().handle)];
  if (options_.check_sensitivity && f.rssi_dbm < sensitivity_dbm(f.sf)) return RxOutcome::kBelowSensitivity;
  for (const auto& [b_start_s, b_end_s] : blackouts_) {
    if (b_start_s >= f.end_s) break;  // by start: nothing later overlaps
    if (b_end_s > f.start_s) {
      ++lost_to_tx_;
      return RxOutcome::kGatewayTransmitting;
    }
  }
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

// ---------------------------------------------------------------------------
// Class A downlinks.

LoraModulation downlink_data_rate(LoraRegion region, int dr) {
  LoraModulation m;
  if (region == LoraRegion::kEu868) {
    m = data_rate(region, dr);  // the same table both ways (DR0..DR6)
  } else {
    if (dr < 8 || dr > 13) throw std::invalid_argument("US915 downlinks have data rates 8..13");
    m.spreading_factor = 20 - dr;  // DR8 = SF12 … DR13 = SF7
    m.bandwidth_hz = 500e3;
  }
  m.explicit_header = true;
  m.crc = false;
  return m;
}

double downlink_time_on_air_s(LoraRegion region, int dr, std::uint32_t phy_payload_bytes) {
  return time_on_air_s(downlink_data_rate(region, dr), phy_payload_bytes);
}

double uplink_channel_hz(LoraRegion region, int channel) {
  if (region == LoraRegion::kEu868) {
    static constexpr double kPlan[] = {868.1e6, 868.3e6, 868.5e6, 867.1e6,
                                       867.3e6, 867.5e6, 867.7e6, 867.9e6};
    if (channel < 0 || channel > 7)
      throw std::invalid_argument("EU868: the default plan has uplink channels 0..7");
    return kPlan[channel];
  }
  if (channel < 0 || channel > 71) throw std::invalid_argument("US915 has uplink channels 0..71");
  return channel < 64 ? 902.3e6 + 0.2e6 * channel : 903.0e6 + 1.6e6 * (channel - 64);
}

int rx1_data_rate(LoraRegion region, int uplink_dr, int rx1_dr_offset) {
  if (region == LoraRegion::kEu868) {
    if (uplink_dr < 0 || uplink_dr > 6) throw std::invalid_argument("EU868 has uplink data rates 0..6");
    if (rx1_dr_offset < 0 || rx1_dr_offset > 5) throw std::invalid_argument("EU868 RX1DROffset is 0..5");
    return std::max(0, uplink_dr - rx1_dr_offset);
  }
  if (uplink_dr < 0 || uplink_dr > 4) throw std::invalid_argument("US915 has uplink data rates 0..4");
  if (rx1_dr_offset < 0 || rx1_dr_offset > 3) throw std::invalid_argument("US915 RX1DROffset is 0..3");
  return std::clamp(10 + uplink_dr - rx1_dr_offset, 8, 13);
}

std::string to_string(RxWindow window) {
  switch (window) {
    case RxWindow::kRx1:
      return "RX1";
    case RxWindow::kRx2:
      return "RX2";
    default:
      return "none";
  }
}

ClassAParams ClassAParams::defaults(LoraRegion region) {
  ClassAParams p;
  p.region = region;
  if (region == LoraRegion::kUs915) {
    p.rx2_frequency_hz = 923.3e6;
    p.rx2_data_rate = 8;
  }
  return p;
}

ClassAParams ClassAParams::ttn_eu868() {
  ClassAParams p = defaults(LoraRegion::kEu868);
  p.rx2_data_rate = 3;
  return p;
}

double ClassAParams::uplink_hz(int channel) const {
  if (uplink_channels_hz.empty()) return uplink_channel_hz(region, channel);
  if (channel < 0 || channel >= static_cast<int>(uplink_channels_hz.size()))
    throw std::invalid_argument("ClassAParams: no such uplink channel");
  return uplink_channels_hz[static_cast<std::size_t>(channel)];
}

ReceiveWindow rx1_window(const ClassAParams& p, double uplink_end_s, int uplink_channel, int uplink_dr) {
  ReceiveWindow w;
  w.window = RxWindow::kRx1;
  w.open_s = uplink_end_s + p.receive_delay1_s;
  w.data_rate = rx1_data_rate(p.region, uplink_dr, p.rx1_dr_offset);
  const double uplink_hz = p.uplink_hz(uplink_channel);  // also checks the channel
  w.frequency_hz = p.region == LoraRegion::kEu868 ? uplink_hz : 923.3e6 + 0.6e6 * (uplink_channel % 8);
  return w;
}

ReceiveWindow rx2_window(const ClassAParams& p, double uplink_end_s) {
  ReceiveWindow w;
  w.window = RxWindow::kRx2;
  w.open_s = uplink_end_s + p.receive_delay1_s + (kReceiveDelay2S - kReceiveDelay1S);
  w.frequency_hz = p.rx2_frequency_hz;
  w.data_rate = p.rx2_data_rate;
  downlink_data_rate(p.region, w.data_rate);  // throws for a data rate the region's downlinks lack
  return w;
}

const std::vector<SubBand>& sub_bands(LoraRegion region) {
  static const std::vector<SubBand> kEu868 = {
      {"863-865", 863.0e6, 865.0e6, 0.001}, {"865-868", 865.0e6, 868.0e6, 0.01},
      {"g1", 868.0e6, 868.6e6, 0.01},       {"g2", 868.7e6, 869.2e6, 0.001},
      {"g3", 869.4e6, 869.65e6, 0.1},       {"g4", 869.7e6, 870.0e6, 0.01},
  };
  static const std::vector<SubBand> kUs915 = {{"US902-928", 902.0e6, 928.0e6, 1.0}};
  return region == LoraRegion::kEu868 ? kEu868 : kUs915;
}

int sub_band_of(LoraRegion region, double frequency_hz) {
  const auto& bands = sub_bands(region);
  // The first match: a frequency on a shared edge (868.0 MHz) belongs to the lower band.
  for (std::size_t i = 0; i < bands.size(); ++i)
    if (frequency_hz >= bands[i].low_hz && frequency_hz <= bands[i].high_hz) return static_cast<int>(i);
  throw std::invalid_argument(to_string(region) + ": " + std::to_string(frequency_hz) +
                              " Hz is in no sub-band");
}

bool GatewayDownlink::Intervals::free(double start_s, double end_s) const {
  // Disjoint and sorted by start, so sorted by end too: the first interval that
  // ends after start_s is the only candidate for an overlap.
  const auto it = std::partition_point(
      items_.begin(), items_.end(), [&](const std::pair<double, double>& i) { return i.second <= start_s; });
  return it == items_.end() || it->first >= end_s;
}

void GatewayDownlink::Intervals::add(double start_s, double end_s) {
  const auto it = std::partition_point(items_.begin(), items_.end(),
                                       [&](const std::pair<double, double>& i) { return i.first < start_s; });
  items_.insert(it, {start_s, end_s});
}

void GatewayDownlink::Intervals::prune(double before_s) {
  while (!items_.empty() && items_.front().second <= before_s) items_.pop_front();
}

GatewayDownlink::GatewayDownlink(ClassAParams params)
    : params_(std::move(params)),
      closed_(sub_bands(params_.region).size()),
      band_airtime_s_(sub_bands(params_.region).size(), 0.0) {
  if (!(params_.receive_delay1_s > 0.0))
    throw std::invalid_argument("GatewayDownlink: RECEIVE_DELAY1 must be > 0");
  rx2_window(params_, 0.0);  // checks the RX2 data rate and frequency now rather than at the first downlink
  sub_band_of(params_.region, params_.rx2_frequency_hz);
}

DownlinkRefusal GatewayDownlink::try_book(const ReceiveWindow& w, std::uint32_t phy_payload_bytes,
                                          DownlinkSlot& slot) {
  const int band = sub_band_of(params_.region, w.frequency_hz);
  const double toa_s = downlink_time_on_air_s(params_.region, w.data_rate, phy_payload_bytes);
  const double closed_until_s =
      w.open_s + toa_s / sub_bands(params_.region)[static_cast<std::size_t>(band)].duty_cycle;
  Intervals& closed = closed_[static_cast<std::size_t>(band)];
  if (!closed.free(w.open_s, closed_until_s)) return DownlinkRefusal::kDutyCycle;
  if (!transmitter_.free(w.open_s, w.open_s + toa_s)) return DownlinkRefusal::kTransmitterBusy;
  closed.add(w.open_s, closed_until_s);
  transmitter_.add(w.open_s, w.open_s + toa_s);
  band_airtime_s_[static_cast<std::size_t>(band)] += toa_s;
  airtime_s_ += toa_s;
  slot.window = w.window;
  slot.start_s = w.open_s;
  slot.end_s = w.open_s + toa_s;
  slot.frequency_hz = w.frequency_hz;
  slot.data_rate = w.data_rate;
  slot.sub_band = band;
  return DownlinkRefusal::kNone;
}

DownlinkSlot GatewayDownlink::schedule(double uplink_end_s, int uplink_channel, int uplink_dr,
                                       std::uint32_t phy_payload_bytes) {
  if (uplink_end_s < last_uplink_end_s_)
    throw std::logic_error("GatewayDownlink: schedule() in non-decreasing order of uplink end");
  last_uplink_end_s_ = uplink_end_s;
  // Every window from now on opens after uplink_end_s: what closed before cannot matter.
  for (auto& band : closed_) band.prune(uplink_end_s);
  transmitter_.prune(uplink_end_s - kHistoryS);
  ++counts_.requests;
  DownlinkSlot slot;
  slot.rx1 = try_book(rx1_window(params_, uplink_end_s, uplink_channel, uplink_dr), phy_payload_bytes, slot);
  if (slot.rx1 == DownlinkRefusal::kNone) {
    ++counts_.rx1;
    return slot;
  }
  ++(slot.rx1 == DownlinkRefusal::kDutyCycle ? counts_.rx1_duty_cycle : counts_.rx1_busy);
  slot.rx2 = try_book(rx2_window(params_, uplink_end_s), phy_payload_bytes, slot);
  if (slot.rx2 == DownlinkRefusal::kNone) {
    ++counts_.rx2;
    return slot;
  }
  ++(slot.rx2 == DownlinkRefusal::kDutyCycle ? counts_.rx2_duty_cycle : counts_.rx2_busy);
  ++counts_.refused;
  return slot;
}

bool GatewayDownlink::transmitting_during(double t0_s, double t1_s) const {
  return !transmitter_.free(t0_s, t1_s);
}

}  // namespace twinbed::sim::net
