// World: one simulated run of a scenario on SimGrid.
//
// run_world() builds the topology graph, the SimGrid platform and the actors
// (one per device, plus broker, cloud and a progress reporter), runs the
// simulation to the scenario's duration, writes the trace, and returns the
// RunData that analysis scores. The pipeline under test runs for real at the
// cloud host; its CPU cost is charged to that host.
//
// Precondition: called at most once per process (SimGrid keeps one engine).
// Errors: std::runtime_error for I/O failures, std::logic_error when an
// internal invariant (e.g. exact sample accounting) is violated.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "analysis/trace_schema.hpp"
#include "pipeline/cloud_pipeline.hpp"
#include "sim/scenario.hpp"

namespace twinbed::sim {

struct RunOptions {
  std::string out_dir;         ///< trace.h5 goes here; empty: no trace
  bool show_progress = false;  ///< print progress to standard error
  /// Tests only: builds the primary pipeline instead of the scenario's (e.g. one that keeps a cloud log).
  std::function<std::unique_ptr<pipeline::CloudPipeline>()> primary_pipeline;
};

analysis::RunData run_world(const Scenario& scenario, const RunOptions& options);

}  // namespace twinbed::sim
