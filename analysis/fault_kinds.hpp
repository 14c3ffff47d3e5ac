// Fault label kinds as the trace and the report know them (docs/faults.md).
//
// A label's kind says what kind of target it applies to, and so where
// attribution looks for it: sensor labels on the alarm's sensor, device
// labels (outage, packet_loss) on its device, asset labels (load_change) on
// its asset. Every label kind that can explain a false alarm is an
// attribution cause, plus "none".
#pragma once

#include <string>
#include <vector>

namespace twinbed::analysis {

/// Kinds of labels on a sensor ("device/sensor"): the value faults.
const std::vector<std::string>& sensor_label_kinds();
/// Every attribution cause, in report order. Labels of other kinds (packet
/// loss, duplication, broker and cloud faults) explain no false alarm.
const std::vector<std::string>& attribution_causes();
bool is_attribution_cause(const std::string& kind);

}  // namespace twinbed::analysis
