// ReconciliationVerdicts: what the reconciliation checker decided about one
// run, one verdict per property R0–R12 (docs/reconciliation.md, "The checker
// (analysis side)").
//
// Guarantees: the properties come in order R0..R12, each with every metric
// its catalogue lists (reconciliation_metric_names(), in that order; a metric
// without a value is nullopt), so the report and `expect` see a fixed set of
// names. A verdict is kNotApplicable whenever the inputs the property needs
// are absent from the run or the trace: a property is never passed for lack
// of evidence. Witnesses are capped (kWitnessCap per property); the rest are
// counted in `witnesses_omitted`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace twinbed::analysis {

inline constexpr std::size_t kWitnessCap = 5;
inline constexpr std::size_t kWitnessFaultCap = 8;

enum class Verdict : std::uint8_t { kPass = 0, kFail = 1, kNotApplicable = 2 };
const char* verdict_name(Verdict v);

/// One event named by a witness: its identity and its four times.
struct WitnessEvent {
  std::uint32_t device = 0;
  std::uint32_t boot = 1;
  std::uint64_t seq = 0;
  std::optional<std::uint32_t> sensor;      ///< readings; unset for a device event
  std::optional<double> true_time_s;        ///< τ (unset: no such true event)
  std::optional<double> device_time_s;      ///< the timestamp the device wrote
  std::optional<double> reconciled_time_s;  ///< the event time the pipeline gave it
  std::optional<double> receipt_time_s;     ///< first arrival at the cloud (or its first insertion)
  std::optional<double> value, true_value;  ///< as held by the cloud, and as sent (truth)
};

/// A row of /truth/faults that explains a witness: overlapping the witnessed
/// events' interval [τ, receipt] and targeting their device, one of its
/// sensors, or no device at all (a gateway, the broker, the cloud: site-wide).
struct WitnessFault {
  std::string fault_id, kind, target;
  double start_s = 0, end_s = 0;
};

struct Witness {
  std::string what;                    ///< one line: what is wrong
  std::optional<double> cloud_time_s;  ///< the log prefix (cloud time) at which it was seen
  std::vector<WitnessEvent> events;
  std::vector<WitnessFault> faults;
  std::uint64_t faults_omitted = 0;
};

struct PropertyVerdict {
  std::string id;      ///< "R0" .. "R12"
  std::string title;   ///< a few words
  bool safety = true;  ///< false: liveness, judged after the quiet period
  Verdict verdict = Verdict::kNotApplicable;
  std::string note;  ///< why not applicable, or what was not judged
  std::vector<std::pair<std::string, std::optional<double>>> metrics;
  /// Safety: the first cloud time at which a violation was in the log prefix.
  std::optional<double> first_violation_cloud_time_s;
  std::vector<Witness> witnesses;
  std::uint64_t witnesses_omitted = 0;
};

struct ReconciliationVerdicts {
  std::vector<PropertyVerdict> properties;  ///< R0..R12, in order
  std::optional<double> quiet_from_s;
  bool any_fail() const {
    for (const auto& p : properties)
      if (p.verdict == Verdict::kFail) return true;
    return false;
  }
};

/// The metric names of property `id` ("R0".."R12"), without the "pass" figure,
/// in report order. Empty for an unknown id.
const std::vector<std::string>& reconciliation_metric_names(const std::string& id);
/// Every figure name the report can hold: "reconciliation.<id>.pass" and
/// "reconciliation.<id>.<metric>".
const std::vector<std::string>& reconciliation_figure_names();

}  // namespace twinbed::analysis
