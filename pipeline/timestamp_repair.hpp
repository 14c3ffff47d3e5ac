// Timestamp repair: the boot anchor of a (device, boot) stream, and the
// classification and repair of one stamp (docs/reconciliation.md).
//
// Guarantees:
// - BootAnchor is a function of the *set* of trusted stamps it has been
//   given, so every delivery order yields the same anchor: the region of
//   anchor values (device time − uptime, within each stamp's declared bound
//   widened by the counter's drift over its uptime) that the heaviest set of
//   trusted stamps agrees on, each weighing its precision (≈ 1 s / u, an
//   integer) — the intersection of their intervals (the leftmost such region
//   on a tie).
// - When the stamps agreeing with the true anchor outweigh those agreeing
//   with any other and their declared bounds held (|device_time − τ| ≤ u),
//   and the uptime counter's rate error is within `counter_drift_ppm`, the
//   anchor interval holds the true boot time A (τ = A + uptime·(1 ± ρ)), and
//   a repaired stamp A_mid + uptime, with uncertainty A_half + ρ·uptime,
//   covers the record's true time — including a trusted stamp whose own
//   interval misses the anchor (kDisagrees: an undetected clock step).
// - A stamp is never repaired to the receipt time.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "pipeline/cloud_log.hpp"
#include "pipeline/interval_depth.hpp"

namespace twinbed::pipeline {

struct TimestampRepairOptions {
  double future_tolerance_s = 300.0;        ///< ahead of the cloud clock by more than u + this: future
  double epoch_floor_s = -365.0 * 86400.0;  ///< a stamp below it: an RTC at its epoch or build date
  double epoch_before_s = 86400.0;          ///< an unsynced stamp this far before the anchor: epoch
  double counter_drift_ppm = 100.0;         ///< bound on the uptime counter's rate error (ρ)
};

/// What a stamp needs, judged by the stamp itself, its declared uncertainty,
/// the cloud clock at its first receipt and (for unsynced stamps) the anchor.
/// kDisagrees: a trusted stamp whose anchor interval misses its boot's anchor
/// (its declared bound was false: a clock step the device did not see).
enum class StampClass : std::uint8_t { kOk = 0, kNull, kEpoch, kFuture, kDisagrees };

/// The anchor interval a trusted stamp gives: d − up ± (u + ρ·|up|).
struct AnchorInterval {
  double lo_s = 0, hi_s = 0;
};
AnchorInterval anchor_interval(double device_time_s, double uncertainty_s, double uptime_s, double drift_ppm);
/// A trusted stamp's weight in the anchor vote: its precision, round(1000 s / max(u, 1 ms)),
/// clamped to [1, 10⁶]. A stamp just after a sync (small u) outweighs one long after
/// it, which is when an undetected step can have happened; equal bounds make it a majority.
std::int64_t anchor_weight(double uncertainty_s);

/// Robust interval estimate of a boot's anchor A = true time at uptime 0.
class BootAnchor {
 public:
  /// What a new stamp did to the anchor: nothing, narrowed it (the new
  /// interval lies inside the old one: no stamp's agreement changes), or
  /// moved it (another region won, or the first stamp).
  enum class Change : std::uint8_t { kNone, kTightened, kMoved };
  /// A trusted stamp: finite time, uncertainty and uptime.
  Change add(double device_time_s, double uncertainty_s, double uptime_s, double drift_ppm);
  bool known() const { return depth_.deepest().depth > 0; }
  /// The deepest region's centre and half-width.
  double mid_s() const { return 0.5 * (lo_s() + hi_s()); }
  double half_width_s() const { return 0.5 * (hi_s() - lo_s()); }
  double lo_s() const { return depth_.deepest().lo; }
  double hi_s() const { return depth_.deepest().hi; }
  /// Total weight of the trusted stamps agreeing with the anchor (their interval contains it).
  std::int64_t support() const { return depth_.deepest().depth; }
  /// Trusted stamps given (agreeing or not).
  std::size_t stamps() const { return depth_.size(); }
  /// A trusted stamp's interval contains the anchor's region.
  bool agrees(double device_time_s, double uncertainty_s, double uptime_s, double drift_ppm) const;

 private:
  IntervalDepth depth_;
};

/// A stamp that may contribute to its boot's anchor.
inline bool trusted_stamp(double device_time_s, double uncertainty_s, double uptime_s, double first_receipt_s,
                          const TimestampRepairOptions& o) {
  return std::isfinite(device_time_s) && std::isfinite(uncertainty_s) && std::isfinite(uptime_s) &&
         device_time_s >= o.epoch_floor_s &&
         device_time_s <= first_receipt_s + uncertainty_s + o.future_tolerance_s;
}

/// Classifies a stamp. An unknown (infinite) uncertainty gives no licence to
/// run ahead of the cloud clock: the tolerance alone applies then. A stamp
/// with a finite uncertainty and uptime that passes the other tests is
/// kDisagrees when its anchor interval misses the boot's anchor.
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
