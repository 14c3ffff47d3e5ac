// The reconciliation checker: judges a pipeline's cloud log against ground
// truth, property by property (R0–R12 of docs/reconciliation.md).
//
// Safety properties (R0, R2, R3, R4, R5, R6, R8, R11) are checked on every
// prefix: the view log is replayed in cloud-time order and each change is
// judged when it happens, so a duplicate that existed for a while and was
// then retracted still fails R2 (first_violation_cloud_time_s says when).
// Liveness properties (R1, R7, R9, R10) are judged at the end of the run,
// after the quiet period (`quiet_from_s`); without one they are not
// applicable. R12 needs a second run of the pipeline on the true-order stream
// (sim/true_order_replay.hpp): check_reconciliation() leaves it not
// applicable, and judge_alert_parity() fills it in when the run has that
// second run (in `twinbed run`; never offline).
//
// Guarantees: a pure function of its input (deterministic; no clock, no
// random draw); O(n log n) in the log and truth sizes; never throws on a
// malformed log (a malformed log fails properties, with witnesses).
#pragma once

#include "analysis/alert_parity.hpp"
#include "analysis/reconciliation_input.hpp"
#include "analysis/reconciliation_verdict.hpp"

namespace twinbed::analysis {

ReconciliationVerdicts check_reconciliation(const ReconciliationInput& input);

/// R12 from the comparison of the run's alert raises with those of the
/// true-order replay (analysis/alert_parity.hpp): pass when the pipeline
/// caused none; each raise it caused, and each it lost, is a witness.
void judge_alert_parity(ReconciliationVerdicts& verdicts, const AlertParity& parity, double match_window_s,
                        std::uint64_t max_witnesses = 5);

/// One line per property, for a terminal: "R3  pass  per-source order  inversions=0 ...".
std::string reconciliation_summary(const ReconciliationVerdicts& verdicts);

}  // namespace twinbed::analysis
