// LocalClock: the device's own notion of time, used to stamp readings.
// local(t) = t + offset_s + skew_ppm·1e-6·t, t being true simulated time.
// 1 ppm of skew is 86.4 ms per day. Clock faults of the full catalogue
// (steps, random-walk skew, NTP discipline) compose on top of this model.
#pragma once

namespace twinbed::devices {

struct LocalClock {
  double offset_s = 0.0;
  double skew_ppm = 0.0;
  double stamp(double true_time_s) const { return true_time_s + offset_s + skew_ppm * 1e-6 * true_time_s; }
};

}  // namespace twinbed::devices
