// LTE-M (LTE Cat-M1): a cellular IP bearer with power saving.
//
// Modelled: a one-way latency drawn per message from a law (default
// lognormal, median 80 ms, σ 0.5: field measurements of Cat-M1 spread from
// ~30 ms to several hundred), the uplink rate (Cat-M1 half duplex: ~375
// kbit/s peak; 300 kbit/s default), and power-saving mode: a device idle for
// longer than the active timer (T3324) has gone to PSM and must wake and set
// up an RRC connection first (`psm_wake_delay_s`). Not modelled: cell
// load, coverage enhancement repetitions, eDRX paging for downlinks.
#pragma once

#include "faults/laws.hpp"
#include "sim/net/hop.hpp"

namespace twinbed::sim::net {

struct LteMParams {
  faults::Law latency{faults::LawKind::kLognormal, 0.08, 0.5};
  double uplink_bps = 300e3;
  double active_timer_s = 10.0;   ///< T3324: idle this long, the modem enters PSM
  double psm_wake_delay_s = 1.5;  ///< waking from PSM: RRC connection set-up and service request
  bool psm = true;
};

/// A modem's power-saving state between messages.
class LteMModem {
 public:
  explicit LteMModem(LteMParams p) : p_(p) {}
  /// A message of `bytes` requested at `now_s`; the radio is busy until its end.
  HopResult send(double now_s, std::uint64_t bytes, faults::RandomStream& draws);
  std::uint64_t wake_ups() const { return wake_ups_; }

 private:
  LteMParams p_;
  double last_activity_s_ = -1e300;  ///< the modem starts asleep
  std::uint64_t wake_ups_ = 0;
};

}  // namespace twinbed::sim::net
