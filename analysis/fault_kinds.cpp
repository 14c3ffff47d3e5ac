#include "analysis/fault_kinds.hpp"

#include <algorithm>

namespace twinbed::analysis {

const std::vector<std::string>& sensor_label_kinds() {
  static const std::vector<std::string> kinds = {"offset",
                                                 "gain",
                                                 "drift",
                                                 "random_walk_drift",
                                                 "gauss_markov_drift",
                                                 "high_noise",
                                                 "impulsive_noise",
                                                 "emi_spike",
                                                 "emi_burst",
                                                 "current_loop_failure",
                                                 "quantisation",
                                                 "saturation",
                                                 "stuck_at",
                                                 "sentinel",
                                                 "firmware_code_mapping",
                                                 "dropout",
                                                 "corruption",
                                                 "schema_change"};
  return kinds;
}

const std::vector<std::string>& attribution_causes() {
  static const std::vector<std::string> causes = [] {
    std::vector<std::string> c = sensor_label_kinds();
    c.insert(c.end(), {"outage",
                       "partition",
                       "delay",
                       "rate_limit",
                       "clock_step",
                       "clock_sync_step",
                       "clock_sync_refused",
                       "timestamp_null",
                       "timestamp_future",
                       "timestamp_timezone",
                       "clock_reset",
                       "reboot",
                       "brownout",
                       "ota_update",
                       "storage_full",
                       "interlock_stop",
                       "operator_stop",
                       "pause",
                       "load_change",
                       "spoof",
                       "replay",
                       "tamper",
                       "none"});
    return c;
  }();
  return causes;
}

bool is_attribution_cause(const std::string& kind) {
  const auto& c = attribution_causes();
  return kind != "none" && std::find(c.begin(), c.end(), kind) != c.end();
}

}  // namespace twinbed::analysis
