// Loading a predictive-maintenance study file (docs/pdm.md): every problem
// reported with file, JSON path, expected and found, unknown keys included.
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/json_reader.hpp"
#include "sim/law_reader.hpp"
#include "sim/pdm_study.hpp"
#include "sim/scenario.hpp"

namespace twinbed::sim::pdm {

namespace {

constexpr double kDay_s = 86400.0, kHour_s = 3600.0;

/// The same law on a scale `factor` times larger (days to seconds).
faults::Law scaled(faults::Law law, double factor) {
  using faults::LawKind;
  law.a *= factor;
  if (law.kind == LawKind::kUniform || law.kind == LawKind::kNormal) law.b *= factor;
  return law;
}

std::pair<double, double> default_range(const std::string& signal) {
  if (signal == "vibration_rms") return {0.0, 50.0};
  if (signal == "bearing_temp") return {-20.0, 150.0};
  if (signal == "motor_current") return {0.0, 60.0};
  return {0.0, 200.0};  // flow
}

struct StudyLoader {
  Diagnostics& diag;
  StudySpec& s;

  void read_fleet(Node& root) {
    if (!root.has("fleet")) {
      diag.error("$.fleet", "an object", "nothing (the key is required)");
      return;
    }
    Node f = root.child("fleet");
    if (!f.expect_object()) return;
    s.units = static_cast<int>(f.number_required("units", Range::count(1, 100000)).value_or(1));
    s.history_s = f.number_required("history_days", {1.0, 3650.0, false, false}).value_or(1.0) * kDay_s;
    if (f.has("degradation")) {
      Node d = f.child("degradation");
      if (d.expect_object()) {
        s.degradation_probability = d.number_required("probability", Range::probability()).value_or(0.0);
        s.onset_s = scaled(read_law(d, "onset_days", Range::non_negative(), true), kDay_s);
        s.time_to_failure_s = scaled(read_law(d, "time_to_failure_days", Range::positive(), true), kDay_s);
        s.initial_wear = read_law(d, "initial_wear", {0.0, 1.0, true, false}, false);
        if (!d.has("initial_wear")) s.initial_wear = faults::Law::fixed(0.02);
        d.finish();
      }
    } else {
      diag.error("$.fleet.degradation", "an object", "nothing (the key is required)");
    }
    if (f.has("params")) {
      Node p = f.child("params");
      if (p.expect_object()) {
        for (const auto& [name, member] : pump_param_fields())
          if (p.has(name)) s.params.emplace_back(name, read_law(p, name, Range::non_negative(), true));
        p.finish();
      }
    }
    read_faults(f);
    f.finish();
  }

  void read_faults(Node& f) {
    std::set<std::string> ids;
    for (Node n : f.array("sensor_faults", false)) {
      if (!n.expect_object()) continue;
      FaultSpec x;
      x.id = n.string_required("id").value_or("");
      if (!x.id.empty() && !ids.insert(x.id).second)
        diag.error(n.path() + ".id", "an id no other sensor fault has", "\"" + x.id + "\" again");
      x.kind = n.choice("kind", {"drift", "random_walk_drift", "emi_spikes"}, "");
      if (!n.has("kind"))
        diag.error(n.path() + ".kind", "\"drift\", \"random_walk_drift\" or \"emi_spikes\"",
                   "nothing (the key is required)");
      x.signal = n.string_required("signal").value_or("");
      x.fraction = n.number_required("fraction", Range::probability()).value_or(0.0);
      x.start_s = scaled(read_law(n, "start_days", Range::non_negative(), false), kDay_s);
      if (n.has("duration_days"))
        x.duration_s = scaled(read_law(n, "duration_days", Range::positive(), true), kDay_s);
      if (x.kind == "drift") {
        x.rate_per_day = read_law(n, "rate_per_day", Range::any(), true);
      } else if (x.kind == "random_walk_drift") {
        x.sigma_per_sqrt_hour = n.number_required("sigma_per_sqrt_hour", Range::non_negative()).value_or(0.0);
      } else if (x.kind == "emi_spikes") {
        x.rate_per_hour = n.number_required("rate_per_hour", Range::up_to(1e6)).value_or(0.0);
        x.amplitude = read_law(n, "amplitude", Range::positive(), true);
        x.width_samples = static_cast<int>(n.number("width_samples", 1, Range::count(1, 1e6)));
      }
      n.finish();
      s.faults.push_back(x);
    }
  }

  void read_sensors(Node& root) {
    if (!root.has("sensors")) {
      diag.error("$.sensors", "an object", "nothing (the key is required)");
      return;
    }
    Node n = root.child("sensors");
    if (!n.expect_object()) return;
    s.sample_period_s = n.number_required("sample_period_s", {1.0, 86400.0, false, false}).value_or(600.0);
    s.reference = n.choice("reference", {"flow", "motor_current"}, "flow");
    std::set<std::string> seen;
    for (Node c : n.array("signals", true)) {
      if (!c.expect_object()) continue;
      SensorSpec x;
      x.signal = c.choice("signal", {"vibration_rms", "bearing_temp", "motor_current", "flow"}, "");
      if (!c.has("signal"))
        diag.error(c.path() + ".signal", "a pump signal", "nothing (the key is required)");
      devices::parse_pump_signal(x.signal, x.kind);
      if (!x.signal.empty() && !seen.insert(x.signal).second)
        diag.error(c.path() + ".signal", "a signal no other sensor measures", "\"" + x.signal + "\" again");
      x.noise_std = c.number("noise_std", 0.0, Range::non_negative());
      x.resolution = c.number("resolution", 0.0, Range::non_negative());
      const auto [lo, hi] = default_range(x.signal);
      x.range_lo = c.number("range_lo", lo);
      x.range_hi = c.number("range_hi", hi);
      if (x.range_hi <= x.range_lo)
        diag.error(c.path() + ".range_hi", "a number above range_lo", describe(json(x.range_hi)));
      c.finish();
      s.sensors.push_back(x);
    }
    n.finish();
    if (!seen.empty() && !seen.count(s.reference))
      diag.error("$.sensors.signals", "a sensor measuring the reference \"" + s.reference + "\"",
                 "none among " + std::to_string(seen.size()) + " sensors");
    if (!seen.empty() && seen.size() < 2)
      diag.error("$.sensors.signals", "the reference and at least one health signal", "only one sensor");
  }

  /// Feature names the study's sensors give (pipeline/pdm/window_features.hpp).
  std::vector<std::string> feature_names() const {
    std::vector<std::string> health;
    for (const SensorSpec& x : s.sensors)
      if (x.signal != s.reference) health.push_back(x.signal);
    return pipeline::pdm::feature_names(health, s.reference);
  }

  void read_model(Node& root) {
    if (root.has("features")) {
      Node n = root.child("features");
      if (n.expect_object()) {
        auto& o = s.features;
        o.window_s = n.number("window_h", o.window_s / kHour_s, {0.01, 24.0 * 365, false, false}) * kHour_s;
        o.step_s = n.number("step_h", o.step_s / kHour_s, {0.01, 24.0 * 365, false, false}) * kHour_s;
        o.baseline_s = n.number("baseline_days", o.baseline_s / kDay_s, {0.0, 3650.0, false, false}) * kDay_s;
        o.ewma_alpha = n.number("ewma_alpha", o.ewma_alpha, {0.0, 1.0, true, false});
        o.min_samples = static_cast<int>(n.number("min_samples", o.min_samples, Range::count(2, 1e7)));
        n.finish();
      }
    }
    if (s.features.window_s < s.sample_period_s * s.features.min_samples)
      diag.error("$.features.window_h", "a window holding at least min_samples samples of sample_period_s",
                 describe(json(s.features.window_s / kHour_s)));
    if (s.features.baseline_s + s.features.window_s >= s.history_s)
      diag.error("$.features.baseline_days", "a baseline and a window shorter than the history",
                 describe(json(s.features.baseline_s / kDay_s)));
    const std::vector<std::string> names = feature_names();
    if (!root.has("model")) {
      diag.error("$.model", "an object", "nothing (the key is required)");
      return;
    }
    Node n = root.child("model");
    if (!n.expect_object()) return;
    s.horizon_s = n.number_required("horizon_days", {0.01, 3650.0, false, false}).value_or(7.0) * kDay_s;
    s.logistic.l2 = n.number("l2", s.logistic.l2, Range::up_to(1e6));
    s.logistic.max_iterations =
        static_cast<int>(n.number("max_iterations", s.logistic.max_iterations, Range::count(1, 1000)));
    s.logistic.tolerance = n.number("tolerance", s.logistic.tolerance, {0.0, 1.0, true, false});
    auto known = [&](const Node& at, const std::string& name) {
      if (std::find(names.begin(), names.end(), name) != names.end()) return true;
      std::string list;
      for (const auto& x : names) list += (list.empty() ? "" : ", ") + x;
      diag.error(at.path(), "a feature of the study's sensors (" + list + ")", "\"" + name + "\"");
      return false;
    };
    for (Node c : n.array("features", false)) {
      if (!c.value().is_string()) {
        diag.error(c.path(), "a feature name", describe(c.value()));
        continue;
      }
      const std::string name = c.value().get<std::string>();
      if (known(c, name)) s.model_features.push_back(name);
    }
    if (n.has("features") && s.model_features.empty() && n.value().at("features").is_array())
      diag.error(n.path() + ".features", "at least one feature", "an empty array");
    s.baseline_feature = n.string("baseline_feature", s.baseline_feature);
    if (n.has("baseline_feature")) {
      Node b = n.child("baseline_feature");
      known(b, s.baseline_feature);
    } else if (std::find(names.begin(), names.end(), s.baseline_feature) == names.end() && !names.empty()) {
      diag.error(n.path() + ".baseline_feature", "a feature (the default needs a vibration_rms sensor)",
                 "nothing");
    }
    n.finish();
  }

  void read_split_decision(Node& root) {
    if (root.has("split")) {
      Node n = root.child("split");
      if (n.expect_object()) {
        s.train_fraction = n.number("train", s.train_fraction, {0.0, 1.0, true, false});
        s.validation_fraction = n.number("validation", s.validation_fraction, {0.0, 1.0, true, false});
        if (s.train_fraction + s.validation_fraction >= 1.0)
          diag.error(n.path(), "train + validation < 1 (the rest is the held-out test)",
                     describe(json(s.train_fraction + s.validation_fraction)));
        n.finish();
      }
    }
    if (root.has("decision")) {
      Node n = root.child("decision");
      if (n.expect_object()) {
        s.consecutive_windows =
            static_cast<int>(n.number("consecutive_windows", s.consecutive_windows, Range::count(1, 10000)));
        s.holdoff_s = n.number("holdoff_h", s.holdoff_s / kHour_s, Range::up_to(24.0 * 3650)) * kHour_s;
        s.max_false_stops_per_unit_year =
            n.number("max_false_stops_per_unit_year", s.max_false_stops_per_unit_year, Range::up_to(1e6));
        s.threshold_rule = n.choice("threshold_rule", {"most_sensitive", "fewest_false_stops"},
                                    "most_sensitive") == "fewest_false_stops"
                               ? analysis::pdm::ThresholdRule::kFewestFalseStops
                               : analysis::pdm::ThresholdRule::kMostSensitive;
        n.finish();
      }
    }
  }

  void read_expect(Node& root) {
    if (!root.has("expect")) return;
    Node n = root.child("expect");
    if (!n.expect_object()) return;
    const auto& names = pdm_metric_names();
    for (const auto& item : n.value().items()) {
      const std::string p = n.path() + "." + item.key();
      if (std::find(names.begin(), names.end(), item.key()) == names.end()) {
        diag.error(p, "a figure of the study's report (see docs/pdm.md)", "\"" + item.key() + "\"");
        n.has(item.key());
        continue;
      }
      Node b = n.child(item.key());
      if (!b.expect_object()) continue;
      analysis::ExpectationBound e{item.key(), std::nullopt, std::nullopt};
      if (b.has("min")) e.min = b.number_required("min");
      if (b.has("max")) e.max = b.number_required("max");
      if (!e.min && !e.max) diag.error(p, "{\"min\": x} and/or {\"max\": y}", describe(b.value()));
      b.finish();
      s.expect.push_back(e);
    }
  }

  void check_fault_signals() {
    for (std::size_t i = 0; i < s.faults.size(); ++i) {
      const std::string& sig = s.faults[i].signal;
      if (sig.empty()) continue;
      if (std::none_of(s.sensors.begin(), s.sensors.end(),
                       [&](const SensorSpec& x) { return x.signal == sig; }))
        diag.error("$.fleet.sensor_faults[" + std::to_string(i) + "].signal",
                   "the signal of one of $.sensors.signals", "\"" + sig + "\"");
    }
  }
};

}  // namespace

const std::vector<std::pair<const char*, double devices::PumpParams::*>>& pump_param_fields() {
  using P = devices::PumpParams;
  static const std::vector<std::pair<const char*, double P::*>> fields = {
      {"load_mean", &P::load_mean},
      {"load_amplitude", &P::load_amplitude},
      {"load_period_s", &P::load_period_s},
      {"load_step_std", &P::load_step_std},
      {"load_step_interval_s", &P::load_step_interval_s},
      {"flow_rated_m3h", &P::flow_rated_m3h},
      {"current_no_load_a", &P::current_no_load_a},
      {"current_rated_a", &P::current_rated_a},
      {"friction_gain", &P::friction_gain},
      {"vibration_base_mm_s", &P::vibration_base_mm_s},
      {"vibration_wear_mm_s", &P::vibration_wear_mm_s},
      {"ambient_c", &P::ambient_c},
      {"temp_rise_load_c", &P::temp_rise_load_c},
      {"temp_rise_wear_c", &P::temp_rise_wear_c},
      {"cooling_tau_s", &P::cooling_tau_s}};
  return fields;
}

StudySpec parse_pdm_study(const std::string& text, const std::string& file,
                          std::optional<std::uint64_t> seed) {
  Diagnostics diag(file);
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    diag.error_message("$", "not valid JSON (" + std::string(e.what()) + ")");
    diag.throw_if_errors();
  }
  Node root(doc, "$", diag);
  if (!root.expect_object()) diag.throw_if_errors();
  StudySpec spec;
  spec.file = file;
  const auto version = root.number_required("twinbed", Range::count(1));
  if (version && *version != kScenarioFormatVersion)
    diag.error("$.twinbed", "format version " + std::to_string(kScenarioFormatVersion),
               describe(doc.at("twinbed")));
  root.choice("study", {"pdm"}, "");  // the only kind of study so far
  if (!root.has("study")) diag.error("$.study", "\"pdm\"", "nothing (the key is required)");
  spec.name = root.string("name", "");
  spec.description = root.string("description", "");
  spec.seed = static_cast<std::uint64_t>(root.number("seed", 1, {0, 9007199254740991.0, false, true}));
  if (seed) spec.seed = *seed;
  StudyLoader loader{diag, spec};
  loader.read_fleet(root);
  loader.read_sensors(root);
  loader.read_model(root);
  loader.read_split_decision(root);
  loader.read_expect(root);
  loader.check_fault_signals();
  root.finish();
  diag.throw_if_errors();
  return spec;
}

StudySpec load_pdm_study(const std::string& path, std::optional<std::uint64_t> seed) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError({path + ": cannot open the study file"});
  std::ostringstream text;
  text << in.rdbuf();
  return parse_pdm_study(text.str(), path, seed);
}

}  // namespace twinbed::sim::pdm
