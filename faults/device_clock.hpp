// DeviceClock: a device's clock with its faults and its discipline.
//
// Device time = true time + error(t), where the free-running error is
//   offset + skew·t + ½·ageing·t² + random-walk frequency noise
//   + periodic error + scheduled steps,
// and a discipline corrects it from time to time against a reference reached
// over the network (reachable(t) false: no sync, as in an outage):
// - SNTP: each successful poll steps the clock to the measured time;
// - NTP (ntpd's rules): an offset under `step_threshold_s` (128 ms) is slewed
//   at no more than `max_slew_ppm` (500 ppm); a larger one is stepped only
//   after it has persisted for `stepout_s` (900 s); an offset beyond
//   `panic_s` (1000 s) is refused unless `force_step` (ntpd -g).
// Each measurement has error N(0, sync_noise_s) (path asymmetry, jitter).
// Stamp faults act on the stamp itself: null stamps (NaN), future stamps
// (+future_s), and time-zone / DST errors (+tz_offset_s), each per sample
// with a probability while its EpisodeProcess is active.
//
// stamp() must be called with non-decreasing true times. Every step (fault
// or discipline), refusal and stamp-fault window is recorded for the trace.
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
  double sync_noise_s = 0.005;
  double step_threshold_s = 0.128;
  double stepout_s = 900.0;
  double panic_s = 1000.0;
  double max_slew_ppm = 500.0;
  bool force_step = false;

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
  DeviceClock(ClockParams params, std::uint64_t seed, const std::string& device_id,
              std::function<bool(double)> reachable = {});

  /// The device's stamp for a reading taken at true time t_s (NaN: a null stamp).
  double stamp(double t_s);
  /// The clock error (device time − true time) at t_s, without stamp faults.
  double error_at(double t_s);
  /// The clock restarts at t_s with error `error_s` (an RTC reset to an epoch
  /// or a build date, until the discipline corrects it). Recorded as an event.
  void reset(double t_s, double error_s, const std::string& fault_id);

  const std::vector<ClockEvent>& events() const { return events_; }
  /// Stamp-fault windows so far, with the fault each came from (the world
  /// labels the same windows from the same streams when it builds the plant).
  std::vector<std::pair<const StampFault*, Window>> stamp_fault_windows() const;
  double max_abs_error_s() const { return max_abs_error_s_; }
  std::uint64_t sync_steps() const { return sync_steps_; }
  std::uint64_t sync_refusals() const { return sync_refusals_; }

 private:
  void advance(double t_s);
  double free_error(double t_s) const;

  ClockParams p_;
  std::function<bool(double)> reachable_;
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
  double next_poll_s_;
  double max_abs_error_s_ = 0.0;
  std::uint64_t sync_steps_ = 0, sync_refusals_ = 0;
  std::vector<ClockEvent> events_;
};

}  // namespace twinbed::faults
