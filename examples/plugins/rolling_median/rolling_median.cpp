// rolling_median: an example pipeline plugin (docs/plugins.md), written only
// against pipeline/plugin_abi.h and its helper pipeline/plugin_helper.hpp.
//
// What it guarantees, per sensor:
//  - each reading counts once: a copy of a (device, boot, seq) already seen is
//    dropped (duplicates_dropped);
//  - a reading the device flagged, a non-finite one, or one outside the
//    registry's range widened by `range_tolerance` of its span, is rejected
//    and counted by reason;
//  - a baseline — the median and the MAD of the last `baseline_samples`
//    accepted readings, refreshed every `refresh_samples` and frozen while an
//    alert is open — scales a robust z-score: z = (m - median) / (1.4826 MAD),
//    where m is the median of the last `window` readings. An isolated spike
//    (fewer than half the window) never moves m: it is counted
//    (spikes_ignored) and raises nothing;
//  - a process alert rises when |z| >= z_raise (critical from 2 z_raise) and
//    clears when |z| < z_clear, each on the reading that decided it.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "pipeline/plugin_helper.hpp"

namespace {

struct Settings {
  int window = 9;                     ///< readings in the rolling median (odd)
  int baseline_samples = 900;         ///< readings the baseline is learnt from
  int refresh_samples = 60;           ///< readings between two baseline refreshes
  double z_raise = 6.0;               ///< |z| that raises an alert
  double z_clear = 3.0;               ///< |z| below which it clears
  double range_tolerance = 0.05;      ///< of the range's span, beyond which a reading is rejected
  double min_scale_fraction = 0.002;  ///< floor of the scale, as a fraction of the range's span
};

Settings parse(std::string_view text) {
  const nlohmann::json j = nlohmann::json::parse(text);  // throws: the helper reports it
  if (!j.is_object()) throw std::invalid_argument("the configuration must be a JSON object");
  Settings s;
  for (const auto& [key, v] : j.items()) {
    if (!v.is_number())
      throw std::invalid_argument("config." + key + ": expected a number, found " + v.dump());
    const double x = v.get<double>();
    if (key == "window")
      s.window = static_cast<int>(x);
    else if (key == "baseline_samples")
      s.baseline_samples = static_cast<int>(x);
    else if (key == "refresh_samples")
      s.refresh_samples = static_cast<int>(x);
    else if (key == "z_raise")
      s.z_raise = x;
    else if (key == "z_clear")
      s.z_clear = x;
    else if (key == "range_tolerance")
      s.range_tolerance = x;
    else if (key == "min_scale_fraction")
      s.min_scale_fraction = x;
    else
      throw std::invalid_argument("config." + key + ": unknown key");
  }
  if (s.window < 1 || s.window % 2 == 0)
    throw std::invalid_argument("config.window: expected an odd count >= 1");
  if (s.baseline_samples < s.window)
    throw std::invalid_argument("config.baseline_samples: expected >= window");
  if (s.refresh_samples < 1) throw std::invalid_argument("config.refresh_samples: expected >= 1");
  if (!(s.z_clear > 0 && s.z_clear <= s.z_raise))
    throw std::invalid_argument("config.z_clear: expected 0 < z_clear <= z_raise");
  return s;
}

double median_of(std::vector<double>& v) {
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

class RollingMedian final : public twinbed::plugin::Pipeline {
 public:
  explicit RollingMedian(std::string_view config) : s_(parse(config)) {}

  void configure(const twinbed_registry& registry) override {
    sensors_.assign(registry.sensor_count, {});
    for (std::uint32_t i = 0; i < registry.sensor_count; ++i) {
      const twinbed_sensor_info& info = registry.sensors[i];
      const double span = info.range_hi - info.range_lo;
      sensors_[i].lo = info.range_lo - s_.range_tolerance * span;
      sensors_[i].hi = info.range_hi + s_.range_tolerance * span;
      sensors_[i].min_scale = std::max(s_.min_scale_fraction * span, 1e-12);
    }
  }

  void ingest(const twinbed_message_info& /*message*/, std::span<const twinbed_record> records,
              double /*ingest_time_s*/, const twinbed::plugin::AlertSink& alerts) override {
    for (const twinbed_record& r : records) {
      ++records_in_;
      if (r.sensor >= sensors_.size()) {
        ++rejected_unknown_sensor_;
        continue;
      }
      if (!seen_.insert({r.device, r.boot, r.seq}).second) {
        ++duplicates_dropped_;
        continue;
      }
      Sensor& s = sensors_[r.sensor];
      if (r.status != TWINBED_STATUS_GOOD) {
        ++rejected_device_flagged_;
        continue;
      }
      if (!std::isfinite(r.value)) {
        ++rejected_not_finite_;
        continue;
      }
      if (r.value < s.lo || r.value > s.hi) {
        ++rejected_out_of_range_;
        continue;
      }
      ++accepted_;
      detect(s, r, alerts);
    }
  }

  void finish(double /*end_time_s*/, const twinbed::plugin::AlertSink& /*alerts*/) override {}

  twinbed::plugin::Counters counters() const override {
    return {{"records_in", records_in_},
            {"duplicates_dropped", duplicates_dropped_},
            {"accepted", accepted_},
            {"rejected.device_flagged", rejected_device_flagged_},
            {"rejected.not_finite", rejected_not_finite_},
            {"rejected.out_of_range", rejected_out_of_range_},
            {"rejected.unknown_sensor", rejected_unknown_sensor_},
            {"spikes_ignored", spikes_ignored_},
            {"baseline_refreshes", baseline_refreshes_},
            {"alerts_raised", alerts_raised_},
            {"alerts_cleared", alerts_cleared_}};
  }

 private:
  struct Sensor {
    double lo = 0, hi = 0, min_scale = 0;
    std::deque<double> history;  ///< the last baseline_samples accepted readings
    std::deque<double> recent;   ///< the last `window` of them
    bool has_baseline = false;
    double center = 0, scale = 1;
    int since_refresh = 0;
    bool raised = false;
  };

  void detect(Sensor& s, const twinbed_record& r, const twinbed::plugin::AlertSink& alerts) {
    s.recent.push_back(r.value);
    if (s.recent.size() > static_cast<std::size_t>(s_.window)) s.recent.pop_front();
    if (!s.raised) {  // the baseline learns only from a plant believed normal
      s.history.push_back(r.value);
      if (s.history.size() > static_cast<std::size_t>(s_.baseline_samples)) s.history.pop_front();
      if (s.history.size() == static_cast<std::size_t>(s_.baseline_samples) &&
          (!s.has_baseline || ++s.since_refresh >= s_.refresh_samples))
        refresh(s);
    }
    if (!s.has_baseline || s.recent.size() < static_cast<std::size_t>(s_.window)) return;
    scratch_.assign(s.recent.begin(), s.recent.end());
    const double z = (median_of(scratch_) - s.center) / s.scale;
    const double z_one = (r.value - s.center) / s.scale;
    if (!s.raised && std::abs(z) >= s_.z_raise) {
      s.raised = true;
      ++alerts_raised_;
      alerts.emit(alert(r, TWINBED_ALERT_RAISE, z));
    } else if (s.raised && std::abs(z) < s_.z_clear) {
      s.raised = false;
      ++alerts_cleared_;
      alerts.emit(alert(r, TWINBED_ALERT_CLEAR, z));
    } else if (!s.raised && std::abs(z_one) >= s_.z_raise) {
      ++spikes_ignored_;  // this reading alone would have raised; the median did not move
    }
  }

  void refresh(Sensor& s) {
    scratch_.assign(s.history.begin(), s.history.end());
    s.center = median_of(scratch_);
    for (double& x : scratch_) x = std::abs(x - s.center);
    s.scale = std::max(1.4826 * median_of(scratch_), s.min_scale);
    s.has_baseline = true;
    s.since_refresh = 0;
    ++baseline_refreshes_;
  }

  twinbed_alert alert(const twinbed_record& r, std::uint8_t transition, double z) const {
    twinbed_alert a{};
    a.sensor = r.sensor;
    a.transition = transition;
    a.severity = std::abs(z) >= 2 * s_.z_raise ? TWINBED_SEVERITY_CRITICAL : TWINBED_SEVERITY_WARNING;
    a.kind = TWINBED_KIND_PROCESS;
    a.device = r.device;
    a.boot = r.boot;
    a.seq = r.seq;
    a.device_time_s = r.device_time_s;
    a.score = std::abs(z);
    return a;
  }

  Settings s_;
  std::vector<Sensor> sensors_;
  std::set<std::tuple<std::uint32_t, std::uint32_t, std::uint64_t>> seen_;  ///< (device, boot, seq)
  std::vector<double> scratch_;
  std::uint64_t records_in_ = 0, duplicates_dropped_ = 0, accepted_ = 0, rejected_device_flagged_ = 0,
                rejected_not_finite_ = 0, rejected_out_of_range_ = 0, rejected_unknown_sensor_ = 0,
                spikes_ignored_ = 0, baseline_refreshes_ = 0, alerts_raised_ = 0, alerts_cleared_ = 0;
};

}  // namespace

TWINBED_EXPORT_PIPELINE(RollingMedian, "rolling_median")
