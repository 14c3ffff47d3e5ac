// DeviceClock: a device's clock with its faults and its discipline.
//
// Device time = true time + error(t), where the free-running error is
//   offset + skew·t + ½·ageing·t² + random-walk frequency noise
//   + periodic error + scheduled steps,
// and a discipline corrects it from time to time against a time server
// reached over the network.
//
// Each poll is an RFC 5905 on-wire exchange (client/server mode):
//   T1 client transmit (device clock)      at true time t1
//   T2 server receive  (server clock)      at t1 + u
//   T3 server transmit (server clock)      at t1 + u + p   (p: server_processing_s)
//   T4 client receive  (device clock)      at t4 = t1 + u + p + d
// with u, d the one-way delays of the path and the server clock = true time
// + server_error_s. Then
//   offset θ = ((T2 − T1) + (T3 − T4)) / 2,  delay δ = (T4 − T1) − (T3 − T2),
// and, for a free error e(t) linear over the exchange (skew s),
//   θ = −e(t_mid) + server_error_s + (u − d)/2,   t_mid = (t1 + t4)/2,
//   δ = (u + d) + s·(u + p + d):
// an asymmetric path biases the offset by exactly (u − d)/2 (the client
// assumes the two legs are equal), and the clock's own run during the
// exchange is accounted for (θ refers to the exchange's midpoint). The
// response is applied at t4, when it arrives. Timestamps are held relative to
// t1, which cancels in θ and δ (absolute doubles near 1e7 s would lose 1e-9 s).
//
// The discipline:
// - SNTP (RFC 4330): each response steps the clock by θ (no filter).
// - NTP (ntpd's rules): the clock filter keeps the last 8 samples (θ, δ) and
//   selects the one with the smallest δ (RFC 5905 §10; an older sample only if
//   smaller by more than the clock precision, 2⁻²⁰ s), used once and never if
//   older than the last one used (the RFC's prime directive); its offset is
//   corrected by what the discipline has applied to the clock since it was
//   measured. A selected sample with δ/2 > `max_distance_s` (1.5 s, ntpd's
//   maxdist) leaves the server unfit: no update. Otherwise an offset under
//   `step_threshold_s` (128 ms) is slewed at no more than `max_slew_ppm`
//   (500 ppm); a larger one is stepped only after it has persisted for
//   `stepout_s` (900 s), and a step empties the filter; an offset beyond
//   `panic_s` (1000 s) is refused unless `force_step` (ntpd -g). After three
//   unanswered polls each further one shifts an empty sample into the filter
//   (the RFC's reach register), so stale samples age out during an outage.
//   The poll interval is `poll_s`, or with `adaptive_poll` the RFC's
//   hysteresis between `min_poll_s` and `max_poll_s`.
//   Not modelled: several servers (selection, clustering, combining), the
//   dispersion weighting and the popcorn spike suppressor of the filter, the
//   PLL/FLL frequency discipline (the skew is never learnt), burst modes.
// The path comes from a SyncPathFn, called once per poll at its send time.
// The legacy constructor (a reachable(t) callback, or none) is a zero-delay
// symmetric path with zero processing time whose server error is
// N(0, sync_noise_s): the behaviour and the random draws of the model before
// the exchange existed, bit for bit.
//
// Stamp faults act on the stamp itself: null stamps (NaN), future stamps
// (+future_s), and time-zone / DST errors (+tz_offset_s), each per sample
// with a probability while its EpisodeProcess is active.
//
// stamp(), error_at() and declared_uncertainty_s() must be called with
// non-decreasing true times; callbacks are made lazily, at the next call at
// or after their time, with non-decreasing times. Every step (fault or
// discipline), refusal and stamp-fault window is recorded for the trace.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "faults/episodes.hpp"
#include "faults/random_stream.hpp"

namespace twinbed::faults {

enum class ClockSync { kNone, kSntp, kNtp };

/// The network path of one NTP exchange, as the world gives it at the
/// request's send time. nullopt or !reachable: no response (the request or
/// the response is lost, e.g. in an outage); the poll still counts as sent.
struct SyncPath {
  bool reachable = true;
  double uplink_delay_s = 0.0;    ///< device → server, one way, ≥ 0
  double downlink_delay_s = 0.0;  ///< server → device, one way, ≥ 0
  double server_error_s = 0.0;    ///< server clock − true time, during the exchange
};
/// Called once per poll, with the poll's true send time (non-decreasing).
using SyncPathFn = std::function<std::optional<SyncPath>(double t_s)>;

/// Size of one NTP packet (request or response, both the same): the 48 B
/// NTPv4 header without extension fields or MAC. A poll sends one; each
/// response receives one.
inline constexpr std::uint32_t kNtpPayloadBytes = 48;
/// The same with its UDP (8 B) and IPv4 (20 B) headers.
inline constexpr std::uint32_t kNtpUdpIpv4Bytes = 76;
/// The same in an Ethernet II frame (14 B header; no FCS, preamble or gap).
inline constexpr std::uint32_t kNtpEthernetBytes = 90;

struct StampFault {
  std::string kind;  ///< "timestamp_null", "timestamp_future", "timestamp_timezone"
  std::string fault_id;
  EpisodeParams activity;
  double probability = 1.0;
  double shift_s = 0.0;  ///< future: +s; time zone: ±3600 typically
};

struct ClockParams {
  double offset_s = 0.0;
  double skew_ppm = 0.0;
  double ageing_ppm_per_day = 0.0;    ///< frequency change per day
  double rw_ppm_per_sqrt_day = 0.0;   ///< random-walk frequency noise
  double periodic_amplitude_s = 0.0;  ///< e.g. temperature cycles
  double periodic_period_s = 86400.0;
  struct Step {
    std::string fault_id;
    double at_s, step_s;
  };
  std::vector<Step> steps;  ///< scheduled steps (forward > 0, backward < 0)

  ClockSync sync = ClockSync::kNone;
  double poll_s = 64.0;
  double sync_noise_s = 0.005;  ///< legacy constructor only: std of the server error
  double step_threshold_s = 0.128;
  double stepout_s = 900.0;
  double panic_s = 1000.0;
  double max_slew_ppm = 500.0;
  bool force_step = false;

  // The exchange (SyncPathFn constructor).
  double server_processing_s = 1e-4;  ///< T3 − T2
  double max_distance_s = 1.5;        ///< NTP: δ/2 beyond this leaves the server unfit (ntpd maxdist)
  double assumed_tolerance_ppm = 15;  ///< the device's frequency tolerance (ntpd's PHI), for its uncertainty
  bool adaptive_poll = false;         ///< NTP: poll between min_poll_s and max_poll_s (else poll_s)
  double min_poll_s = 64.0;           ///< ntpd minpoll 6
  double max_poll_s = 1024.0;         ///< ntpd maxpoll 10

  std::vector<StampFault> stamp_faults;
};

/// A clock event for the trace: a step (scheduled or by the discipline) or a refusal.
struct ClockEvent {
  std::string kind;  ///< "clock_step", "clock_sync_step", "clock_sync_refused"
  std::string fault_id;
  double at_s;
  double magnitude_s;
};

class DeviceClock {
 public:
  /// Legacy: reachable(t) false means no sync at t; a reachable poll measures
  /// over a zero-delay path with a server error N(0, sync_noise_s) drawn from
  /// (seed, device_id, "clock_sync"). No callback: always reachable.
  DeviceClock(ClockParams params, std::uint64_t seed, const std::string& device_id,
              std::function<bool(double)> reachable = {});
  /// Each poll is an exchange over path(t1). An empty path: always reachable
  /// with zero delays and an exact server. Throws std::invalid_argument at the
  /// poll if a delay is negative or not finite.
  DeviceClock(ClockParams params, std::uint64_t seed, const std::string& device_id, SyncPathFn path);

  /// The device's stamp for a reading taken at true time t_s (NaN: a null stamp).
  double stamp(double t_s);
  /// The clock error (device time − true time) at t_s, without stamp faults.
  double error_at(double t_s);
  /// The clock restarts at t_s with error `error_s` (an RTC reset to an epoch
  /// or a build date, until the discipline corrects it). Recorded as an event.
  /// The device forgets its sync: the filter empties, responses in flight are
  /// lost, and the declared uncertainty is infinite until the next accepted sync.
  void reset(double t_s, double error_s, const std::string& fault_id);

  /// What the device believes bounds |error| at t_s: infinite before the first
  /// accepted measurement (one the discipline acted on: an SNTP step, an NTP
  /// slew or step), then
  ///   δ/2 + assumed_tolerance_ppm·1e-6·(t_s − t1) + |slew still to apply|,
  /// with δ and t1 (true send time) of that measurement. Guarantee: it covers
  /// the true error when the free error is linear with |skew_ppm| ≤
  /// assumed_tolerance_ppm (no ageing, walk, periodic term or step fault since),
  /// the server is exact, and the clock was not being slewed during that
  /// exchange (a slew shortens δ by at most max_slew_ppm·1e-6·(t4 − t1)).
  /// Ages in true time: the device's own differ by a factor 1 + skew.
  double declared_uncertainty_s(double t_s);

  const std::vector<ClockEvent>& events() const { return events_; }
  /// Stamp-fault windows so far, with the fault each came from (the world
  /// labels the same windows from the same streams when it builds the plant).
  std::vector<std::pair<const StampFault*, Window>> stamp_fault_windows() const;
  double max_abs_error_s() const { return max_abs_error_s_; }
  std::uint64_t sync_steps() const { return sync_steps_; }
  std::uint64_t sync_refusals() const { return sync_refusals_; }
  /// Requests sent (every poll, answered or not) and responses received so far.
  std::uint64_t sync_polls() const { return sync_polls_; }
  std::uint64_t sync_responses() const { return sync_responses_; }
  /// δ of the last response received (NaN before any).
  double last_sync_delay_s() const { return last_delay_s_; }
  /// The current poll interval (poll_s, or the adaptive one).
  double poll_interval_s() const { return poll_interval_s_; }

 private:
  struct Exchange {  ///< a request whose response is in flight; timestamps relative to t1
    double sent_s, arrive_s, round_trip_s;
    double t1_rel_s, t2_rel_s, t3_rel_s;
    double correction_at_send_s;
  };
  struct Sample {  ///< one clock-filter stage
    double sent_s, offset_s, delay_s, correction_ref_s;
    bool valid;
  };

  void advance(double t_s);
  double free_error(double t_s) const;
  void send_poll(double t_s);
  void receive(const Exchange& x);
  void ntp_update(Sample s);
  void accept(const Sample& s);
  void adjust_poll(double offset_s);
  void set_poll_interval(double poll_s);

  ClockParams p_;
  bool legacy_;
  std::function<bool(double)> reachable_;
  SyncPathFn path_;
  RandomStream walk_, sync_;
  std::vector<EpisodeProcess> stamp_activity_;
  std::vector<RandomStream> stamp_draws_;
  double now_s_ = 0.0;
  double walk_freq_ = 0.0, walk_phase_s_ = 0.0;  ///< random-walk part
  double correction_s_ = 0.0;                    ///< what the discipline has applied
  double slew_remaining_s_ = 0.0;
  std::optional<double> over_threshold_since_s_;
  std::size_t next_step_ = 0;
  double steps_s_ = 0.0;
  double poll_interval_s_;
  double next_poll_s_;
  double max_abs_error_s_ = 0.0;
  std::uint64_t sync_steps_ = 0, sync_refusals_ = 0;
  std::uint64_t sync_polls_ = 0, sync_responses_ = 0;
  double last_delay_s_ = std::numeric_limits<double>::quiet_NaN();
  std::vector<Exchange> in_flight_;  ///< by arrival time
  std::vector<Sample> filter_;       ///< oldest first, at most 8
  std::uint8_t reach_ = 0;           ///< RFC 5905 reach register: bit 0 = the latest poll answered
  double last_used_sent_s_ = -std::numeric_limits<double>::infinity();  ///< prime directive
  std::optional<Sample> accepted_;  ///< the last measurement the discipline acted on
  double poll_jitter_s_;            ///< RFC local_clock jitter, for the adaptive poll
  double last_offset_s_ = 0.0;
  int poll_count_ = 0;
  std::vector<ClockEvent> events_;
};

}  // namespace twinbed::faults
