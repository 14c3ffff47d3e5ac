#include "pipeline/timestamp_repair.hpp"

#include <algorithm>

namespace twinbed::pipeline {

AnchorInterval anchor_interval(double device_time_s, double uncertainty_s, double uptime_s,
                               double drift_ppm) {
  const double a = device_time_s - uptime_s;
  const double w = uncertainty_s + drift_ppm * 1e-6 * std::abs(uptime_s);
  return {a - w, a + w};
}

std::int64_t anchor_weight(double uncertainty_s) {
  return std::max<std::int64_t>(1, std::llround(1000.0 / std::max(uncertainty_s, 1e-3)));
}

BootAnchor::Change BootAnchor::add(double device_time_s, double uncertainty_s, double uptime_s,
                                   double drift_ppm) {
  const bool was = known();
  const double lo = was ? lo_s() : 0, hi = was ? hi_s() : 0;
  const AnchorInterval i = anchor_interval(device_time_s, uncertainty_s, uptime_s, drift_ppm);
  depth_.add(i.lo_s, i.hi_s, anchor_weight(uncertainty_s));
  if (!was) return Change::kMoved;
  if (lo_s() == lo && hi_s() == hi) return Change::kNone;
  return lo_s() >= lo && hi_s() <= hi ? Change::kTightened : Change::kMoved;
}

bool BootAnchor::agrees(double device_time_s, double uncertainty_s, double uptime_s, double drift_ppm) const {
  const AnchorInterval i = anchor_interval(device_time_s, uncertainty_s, uptime_s, drift_ppm);
  return i.lo_s <= lo_s() && i.hi_s >= hi_s();
}

StampClass classify_stamp(double device_time_s, double uncertainty_s, double uptime_s, double first_receipt_s,
                          const BootAnchor& anchor, const TimestampRepairOptions& o) {
  if (!std::isfinite(device_time_s)) return StampClass::kNull;
  if (device_time_s < o.epoch_floor_s) return StampClass::kEpoch;
  const double u = std::isfinite(uncertainty_s) ? uncertainty_s : 0.0;
  if (device_time_s > first_receipt_s + u + o.future_tolerance_s) return StampClass::kFuture;
  // An unsynced stamp far before what the boot's anchor predicts: an RTC reset.
  if (!std::isfinite(uncertainty_s) && std::isfinite(uptime_s) && anchor.known() &&
      device_time_s - uptime_s < anchor.lo_s() - o.epoch_before_s)
    return StampClass::kEpoch;
  // A trusted stamp whose anchor the boot's anchor (what most stamps agree on) contradicts.
  if (std::isfinite(uncertainty_s) && std::isfinite(uptime_s) && anchor.known() &&
      !anchor.agrees(device_time_s, uncertainty_s, uptime_s, o.counter_drift_ppm))
    return StampClass::kDisagrees;
  return StampClass::kOk;
}

TimeRepair repair_of(StampClass c) {
  switch (c) {
    case StampClass::kNull:
      return TimeRepair::kNull;
    case StampClass::kEpoch:
      return TimeRepair::kEpoch;
    case StampClass::kFuture:
      return TimeRepair::kFuture;
    case StampClass::kDisagrees:
      return TimeRepair::kAnchor;
    case StampClass::kOk:
      break;
  }
  return TimeRepair::kNone;
}

bool repair_from_anchor(StampClass c, double uptime_s, const BootAnchor& anchor, double drift_ppm,
                        RepairedTime& out) {
  if (!anchor.known() || !std::isfinite(uptime_s)) return false;
  out.time_s = anchor.mid_s() + uptime_s;
  out.uncertainty_s = anchor.half_width_s() + drift_ppm * 1e-6 * std::abs(uptime_s);
  out.repair = repair_of(c);
  return true;
}

RepairedTime place_between(std::uint64_t seq, std::uint64_t seq_prev, const RepairedTime& prev,
                           std::uint64_t seq_next, const RepairedTime& next) {
  RepairedTime r;
  const double f = seq_next > seq_prev
                       ? static_cast<double>(seq - seq_prev) / static_cast<double>(seq_next - seq_prev)
                       : 0.5;  // copies of one seq (only under a wrong identity)
  const double span = std::max(0.0, next.time_s - prev.time_s);
  r.time_s = prev.time_s + f * span;
  r.uncertainty_s = std::max(r.time_s - prev.time_s, prev.time_s + span - r.time_s) +
                    std::max(prev.uncertainty_s, next.uncertainty_s);
  r.repair = TimeRepair::kSequence;
  return r;
}

}  // namespace twinbed::pipeline
