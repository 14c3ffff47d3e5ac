// CloudLogTables: the primary pipeline's cloud log in the trace — the tables
// /cloud/view, /cloud/gaps, /cloud/windows and /cloud/state
// (docs/trace-format.md), one row per change, stamped with the cloud time it
// was drained at. The one definition of their columns: the world writes them
// during a run, the tests write hand-built logs with them, and
// analysis/trace_tables.cpp reads them by these names.
#pragma once

#include <memory>

#include "pipeline/cloud_log.hpp"
#include "sim/trace_writer.hpp"

namespace twinbed::sim {

class CloudLogTables {
 public:
  /// Creates the four tables (streamed, extendable) in `trace`.
  explicit CloudLogTables(TraceWriter& trace);

  void append(double cloud_time_s, const pipeline::ViewChange& c);
  void append(double cloud_time_s, const pipeline::GapMark& g);
  void append(double cloud_time_s, const pipeline::WindowResult& w);
  void append(double cloud_time_s, const pipeline::StateWrite& w);
  /// Every change of `log`, all stamped `cloud_time_s`.
  void append(double cloud_time_s, const pipeline::CloudLog& log);
  /// Writes the buffered rows (the destructor does too).
  void flush();

 private:
  std::unique_ptr<TraceTable> view_, gaps_, windows_, state_;
};

}  // namespace twinbed::sim
