// The names of every figure a report can hold (see docs/metrics.md).
// Scenario validation uses it to reject a typo in `expect` before a run; the
// report writer asserts that it only emits names listed here.
#pragma once

#include <string>
#include <vector>

namespace twinbed::analysis {

/// Exact metric names.
const std::vector<std::string>& metric_names();
/// Families whose last component is open ("pipeline.", "false_positives.attributed.").
const std::vector<std::string>& metric_families();
bool is_known_metric(const std::string& name);

}  // namespace twinbed::analysis
