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
//
// Guarantees: pure functions and explicit state; no clock, no random draws
// (the caller draws channels and fading from its own streams).
#pragma once

#include <cstdint>
#include <deque>
#include <string>

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

/// Why a frame was not received.
enum class RxOutcome : std::uint8_t { kReceived = 0, kCollision = 1, kBelowSensitivity = 2 };

/// One gateway's receivers: frames on (channel, SF) overlapping in time collide.
///
/// Use: begin() when a frame starts (frames must begin in non-decreasing time
/// order), then outcome() once the simulation clock has reached the frame's
/// end — by then every frame that could overlap it has begun.
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

  std::uint64_t frames() const { return next_handle_; }
  std::uint64_t collisions() const { return collisions_; }
  std::uint64_t captured() const { return captured_; }  ///< frames that survived an overlap by capture
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
  std::deque<Frame> frames_;  ///< by start time; pruned once nothing can overlap them
  double longest_airtime_s_ = 0.0;
  std::uint64_t next_handle_ = 0;
  std::uint64_t collisions_ = 0, captured_ = 0;
  double airtime_s_ = 0.0;
};

}  // namespace twinbed::sim::net
