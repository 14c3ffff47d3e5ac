// LoRaWAN radio: time on air, payload limits, duty cycle and collisions at a gateway.
//
// What is modelled (docs/networks.md has the abstraction level):
// - time_on_air_s(): the Semtech formula (SX1276 datasheet §4.1.1.7, AN1200.13)
//   from spreading factor, bandwidth, coding rate, preamble, header mode, CRC
//   and low-data-rate optimisation; SF7/125 kHz/CR 4/5, 20 B, 8-symbol
//   preamble, explicit header, CRC ⇒ 56.576 ms.
// - Regional parameters (LoRaWAN RP002-1.0.x): data rate ↔ SF/BW, the largest
//   application payload (N) per data rate, the sub-band duty-cycle limit.
// - DutyCycle: a transmitter that has sent for ToA in a band with duty cycle
//   d may not send in that band again before start + ToA/d (the LMIC rule).
// - GatewayRadio: pure ALOHA on each (channel, SF): two frames that overlap in
//   time collide and both are lost, unless capture is on and one is at least
//   `capture_threshold_db` stronger than every frame it overlaps (it survives,
//   the weaker ones do not). Frames below the SF's sensitivity are lost.
//   Different SFs are treated as orthogonal; there is no inter-SF interference.
//   The gateway is half duplex: a frame that overlaps one of its own
//   transmissions (a registered TX blackout) is lost on every channel.
// - Class A downlinks (LoRaWAN 1.0.x L2 §3.3, RP002-1.0.x): the RX1 and RX2
//   windows (delays, frequencies, RX1DROffset tables, RX2 parameters) for
//   EU868 and US915; a downlink's time on air (explicit header, no payload
//   CRC).
// - GatewayDownlink: the gateway's one transmitter, and its duty cycle per
//   regulatory sub-band (EU868: ETSI EN 300 220 sub-bands, the LMIC rule per
//   band); schedule() places a downlink in RX1, else RX2, else refuses it.
//
// Guarantees: pure functions and explicit state; no clock, no random draws
// (the caller draws channels and fading from its own streams).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace twinbed::sim::net {

struct LoraModulation {
  int spreading_factor = 7;     ///< 6..12
  double bandwidth_hz = 125e3;  ///< 125, 250 or 500 kHz
  int coding_rate = 1;          ///< 1..4 for 4/5..4/8
  int preamble_symbols = 8;     ///< programmed preamble length (LoRaWAN: 8)
  bool explicit_header = true;  ///< LoRaWAN uplinks: explicit header
  bool crc = true;              ///< LoRaWAN uplinks: CRC on
  /// Low-data-rate optimisation: -1 = automatic (on when a symbol lasts
  /// longer than 16 ms: SF11 and SF12 at 125 kHz), 0 = off, 1 = on.
  int low_data_rate_optimize = -1;

  double symbol_s() const;
  bool ldro() const;
};

/// Time on air of a PHY payload of `phy_payload_bytes` (MAC header, MAC payload and MIC), s.
double time_on_air_s(const LoraModulation& m, std::uint32_t phy_payload_bytes);
/// Number of payload symbols (the formula's `payloadSymbNb`, including the 8 fixed ones).
std::uint32_t payload_symbols(const LoraModulation& m, std::uint32_t phy_payload_bytes);

/// LoRaWAN frame overhead around the application payload: MHDR 1, DevAddr 4,
/// FCtrl 1, FCnt 2, FPort 1, MIC 4 (no FOpts).
inline constexpr std::uint32_t kLorawanOverheadBytes = 13;

enum class LoraRegion { kEu868, kUs915 };

/// The modulation of a data rate in a region (EU868 DR0..DR6, US915 DR0..DR4).
/// Throws std::invalid_argument for a data rate the region does not have.
LoraModulation data_rate(LoraRegion region, int dr);
/// The data rate of a spreading factor at 125 kHz in a region; -1 when there is none.
int data_rate_of_sf(LoraRegion region, int spreading_factor);
/// Largest application payload (FRMPayload, N) at a data rate, bytes (no repeater).
std::uint32_t max_app_payload_bytes(LoraRegion region, int dr);
/// The duty-cycle limit of the default uplink channels (EU868: 1 %; US915: none, 1.0).
double default_duty_cycle(LoraRegion region);
/// Receiver sensitivity of an SX1276/SX1301-class gateway at 125 kHz, dBm.
double sensitivity_dbm(int spreading_factor);

std::string to_string(LoraRegion region);

/// A transmitter's duty-cycle budget in one sub-band.
class DutyCycle {
 public:
  explicit DutyCycle(double duty_cycle = 0.01) : duty_cycle_(duty_cycle) {}
  /// The earliest start at or after `t_s` that the band allows.
  double earliest_start_s(double t_s) const { return t_s > available_s_ ? t_s : available_s_; }
  /// Records a transmission of `airtime_s` starting at `start_s` (which must be allowed).
  void transmitted(double start_s, double airtime_s) {
    available_s_ = start_s + airtime_s / duty_cycle_;
    airtime_s_ += airtime_s;
  }
  double airtime_s() const { return airtime_s_; }
  double duty_cycle() const { return duty_cycle_; }

 private:
  double duty_cycle_;
  double available_s_ = 0.0;
  double airtime_s_ = 0.0;
};

/// Why a frame was not received. The numeric values are stable; new outcomes are appended.
enum class RxOutcome : std::uint8_t {
  kReceived = 0,
  kCollision = 1,
  kBelowSensitivity = 2,
  kGatewayTransmitting = 3,  ///< the gateway was transmitting (half duplex) during part of the frame
};

/// One gateway's receivers: frames on (channel, SF) overlapping in time collide.
///
/// Use: begin() when a frame starts (frames must begin in non-decreasing time
/// order), then outcome() once the simulation clock has reached the frame's
/// end — by then every frame that could overlap it has begun. The gateway's
/// own transmissions are registered with add_tx_blackout() (see there).
///
/// outcome() decides in this order: below the SF's sensitivity, then lost to
/// a TX blackout, then collided (or captured) with the frames it overlaps. A
/// frame lost to a blackout or to sensitivity is still on air: it still
/// collides with the frames it overlaps.
class GatewayRadio {
 public:
  struct Options {
    bool capture = false;               ///< the stronger frame survives if ahead by the threshold
    double capture_threshold_db = 6.0;  ///< co-SF signal-to-interference ratio needed (Semtech: ~6 dB)
    bool check_sensitivity = true;
  };
  GatewayRadio() = default;
  explicit GatewayRadio(Options options) : options_(options) {}

  /// A frame starts: returns its handle for outcome().
  std::uint64_t begin(double start_s, double airtime_s, int channel, int spreading_factor, double rssi_dbm);
  /// The fate of frame `handle`; call when the clock has reached its end.
  RxOutcome outcome(std::uint64_t handle);
  /// The gateway transmits during [start_s, end_s): half duplex, it receives
  /// nothing on any channel meanwhile, so a frame that overlaps the interval
  /// even partly is lost (kGatewayTransmitting; a frame that ends exactly at
  /// start_s or begins exactly at end_s is not). Intervals may be registered in
  /// any order and ahead of time (a downlink is scheduled a second or more
  /// before it goes out), but each before outcome() is asked for a frame it
  /// overlaps: registering at the end of the uplink it answers is enough.
  void add_tx_blackout(double start_s, double end_s);

  std::uint64_t frames() const { return next_handle_; }
  std::uint64_t collisions() const { return collisions_; }
  std::uint64_t captured() const { return captured_; }  ///< frames that survived an overlap by capture
  std::uint64_t lost_to_transmission() const { return lost_to_tx_; }  ///< outcomes kGatewayTransmitting
  double busy_airtime_s() const { return airtime_s_; }

 private:
  struct Frame {
    std::uint64_t handle;
    double start_s, end_s;
    int channel, sf;
    double rssi_dbm;
  };
  void prune(double now_s);

  Options options_;
  std::deque<Frame> frames_;                         ///< by start time; pruned once nothing can overlap them
  std::deque<std::pair<double, double>> blackouts_;  ///< [start, end), by start; pruned with the frames
  double longest_airtime_s_ = 0.0;
  std::uint64_t next_handle_ = 0;
  std::uint64_t collisions_ = 0, captured_ = 0, lost_to_tx_ = 0;
  double airtime_s_ = 0.0;
};

// ---------------------------------------------------------------------------
// Class A downlinks (LoRaWAN 1.0.x L2 specification §3.3; RP002-1.0.x).

/// RECEIVE_DELAY1 and RECEIVE_DELAY2 (RP002 defaults for every region): RX1
/// opens 1 s after the end of the uplink, RX2 1 s after RX1.
inline constexpr double kReceiveDelay1S = 1.0;
inline constexpr double kReceiveDelay2S = 2.0;
/// PHY payload of a downlink with neither FPort nor FRMPayload nor FOpts (a
/// bare ACK): MHDR 1 + DevAddr 4 + FCtrl 1 + FCnt 2 + MIC 4 = 12 bytes.
inline constexpr std::uint32_t kLorawanAckBytes = 12;

/// The modulation of a downlink data rate: explicit header, payload CRC off
/// (LoRaWAN downlinks carry no PHY payload CRC), 8-symbol preamble, CR 4/5.
/// EU868: DR0..DR6 as the uplinks; US915: DR8..DR13 = SF12..SF7 at 500 kHz.
/// Throws std::invalid_argument for a data rate the region's downlinks lack.
LoraModulation downlink_data_rate(LoraRegion region, int dr);
/// Time on air of a downlink PHY payload at downlink data rate `dr`, s.
double downlink_time_on_air_s(LoraRegion region, int dr, std::uint32_t phy_payload_bytes);

/// Centre frequency of uplink channel `channel` in the region's default plan.
/// EU868: 0..2 the mandatory 868.1, 868.3, 868.5 MHz, 3..7 867.1 … 867.9 MHz
/// (the common 8-channel plan, TTN's). US915: 0..63 902.3 + 0.2 k MHz
/// (125 kHz), 64..71 903.0 + 1.6 (k − 64) MHz (500 kHz). Throws
/// std::invalid_argument outside.
double uplink_channel_hz(LoraRegion region, int channel);
/// The RX1 data rate (RP002 RX1DROffset tables). EU868: max(0, DR − offset),
/// uplink DR0..DR6, offset 0..5. US915: min(13, max(8, 10 + DR − offset)),
/// uplink DR0..DR4, offset 0..3 (DR0 ⇒ DR10, DR4 ⇒ DR13 at offset 0). Throws
/// std::invalid_argument outside those ranges.
int rx1_data_rate(LoraRegion region, int uplink_dr, int rx1_dr_offset);

enum class RxWindow : std::uint8_t { kNone = 0, kRx1 = 1, kRx2 = 2 };
std::string to_string(RxWindow window);

/// A device's Class A receive parameters, as the network server knows them.
/// Start from defaults(region): the member defaults are EU868's.
struct ClassAParams {
  LoraRegion region = LoraRegion::kEu868;
  int rx1_dr_offset = 0;                        ///< RX1DROffset (EU868 0..5, US915 0..3)
  double rx2_frequency_hz = 869.525e6;          ///< EU868 default; US915: 923.3 MHz
  int rx2_data_rate = 0;                        ///< EU868 default DR0 (SF12); TTN uses DR3 (SF9)
  double receive_delay1_s = kReceiveDelay1S;    ///< RxTimingSetupReq: 1..15 s; RX2 opens 1 s later
  std::vector<double> uplink_channels_hz = {};  ///< empty: the region's plan (uplink_channel_hz)

  /// RP002 defaults: EU868 RX2 869.525 MHz DR0; US915 RX2 923.3 MHz DR8.
  static ClassAParams defaults(LoraRegion region);
  /// The Things Network's EU868 settings: RX2 869.525 MHz at DR3 (SF9).
  static ClassAParams ttn_eu868();

  double uplink_hz(int channel) const;
};

/// When, where and how fast a receive window listens. A downlink sent in it
/// starts at `open_s` (the gateway transmits at the window's opening).
struct ReceiveWindow {
  RxWindow window = RxWindow::kNone;
  double open_s = 0.0;
  double frequency_hz = 0.0;
  int data_rate = -1;  ///< a downlink data rate of the region (downlink_data_rate)
};
/// RX1 after an uplink that ended at `uplink_end_s` on `uplink_channel` at
/// `uplink_dr`: receive_delay1_s later; EU868 on the uplink's frequency, US915
/// on downlink channel (uplink channel mod 8), 923.3 + 0.6 × that MHz; at
/// rx1_data_rate(). Throws std::invalid_argument for an unknown channel or DR.
ReceiveWindow rx1_window(const ClassAParams& p, double uplink_end_s, int uplink_channel, int uplink_dr);
/// RX2 after an uplink that ended at `uplink_end_s`: receive_delay1_s + 1 s
/// later, on rx2_frequency_hz at rx2_data_rate.
ReceiveWindow rx2_window(const ClassAParams& p, double uplink_end_s);

/// A regulatory sub-band: a transmitter's duty-cycle budget is per sub-band.
struct SubBand {
  std::string_view name;
  double low_hz, high_hz;  ///< a centre frequency in [low, high] belongs to it
  double duty_cycle;       ///< 1.0: no limit
};
/// The region's sub-bands. EU868 (ETSI EN 300 220-2 V3.2.1, EC 2017/1483;
/// names after CEPT ERC/REC 70-03 as LoRaWAN tools use them): 863–865 MHz
/// 0.1 %, 865–868 MHz 1 %, g1 868.0–868.6 MHz 1 %, g2 868.7–869.2 MHz 0.1 %,
/// g3 869.4–869.65 MHz 10 %, g4 869.7–870.0 MHz 1 %. US915: one band, no duty
/// cycle (FCC §15.247; the 400 ms dwell limit binds 125 kHz uplinks only).
const std::vector<SubBand>& sub_bands(LoraRegion region);
/// Index in sub_bands(region) of the band holding `frequency_hz`; throws
/// std::invalid_argument when none does (e.g. EU868 868.6–868.7 MHz).
int sub_band_of(LoraRegion region, double frequency_hz);

/// Why a receive window was not used.
enum class DownlinkRefusal : std::uint8_t {
  kNone = 0,
  kDutyCycle = 1,        ///< the window's sub-band is still in its off time
  kTransmitterBusy = 2,  ///< another downlink is on air during part of it
};

/// The outcome of GatewayDownlink::schedule().
struct DownlinkSlot {
  RxWindow window = RxWindow::kNone;  ///< the window used; kNone: refused in both
  double start_s = 0.0, end_s = 0.0;  ///< the transmission (start = the window's opening)
  double frequency_hz = 0.0;
  int data_rate = -1;
  int sub_band = -1;                             ///< index in sub_bands()
  DownlinkRefusal rx1 = DownlinkRefusal::kNone;  ///< why RX1 was refused
  DownlinkRefusal rx2 = DownlinkRefusal::kNone;  ///< why RX2 was refused (if tried)
  bool sent() const { return window != RxWindow::kNone; }
  double airtime_s() const { return end_s - start_s; }
};

/// The gateway's downlink transmitter for Class A devices.
///
/// - One transmitter: at most one downlink on air at a time (an SX1301/SX1302
///   gateway has one TX chain); transmissions are half-open intervals
///   [start, start + ToA).
/// - Duty cycle per sub-band, the LMIC rule: a transmission of time on air T
///   starting at s in a band with limit d closes that band over [s, s + T/d).
///   A new transmission may start at t in that band only if [t, t + T'/d)
///   overlaps no other closed interval of the band, so the rule holds whatever
///   order downlinks are scheduled in (an RX1 can be scheduled after, yet sent
///   before, an earlier uplink's RX2). Over a long run a band carries at most
///   d / T downlinks of time on air T per second.
/// - schedule() is greedy, first come first served: it tries RX1, then RX2,
///   and books the first window whose sub-band is open and whose interval the
///   transmitter has free; it never moves or cancels a booked downlink. The
///   caller asks in non-decreasing order of uplink end time (the network
///   server answers each uplink as it ends); schedule() throws
///   std::logic_error otherwise.
/// - Half duplex: the caller registers each booked transmission with
///   GatewayRadio::add_tx_blackout(slot.start_s, slot.end_s), so uplinks that
///   overlap it are lost; transmitting_during() answers the same question.
///
/// Not modelled: the network server's processing and backhaul latency (a
/// downlink is always ready in time for RX1), listen-before-talk, TX power,
/// downlink loss at the device, priorities between downlinks.
class GatewayDownlink {
 public:
  /// Figures since construction.
  struct Counts {
    std::uint64_t requests = 0, rx1 = 0, rx2 = 0, refused = 0;
    std::uint64_t rx1_duty_cycle = 0, rx1_busy = 0;  ///< RX1 refusals by reason
    std::uint64_t rx2_duty_cycle = 0, rx2_busy = 0;  ///< RX2 refusals by reason
  };

  explicit GatewayDownlink(ClassAParams params = {});

  /// Books a downlink of `phy_payload_bytes` answering an uplink that ended at
  /// `uplink_end_s` on `uplink_channel` at `uplink_dr`: in RX1 if its sub-band
  /// and the transmitter allow, else in RX2, else nowhere (window kNone).
  DownlinkSlot schedule(double uplink_end_s, int uplink_channel, int uplink_dr,
                        std::uint32_t phy_payload_bytes = kLorawanAckBytes);
  /// Whether a booked downlink is on air during part of [t0_s, t1_s] (same
  /// overlap rule as GatewayRadio). Exact for intervals that end at or after
  /// the last uplink_end_s given to schedule() minus kHistoryS.
  bool transmitting_during(double t0_s, double t1_s) const;

  const ClassAParams& params() const { return params_; }
  const Counts& counts() const { return counts_; }
  double airtime_s() const { return airtime_s_; }  ///< all downlinks booked
  /// Air time booked in sub-band `band` (index in sub_bands()).
  double band_airtime_s(int band) const { return band_airtime_s_.at(static_cast<std::size_t>(band)); }

  /// How long booked transmissions are remembered for transmitting_during().
  static constexpr double kHistoryS = 60.0;

 private:
  /// Disjoint half-open intervals, sorted (by start and so by end).
  class Intervals {
   public:
    bool free(double start_s, double end_s) const;
    void add(double start_s, double end_s);
    void prune(double before_s);  ///< forgets intervals that end at or before before_s
   private:
    std::deque<std::pair<double, double>> items_;
  };
  /// Tries one window; books it and returns kNone when it can.
  DownlinkRefusal try_book(const ReceiveWindow& w, std::uint32_t phy_payload_bytes, DownlinkSlot& slot);

  ClassAParams params_;
  Intervals transmitter_;
  std::vector<Intervals> closed_;  ///< per sub-band: [start, start + T/d) of each downlink
  std::vector<double> band_airtime_s_;
  Counts counts_;
  double last_uplink_end_s_ = -1e300;
  double airtime_s_ = 0.0;
};

}  // namespace twinbed::sim::net
