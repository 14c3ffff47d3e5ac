// AlertParity: property R12 of docs/reconciliation.md — the pipeline causes
// no false alarms of its own.
//
// The reference is the same pipeline, built afresh, fed the physical history:
// every genuine measurement the cloud received (first copies only, fault-coded
// values left out), in true-time order, stamped with its true time
// (sim/true_order_replay.hpp). Its alert raises are what the pipeline decides
// when transport and time artefacts are absent. The run's raises are matched
// to them per sensor, greedily in trigger order, when their triggers' true
// times lie within `match_window_s` of each other. An unmatched run raise is
// an alert the pipeline caused; its cause is read off its trigger reading:
//   sentinel    the trigger was a fault code (a sentinel, a mapped code, NaN)
//   duplicate   the trigger was a transport duplicate (a copy already received)
//   timestamp   the trigger's device time was off its true time by more than
//               the match window (a repaired or faulty stamp moved it)
//   reordering  otherwise: the detector saw the history in another order
// An unmatched reference raise is an alert the reconciled stream lost.
//
// Guarantee: a pure function of its inputs; the result does not depend on the
// order of either list.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace twinbed::analysis {

/// One alert raise, identified by its sensor and its trigger reading.
struct RaiseRef {
  std::uint32_t sensor = 0;
  double trigger_true_time_s = 0;
  double trigger_device_time_s = 0;
  std::uint32_t device = 0, boot = 0;
  std::uint64_t seq = 0;
  bool trigger_fault_coded = false;  ///< the trigger's value was a fault code (truth)
  bool trigger_duplicate = false;    ///< the trigger record was a transport duplicate
};

struct AlertParity {
  std::uint64_t run_raises = 0, reference_raises = 0, matched = 0;
  /// Run raises with no reference raise, by cause (sentinel, duplicate, timestamp, reordering).
  std::map<std::string, std::uint64_t> caused_by;
  std::uint64_t missing = 0;                                 ///< reference raises the run did not make
  std::vector<RaiseRef> extra_witnesses, missing_witnesses;  ///< the first few of each, by trigger time
  std::uint64_t caused() const;
  bool pass() const { return caused() == 0; }
};

/// The cause of a run raise the reference does not have, read off its
/// trigger: "sentinel", "duplicate", "timestamp" or "reordering" (above).
const char* raise_cause(const RaiseRef& r, double match_window_s);

AlertParity compare_alerts(std::vector<RaiseRef> run, std::vector<RaiseRef> reference, double match_window_s,
                           std::size_t max_witnesses = 5);

}  // namespace twinbed::analysis
