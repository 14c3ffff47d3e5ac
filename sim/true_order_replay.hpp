// TrueOrderReplay: the reference side of property R12 (analysis/alert_parity.hpp).
//
// A fresh instance of the primary pipeline is fed the physical history: the
// genuine measurements the cloud received, each once, in true-time order,
// stamped with their true time, one record per message, ingested at its true
// time. Each device's readings are renumbered boot 1, seq 0, 1, ... in that
// order, so the pipeline's de-duplication and order checks see a clean
// stream (the run's own identity faults are not the reference's). Fault-coded
// values (sentinels, mapped codes, NaN) are left out by the caller: they are
// not measurements. The result is the pipeline's alert raises on that
// history, as episodes open them (a raise on a sensor whose process alert is
// open does not count again).
//
// Guarantee: deterministic — the order is (true time, device, sensor), the
// input's order does not matter.
#pragma once

#include <span>
#include <vector>

#include "analysis/alert_parity.hpp"
#include "pipeline/cloud_pipeline.hpp"

namespace twinbed::sim {

struct ReplayReading {
  pipeline::Record record;  ///< as received (its value and sensor are used; identity and time are replaced)
  double true_time_s = 0;
};

/// `fresh` is configured and has seen nothing; `fields_by_device[d]` is what
/// device d's messages declare.
std::vector<analysis::RaiseRef> replay_in_true_order(
    pipeline::CloudPipeline& fresh, std::vector<ReplayReading> readings,
    std::span<const std::vector<pipeline::FieldDecl>> fields_by_device);

}  // namespace twinbed::sim
