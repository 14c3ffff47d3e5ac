// Timestamp repair: the boot anchor of a (device, boot) stream, and the
// classification and repair of one stamp (docs/reconciliation.md).
//
// Guarantees:
// - BootAnchor is a function of the *set* of trusted stamps it has been
//   given (interval intersection: commutative, associative, idempotent), so
//   every delivery order yields the same anchor.
// - When every trusted stamp's declared bound held (|device_time − τ| ≤ u)
//   and the uptime counter's rate error is within `counter_drift_ppm`, the
//   anchor interval holds the true boot time A (τ = A + uptime·(1 ± ρ)), and
//   a repaired stamp A_mid + uptime, with uncertainty A_half + ρ·uptime,
//   covers the record's true time.
// - A stamp is never repaired to the receipt time.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "pipeline/cloud_log.hpp"

namespace twinbed::pipeline {

struct TimestampRepairOptions {
  double future_tolerance_s = 300.0;        ///< ahead of the cloud clock by more than u + this: future
  double epoch_floor_s = -365.0 * 86400.0;  ///< a stamp below it: an RTC at its epoch or build date
  double epoch_before_s = 86400.0;          ///< an unsynced stamp this far before the anchor: epoch
  double counter_drift_ppm = 100.0;         ///< bound on the uptime counter's rate error (ρ)
};

/// What a stamp needs, judged by the stamp itself, its declared uncertainty,
/// the cloud clock at its first receipt and (for unsynced stamps) the anchor.
enum class StampClass : std::uint8_t { kOk = 0, kNull, kEpoch, kFuture };

/// Interval estimate of a boot's anchor A = true time at uptime 0.
class BootAnchor {
 public:
  /// A trusted stamp: finite time, uncertainty and uptime. True when the
  /// anchor's interval changed.
  bool add(double device_time_s, double uncertainty_s, double uptime_s, double drift_ppm);
  bool known() const { return any_; }
  /// The interval's centre and half-width: the intersection of every stamp's
  /// interval, or their hull when they disagree (some declared bound was wrong).
  double mid_s() const;
  double half_width_s() const;
  double lo_s() const { return consistent() ? lo_ : hull_lo_; }

 private:
  bool consistent() const { return lo_ <= hi_; }
  bool any_ = false;
  double lo_ = -std::numeric_limits<double>::infinity(), hi_ = std::numeric_limits<double>::infinity();
  double hull_lo_ = std::numeric_limits<double>::infinity(),
         hull_hi_ = -std::numeric_limits<double>::infinity();
};

/// A stamp that may contribute to its boot's anchor.
inline bool trusted_stamp(double device_time_s, double uncertainty_s, double uptime_s, double first_receipt_s,
                          const TimestampRepairOptions& o) {
  return std::isfinite(device_time_s) && std::isfinite(uncertainty_s) && std::isfinite(uptime_s) &&
         device_time_s >= o.epoch_floor_s &&
         device_time_s <= first_receipt_s + uncertainty_s + o.future_tolerance_s;
}

/// Classifies a stamp. An unknown (infinite) uncertainty gives no licence to
/// run ahead of the cloud clock: the tolerance alone applies then.
StampClass classify_stamp(double device_time_s, double uncertainty_s, double uptime_s, double first_receipt_s,
                          const BootAnchor& anchor, const TimestampRepairOptions& o);

/// An event time and the bound it claims.
struct RepairedTime {
  double time_s = 0;
  double uncertainty_s = std::numeric_limits<double>::infinity();
  TimeRepair repair = TimeRepair::kNone;
};

/// The anchor repair of a stamp of class `c` (not kOk): A_mid + uptime,
/// uncertainty A_half + ρ·uptime. False when it cannot be done (no anchor or
/// no uptime): the caller falls back to sequence placement or quarantine.
bool repair_from_anchor(StampClass c, double uptime_s, const BootAnchor& anchor, double drift_ppm,
                        RepairedTime& out);

/// Placement between sequence neighbours (seq_prev < seq < seq_next) whose
/// times are known: linear in seq, with uncertainty max(t − t_prev,
/// t_next − t) + max(u_prev, u_next) (the truth lies in [τ_prev, τ_next]).
RepairedTime place_between(std::uint64_t seq, std::uint64_t seq_prev, const RepairedTime& prev,
                           std::uint64_t seq_next, const RepairedTime& next);

TimeRepair repair_of(StampClass c);

}  // namespace twinbed::pipeline
