// Trace tables: reads from trace.h5 (docs/trace-format.md) what the
// reconciliation checker judges — the ground-truth tables and the cloud log.
//
// Guarantees: a table the file does not hold is "not available" (nullopt in
// ReconciliationInput), a column it does not hold takes its documented default
// (boot ⇒ 1); nothing is guessed beyond that. A file that cannot be opened, a
// table whose columns differ in length, a column of the wrong rank or an
// unreadable dataset throws TraceReadError naming the file and the dataset.
// Uses the HDF5 C API; keeps HDF5's own error printing quiet while it reads.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "analysis/reconciliation_input.hpp"

namespace twinbed::analysis {

class TraceReadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The trace's root attribute that holds the scenario's quiet period
/// (`reconciliation_check.quiet_from_s`), when it declares one.
inline constexpr const char* kQuietFromAttribute = "reconciliation_quiet_from_s";
/// Root attributes of R10's declared options (`reconciliation_check.drain_overhead`,
/// `reconciliation_check.live_latency_slo_s`), when the scenario declares them.
inline constexpr const char* kDrainOverheadAttribute = "reconciliation_drain_overhead";
inline constexpr const char* kLiveLatencySloAttribute = "reconciliation_live_latency_slo_s";

/// Reads `path`. `quiet_from_s`, when set, replaces the trace's attribute.
ReconciliationInput read_reconciliation_input(const std::string& path,
                                              std::optional<double> quiet_from_s = std::nullopt);

}  // namespace twinbed::analysis
