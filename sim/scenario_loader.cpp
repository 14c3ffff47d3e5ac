// Scenario loading: schema checks, template expansion, reference resolution.
#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "analysis/metric_catalog.hpp"
#include "analysis/tep_validation.hpp"
#include "analysis/trace_schema.hpp"
#include "faults/random_stream.hpp"
#include "pipeline/vibration_features.hpp"
#include "sim/law_reader.hpp"
#include "sim/plugin_pipeline.hpp"
#include "sim/scenario.hpp"

namespace twinbed::sim {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kMaxCount = 1e6;          ///< entries one template may expand to
constexpr std::size_t kMaxIdLength = 128;  ///< characters in an id or an id pattern
constexpr double kMaxDuration_s = 1e8;     ///< about three years of simulated time

/// Ids are names, not patterns: no glob or template characters, no '/' (it
/// separates device and sensor in fault targets), no spaces.
bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  for (unsigned char c : id)
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':' || c == '@' || c == '+'))
      return false;
  return true;
}
const char* kIdRule = "an id of letters, digits and - _ . : @ + (at most 128 characters)";

bool glob_match(const std::string& pattern, const std::string& text) {
  return fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

LinkSpec read_link(Node& parent, const std::string& key, LinkSpec fallback) {
  if (!parent.has(key)) return fallback;
  Node n = parent.child(key);
  if (!n.expect_object()) return fallback;
  LinkSpec link;
  link.bandwidth_bps = n.number("bandwidth_bps", fallback.bandwidth_bps, {1.0, 1e12, false, false});
  link.latency_s = n.number("latency_s", fallback.latency_s, Range::up_to(3600.0));
  n.finish();
  return link;
}

/// A number, or [lo, hi] from which each entity draws uniformly from its own stream.
struct Drawable {
  double lo = kInf, hi = kInf;
  bool present = false;
  double draw(std::uint64_t seed, const std::string& entity, const std::string& purpose) const {
    if (lo == hi) return lo;
    faults::RandomStream s(seed, entity, purpose);
    return s.uniform(lo, hi);
  }
};

Drawable read_drawable(Node& n, const std::string& key, Range range) {
  Drawable d;
  if (!n.has(key)) return d;
  const json& v = n.value().at(key);
  const std::string p = n.path() + "." + key;
  if (v.is_array()) {
    auto in_range = [&](double x) {
      return (!range.min || (range.min_exclusive ? x > *range.min : x >= *range.min)) &&
             (!range.max || x <= *range.max);
    };
    if (v.size() != 2 || !v[0].is_number() || !v[1].is_number() || v[0].get<double>() > v[1].get<double>() ||
        !in_range(v[0].get<double>()) || !in_range(v[1].get<double>())) {
      n.diag().error(p, "a number or [lo, hi] with lo <= hi, each " + range.describe(), describe(v));
      return d;
    }
    d.lo = v[0].get<double>();
    d.hi = v[1].get<double>();
    d.present = true;
    return d;
  }
  if (auto x = n.number_required(key, range)) {
    d.lo = d.hi = *x;
    d.present = true;
  }
  return d;
}

struct Loader {
  Diagnostics& diag;
  Scenario sc;

  /// Expands a templated entry. Returns (index, id) pairs; i = 0 for an untemplated entry.
  std::vector<std::pair<long, std::string>> expand(Node& n) {
    std::vector<std::pair<long, std::string>> out;
    auto id = n.string_required("id");
    if (id && id->size() > kMaxIdLength) {
      n.diag().error(n.path() + ".id", kIdRule, describe(n.value().at("id")));
      return {};
    }
    const long count = static_cast<long>(n.number("count", 1, Range::count(1, kMaxCount)));
    if (!id) return out;
    const bool templated = id->find('{') != std::string::npos;
    if (count > 1 && !templated) {
      diag.error(n.path() + ".id", "an id pattern with {i} because count is " + std::to_string(count),
                 describe(n.value().at("id")));
      return out;
    }
    if (!templated) {
      if (!valid_id(*id)) n.diag().error(n.path() + ".id", kIdRule, describe(n.value().at("id")));
      return {{0, *id}};
    }
    for (long i = 1; i <= count; ++i) {
      auto e = expand_id(*id, i);
      if (!e || !valid_id(*e)) {
        diag.error(n.path() + ".id",
                   "a pattern like \"pump-{i}\", \"pump-{i:03}\" or \"dev-{i/10}\" that expands to " +
                       std::string(kIdRule),
                   describe(n.value().at("id")));
        return {};
      }
      out.emplace_back(i, *e);
    }
    return out;
  }

  /// Substitutes {i...} in a reference inside a template.
  std::string resolve_ref(const std::string& ref, long i, const std::string& path) {
    if (ref.find('{') == std::string::npos) return ref;
    if (i == 0) {
      diag.error(path, "a plain id (this entry has no count/{i} template)", "string \"" + ref + "\"");
      return ref;
    }
    auto e = expand_id(ref, i);
    if (!e) diag.error(path, "a reference pattern like \"pump-{i}\"", "string \"" + ref + "\"");
    return e.value_or(ref);
  }

  /// The file a scenario names, relative to the scenario file's folder.
  std::string beside_scenario(const std::string& path) const {
    const std::filesystem::path p(path);
    if (p.is_absolute()) return path;
    return (std::filesystem::path(sc.file).parent_path() / p).lexically_normal().string();
  }

  /// A recorded-data asset's keys (docs/scenario-format.md), and its table,
  /// read here so that a bad recording is a scenario error before anything runs.
  std::optional<RecordedAssetSpec> read_recorded_asset(Node& n) {
    RecordedAssetSpec r;
    const std::string interpolation = n.choice("interpolation", {"hold", "linear"}, "hold");
    r.playback.interpolation =
        interpolation == "linear" ? devices::Interpolation::kLinear : devices::Interpolation::kHold;
    r.playback.end = n.choice("end", {"hold_last", "stop"}, "hold_last") == "stop"
                         ? devices::PastEnd::kStop
                         : devices::PastEnd::kHoldLast;
    r.playback.time_offset_s =
        n.number("time_offset_s", 0.0, {-kMaxDuration_s, kMaxDuration_s, false, false});
    for (Node i : n.array("incidents", false)) {
      if (!i.expect_object()) continue;
      RecordedIncidentSpec inc;
      inc.id = i.string_required("id").value_or("");
      if (i.has("id") && !valid_id(inc.id))
        diag.error(i.path() + ".id", kIdRule, describe(i.value().at("id")));
      inc.from_s = i.number_required("from_s", {-kMaxDuration_s, kMaxDuration_s, false, false}).value_or(0.0);
      if (i.has("to_s")) {
        inc.to_s = i.number("to_s", 0.0, {-kMaxDuration_s, kMaxDuration_s, false, false});
        if (*inc.to_s <= inc.from_s)
          diag.error(i.path() + ".to_s", "a time after from_s (" + std::to_string(inc.from_s) + ")",
                     describe(i.value().at("to_s")));
      }
      i.finish();
      r.incidents.push_back(inc);
    }
    if (!n.has("source")) {
      diag.error(n.path() + ".source", "the recording (an object with format and path)",
                 "nothing (the key is required for model \"recorded\")");
      return r;
    }
    Node s = n.child("source");
    if (!s.expect_object()) return r;
    RecordedSourceSpec& src = r.source;
    const bool has_format = s.has("format");
    src.format = s.choice("format", {"csv", "hdf5", "tep"}, "");
    if (!has_format)
      diag.error(s.path() + ".format", "one of csv, hdf5, tep", "nothing (the key is required)");
    const auto path = s.string_required("path");
    const bool period_given = s.has("period_s");
    if (period_given) src.period_s = s.number("period_s", 1.0, Range::period());
    bool time_given = false;
    if (src.format == "csv") {
      src.time_column = s.string("time_column", "");
      time_given = s.has("time_column");
    } else if (src.format == "hdf5") {
      src.time_dataset = s.string("time_dataset", "");
      time_given = s.has("time_dataset");
      const bool matrix = s.has("dataset"), per_column = s.has("columns");
      if (matrix == per_column)
        diag.error(s.path(), "either \"dataset\" (with column_names) or \"columns\" (name -> dataset)",
                   matrix ? "both" : "neither");
      if (matrix) {
        src.dataset = s.string("dataset", "");
        src.transposed = s.boolean("transposed", false);
        if (!s.has("column_names")) {
          diag.error(s.path() + ".column_names", "the 2-D dataset's column names", "nothing");
        } else {
          const json& names = s.value().at("column_names");
          s.child("column_names");
          if (!names.is_array() || names.empty() ||
              !std::all_of(names.begin(), names.end(), [](const json& x) { return x.is_string(); }))
            diag.error(s.path() + ".column_names", "a non-empty array of names", describe(names));
          else
            for (const json& x : names) src.column_names.push_back(x.get<std::string>());
        }
      }
      if (per_column) {
        const json& cols = s.value().at("columns");
        s.child("columns");
        if (!cols.is_object() || cols.empty() ||
            !std::all_of(cols.begin(), cols.end(), [](const json& x) { return x.is_string(); }))
          diag.error(s.path() + ".columns", "an object of column name -> dataset path", describe(cols));
        else
          for (const auto& [name, dataset] : cols.items()) src.column_datasets.emplace_back(name, dataset);
      }
    } else if (src.format == "tep") {
      src.transposed = s.boolean("transposed", false);
      if (!period_given) src.period_s = 180.0;
      time_given = true;  // a fixed period, 180 s unless given
    }
    if (src.format != "tep" && period_given == time_given)
      diag.error(s.path(),
                 src.format == "csv" ? "either time_column or period_s" : "either time_dataset or period_s",
                 period_given ? "both" : "neither");
    src.start_s = s.number("start_s", src.format == "tep" ? src.period_s.value_or(180.0) : 0.0,
                           {-kMaxDuration_s, kMaxDuration_s, false, false});
    if (s.has("start_s") && !src.period_s)
      diag.error(s.path() + ".start_s", "start_s only with period_s", describe(s.value().at("start_s")));
    s.finish();
    if (!path || !diag.ok()) return r;  // the file is read only from a valid spec
    src.path = beside_scenario(*path);
    try {
      r.table = read_recorded_table(src);
    } catch (const RecordedDataError& e) {
      diag.error_message(s.path(), e.what());
    }
    return r;
  }

  void read_assets(Node& root) {
    for (Node n : root.array("assets", true)) {
      if (!n.expect_object()) continue;
      const auto ids = expand(n);
      const std::string model = n.choice("model", {"pump", "recorded"}, "pump");
      const std::string line_pattern = n.string("line", "");
      std::optional<RecordedAssetSpec> recorded;
      if (model == "recorded") {
        recorded = read_recorded_asset(n);
        for (const char* key : {"params", "degradation"})
          if (n.has(key))
            diag.error(n.path() + "." + key, "no pump keys on a recorded asset (model \"recorded\")",
                       "the key \"" + std::string(key) + "\"");
      }
      devices::PumpParams base;
      if (model == "pump" && n.has("params")) {
        Node p = n.child("params");
        if (p.expect_object()) {
          base.load_mean = p.number("load_mean", base.load_mean, Range::probability());
          base.load_amplitude = p.number("load_amplitude", base.load_amplitude, Range::probability());
          base.load_period_s = p.number("load_period_s", base.load_period_s, Range::period());
          base.load_step_std = p.number("load_step_std", base.load_step_std, Range::non_negative());
          base.load_step_interval_s =
              p.number("load_step_interval_s", base.load_step_interval_s, Range::period());
          base.flow_rated_m3h = p.number("flow_rated_m3h", base.flow_rated_m3h, Range::positive());
          base.current_no_load_a =
              p.number("current_no_load_a", base.current_no_load_a, Range::non_negative());
          base.current_rated_a = p.number("current_rated_a", base.current_rated_a, Range::positive());
          base.friction_gain = p.number("friction_gain", base.friction_gain, Range::non_negative());
          base.vibration_base_mm_s =
              p.number("vibration_base_mm_s", base.vibration_base_mm_s, Range::non_negative());
          base.vibration_wear_mm_s =
              p.number("vibration_wear_mm_s", base.vibration_wear_mm_s, Range::non_negative());
          base.ambient_c = p.number("ambient_c", base.ambient_c);
          base.temp_rise_load_c = p.number("temp_rise_load_c", base.temp_rise_load_c, Range::non_negative());
          base.temp_rise_wear_c = p.number("temp_rise_wear_c", base.temp_rise_wear_c, Range::non_negative());
          base.cooling_tau_s = p.number("cooling_tau_s", base.cooling_tau_s, Range::positive());
          base.shaft_hz = p.number("shaft_hz", base.shaft_hz, {0.0, 1000.0, true, false});
          base.bearing_defect_order =
              p.number("bearing_defect_order", base.bearing_defect_order, {0.0, 100.0, true, false});
          base.bearing_resonance_hz =
              p.number("bearing_resonance_hz", base.bearing_resonance_hz, {0.0, 1e5, true, false});
          base.impact_decay_s = p.number("impact_decay_s", base.impact_decay_s, {0.0, 1.0, true, false});
          base.bearing_impact_gain =
              p.number("bearing_impact_gain", base.bearing_impact_gain, Range::up_to(1e4));
          p.finish();
        }
      }
      Drawable onset, ttf;
      double probability = 0.0, initial_wear = base.initial_wear, incident_wear = base.incident_wear;
      if (model == "pump" && n.has("degradation")) {
        Node d = n.child("degradation");
        if (d.expect_object()) {
          probability = d.number("probability", 1.0, Range::probability());
          onset = read_drawable(d, "onset_s", Range::non_negative());
          ttf = read_drawable(d, "time_to_failure_s", Range::positive());
          initial_wear = d.number("initial_wear", initial_wear, {0.0, 1.0, true, false});
          incident_wear = d.number("incident_wear", incident_wear, {0.0, 1.0, true, false});
          if (!d.has("onset_s"))
            diag.error(d.path() + ".onset_s", "a number or [lo, hi]", "nothing (the key is required)");
          if (!d.has("time_to_failure_s"))
            diag.error(d.path() + ".time_to_failure_s", "a number or [lo, hi]",
                       "nothing (the key is required)");
          d.finish();
        }
      }
      for (const auto& [i, id] : ids) {
        AssetSpec a{id, model, base, "", recorded};
        if (!line_pattern.empty()) {
          const auto line = expand_id(line_pattern, i);
          if (!line || !valid_id(*line)) {
            diag.error(n.path() + ".line", "an id or a pattern like the asset's",
                       "string \"" + line_pattern + "\"");
          } else {
            a.line = *line;
          }
        }
        if (onset.present && ttf.present) {
          faults::RandomStream draw(sc.seed, id, "degrades");
          a.pump.degrades = draw.bernoulli(probability);
          a.pump.onset_s = onset.draw(sc.seed, id, "onset_s");
          a.pump.time_to_failure_s = ttf.draw(sc.seed, id, "time_to_failure_s");
          a.pump.initial_wear = initial_wear;
          a.pump.incident_wear = incident_wear;
        }
        sc.assets.push_back(a);
      }
      n.finish();
    }
  }

  void read_gateways(Node& root) {
    for (Node n : root.array("gateways", true)) {
      if (!n.expect_object()) continue;
      const auto ids = expand(n);
      GatewaySpec g;
      g.backhaul = read_link(n, "backhaul", g.backhaul);
      g.cpu_flops = n.number("cpu_flops", g.cpu_flops, Range::positive());
      if (n.has("buffer")) {
        Node b = n.child("buffer");
        if (b.expect_object()) {
          g.buffer_capacity_records = static_cast<std::size_t>(
              b.number("capacity_records", static_cast<double>(g.buffer_capacity_records), Range::count(1)));
          g.overflow = read_overflow(b, false);
          b.finish();
        }
      }
      g.forward_interval_s = n.number("forward_interval_s", g.forward_interval_s, Range::period(86400));
      if (n.has("uplink")) {
        Node u = n.child("uplink");
        if (u.expect_object()) {
          if (u.choice("protocol", {"mqtt", "http"}, "mqtt") == "http") {
            net::HttpParams h;
            read_http_client(u, h);
            g.http_uplink = h;
          }
          u.finish();
        }
      }
      if (n.has("lora")) {
        Node l = n.child("lora");
        if (l.expect_object()) {
          g.lora.capture = l.boolean("capture", g.lora.capture);
          g.lora.capture_threshold_db =
              l.number("capture_threshold_db", g.lora.capture_threshold_db, Range::up_to(60));
          if (l.has("rx2_data_rate"))
            g.lora_rx2_data_rate = static_cast<int>(l.number("rx2_data_rate", 0, Range::count(0, 13)));
          g.lora_rx1_dr_offset = static_cast<int>(l.number("rx1_dr_offset", 0, Range::count(0, 5)));
          l.finish();
        }
      }
      n.finish();
      for (const auto& [i, id] : ids) {
        g.id = id;
        sc.gateways.push_back(g);
      }
    }
  }

  void read_broker_cloud(Node& root) {
    if (root.has("broker")) {
      Node n = root.child("broker");
      if (n.expect_object()) {
        sc.broker.id = n.string("id", sc.broker.id);
        if (!valid_id(sc.broker.id)) diag.error(n.path() + ".id", kIdRule, describe(n.value().at("id")));
        sc.broker.link = read_link(n, "link", sc.broker.link);
        sc.broker.cpu_flops = n.number("cpu_flops", sc.broker.cpu_flops, Range::positive());
        sc.broker.cost_flops_per_message =
            n.number("cost_flops_per_message", sc.broker.cost_flops_per_message, Range::non_negative());
        sc.broker.forward_linger_s =
            n.number("forward_linger_s", sc.broker.forward_linger_s, Range::non_negative());
        sc.broker.queue_limit_messages = static_cast<std::size_t>(n.number(
            "queue_limit_messages", static_cast<double>(sc.broker.queue_limit_messages), Range::count(1)));
        sc.broker.message_ttl_s = n.number("message_ttl_s", sc.broker.message_ttl_s, Range::positive());
        n.finish();
      }
    }
    if (root.has("cloud")) {
      Node n = root.child("cloud");
      if (n.expect_object()) {
        sc.cloud.id = n.string("id", sc.cloud.id);
        if (!valid_id(sc.cloud.id)) diag.error(n.path() + ".id", kIdRule, describe(n.value().at("id")));
        sc.cloud.link = read_link(n, "link", sc.cloud.link);
        sc.cloud.cpu_flops = n.number("cpu_flops", sc.cloud.cpu_flops, Range::positive());
        sc.cloud.workers = static_cast<int>(n.number("workers", sc.cloud.workers, Range::count(1, 1024)));
        sc.cloud.max_batch_messages = static_cast<std::size_t>(
            n.number("max_batch_messages", static_cast<double>(sc.cloud.max_batch_messages), Range::count()));
        if (n.has("service_time_s"))
          sc.cloud.service_time_s = read_law(n, "service_time_s", Range::positive(), true);
        n.finish();
      }
    }
  }

  static std::pair<double, double> default_range(const std::string& signal) {
    if (signal == "vibration_rms") return {0.0, 50.0};
    if (signal == "bearing_temp") return {-20.0, 150.0};
    if (signal == "motor_current") return {0.0, 60.0};
    if (signal == "vibration_waveform") return {-100.0, 100.0};
    return {0.0, 200.0};  // flow
  }

  static devices::OverflowPolicy read_overflow(Node& b, bool downsample_allowed = true) {
    std::vector<std::string> policies = {"drop_oldest", "drop_newest"};
    if (downsample_allowed) {  // gateways hold messages, not readings
      policies.push_back("downsample");
      policies.push_back("aggregate");
    }
    const std::string policy = b.choice("overflow", policies, "drop_oldest");
    return policy == "drop_newest"  ? devices::OverflowPolicy::kDropNewest
           : policy == "downsample" ? devices::OverflowPolicy::kDownsample
           : policy == "aggregate"  ? devices::OverflowPolicy::kAggregate
                                    : devices::OverflowPolicy::kDropOldest;
  }

  /// devices[].protocol of kind http: the client (sim/net/http.hpp) and how
  /// the ingestion endpoint answers.
  void read_http(Node& p, ProtocolSpec& pr) {
    read_http_client(p, pr.http);
    HttpServerSpec& srv = pr.http_server;
    srv.error_probability = p.number("server_error_probability", 0.0, Range::probability());
    srv.error_status =
        static_cast<int>(p.number("server_error_status", srv.error_status, Range::count(408, 599)));
    if (!net::http_retryable(srv.error_status))
      diag.error(p.path() + ".server_error_status", "a status the client retries: 408, 429 or 5xx",
                 describe(p.value().at("server_error_status")));
    if (p.has("retry_after_s")) srv.retry_after_s = p.number("retry_after_s", 0.0, Range::up_to(86400));
  }

  /// The HTTP client's keys (devices[].protocol of kind http, gateways[].uplink).
  void read_http_client(Node& p, net::HttpParams& h) {
    const std::string tls = p.choice("tls", {"none", "1.2", "1.3"}, "1.3");
    h.tls = tls == "none"  ? net::TlsVersion::kNone
            : tls == "1.2" ? net::TlsVersion::kTls12
                           : net::TlsVersion::kTls13;
    h.keep_alive = p.boolean("keep_alive", h.keep_alive);
    h.idle_timeout_s = p.number("idle_timeout_s", h.idle_timeout_s, Range::up_to(1e8));
    h.max_requests_per_connection = static_cast<std::uint32_t>(
        p.number("max_requests_per_connection", h.max_requests_per_connection, Range::count(0, 1e9)));
    h.request_timeout_s = p.number("request_timeout_s", h.request_timeout_s, Range::period(3600));
    h.max_attempts = static_cast<int>(p.number("max_attempts", h.max_attempts, Range::count(0, 1e6)));
    h.backoff_base_s = p.number("backoff_base_s", h.backoff_base_s, Range::up_to(86400));
    h.backoff_factor = p.number("backoff_factor", h.backoff_factor, {1.0, 100.0, false, false});
    h.backoff_cap_s = p.number("backoff_cap_s", h.backoff_cap_s, Range::up_to(86400));
    h.server_time_s = p.number("server_time_s", h.server_time_s, Range::up_to(3600));
    h.request_header_bytes = static_cast<std::uint64_t>(
        p.number("request_header_bytes", static_cast<double>(h.request_header_bytes), Range::count(0, 1e6)));
    h.response_bytes = static_cast<std::uint64_t>(
        p.number("response_bytes", static_cast<double>(h.response_bytes), Range::count(1, 1e6)));
  }

  /// devices[].protocol: the kind and that kind's parameters only (a key of
  /// another kind is an unknown key).
  void read_protocol(Node p, DeviceSpec& d) {
    if (!p.expect_object()) return;
    ProtocolSpec& pr = d.protocol;
    const std::vector<std::string>& kinds = analysis::protocol_kinds();  // in Protocol's order
    const std::string kind = p.choice("kind", kinds, "mqtt");
    pr.id = static_cast<Protocol>(std::find(kinds.begin(), kinds.end(), kind) - kinds.begin());
    if (!p.has("kind")) diag.error(p.path() + ".kind", "a protocol kind", "nothing (the key is required)");
    if (pr.is(Protocol::kLorawan)) {
      pr.region = p.choice("region", {"EU868", "US915"}, "EU868") == "US915" ? net::LoraRegion::kUs915
                                                                             : net::LoraRegion::kEu868;
      const int max_dr = pr.region == net::LoraRegion::kEu868 ? 6 : 4;
      if (p.has("spreading_factor") && p.has("data_rate"))
        diag.error_message(p.path(), "give data_rate or spreading_factor, not both");
      pr.data_rate = static_cast<int>(
          p.number("data_rate", 5 - (pr.region == net::LoraRegion::kUs915 ? 2 : 0), Range::count(0, max_dr)));
      if (p.has("spreading_factor")) {
        const int sf = static_cast<int>(p.number("spreading_factor", 7, Range::count(7, 12)));
        pr.data_rate = net::data_rate_of_sf(pr.region, sf);
        if (pr.data_rate < 0)
          diag.error(p.path() + ".spreading_factor",
                     "a spreading factor of " + net::to_string(pr.region) + " at 125 kHz (7..10 in US915)",
                     describe(p.value().at("spreading_factor")));
      }
      pr.confirmed = p.boolean("confirmed", false);
      pr.max_transmissions =
          static_cast<int>(p.number("max_transmissions", pr.confirmed ? 8 : 1, Range::count(1, 15)));
      if (p.has("rssi_dbm")) {
        const json& v = p.value().at("rssi_dbm");
        if (v.is_number()) {
          pr.rssi_lo_dbm = pr.rssi_hi_dbm = p.number("rssi_dbm", -110, {-200, 30, false, false});
        } else if (v.is_array() && v.size() == 2 && v[0].is_number() && v[1].is_number() &&
                   v[0].get<double>() <= v[1].get<double>() && v[0].get<double>() >= -200 &&
                   v[1].get<double>() <= 30) {
          pr.rssi_lo_dbm = v[0].get<double>();
          pr.rssi_hi_dbm = v[1].get<double>();
        } else {
          diag.error(p.path() + ".rssi_dbm", "a number or [lo, hi] in dBm within [-200, 30]", describe(v));
        }
      }
      pr.fading_db = p.number("fading_db", 0.0, Range::up_to(40));
      pr.channels = static_cast<int>(
          p.number("channels", pr.region == net::LoraRegion::kEu868 ? 3 : 8,
                   Range::count(1, pr.region == net::LoraRegion::kEu868 ? 8 : 64)));  // the regions' plans
      pr.duty_cycle = p.number("duty_cycle", net::default_duty_cycle(pr.region), {0.0, 1.0, true, false});
    }
    if (pr.via_gateway()) {
      pr.header_bytes =
          static_cast<std::uint32_t>(p.number("header_bytes", pr.header_bytes, Range::count(0, 64)));
      pr.record_bytes =
          static_cast<std::uint32_t>(p.number("record_bytes", pr.record_bytes, Range::count(1, 64)));
    }
    if (pr.is(Protocol::kLorawan) && pr.data_rate >= 0) {
      const std::uint32_t n = net::max_app_payload_bytes(pr.region, pr.data_rate);
      if (pr.header_bytes + pr.record_bytes > n)
        diag.error_message(p.path(), "one record (" + std::to_string(pr.header_bytes + pr.record_bytes) +
                                         " bytes with the header) does not fit the " + std::to_string(n) +
                                         "-byte payload of data rate " + std::to_string(pr.data_rate));
    }
    if (pr.is(Protocol::kBle)) {
      net::BleParams& b = pr.ble;
      b.connection_interval_s =
          p.number("connection_interval_s", b.connection_interval_s, {0.0075, 4.0, false, false});
      b.att_mtu = static_cast<std::uint32_t>(p.number("att_mtu", b.att_mtu, Range::count(23, 517)));
      b.packets_per_event =
          static_cast<std::uint32_t>(p.number("packets_per_event", b.packets_per_event, Range::count(1, 64)));
      b.packet_error_rate = p.number("packet_error_rate", b.packet_error_rate, Range::probability());
      b.supervision_timeout_s =
          p.number("supervision_timeout_s", b.supervision_timeout_s, {0.1, 32.0, false, false});
    }
    if (pr.is(Protocol::kZigbee)) {
      net::ZigbeeParams& z = pr.zigbee;
      z.hops = static_cast<std::uint32_t>(p.number("hops", z.hops, Range::count(1, 30)));
      z.channel_busy_probability = p.number("channel_busy_probability", 0.0, Range::probability());
      z.frame_error_rate = p.number("frame_error_rate", 0.0, Range::probability());
      z.max_payload_bytes = static_cast<std::uint32_t>(
          p.number("max_payload_bytes", z.max_payload_bytes, Range::count(1, 100)));
    }
    if (pr.is(Protocol::kLteM)) {
      net::LteMParams& l = pr.lte_m;
      if (p.has("latency_s")) l.latency = read_law(p, "latency_s", Range::up_to(60), false);
      l.uplink_bps = p.number("uplink_bps", l.uplink_bps, {1.0, 1e9, false, false});
      l.psm = p.boolean("psm", l.psm);
      l.active_timer_s = p.number("active_timer_s", l.active_timer_s, Range::up_to(1e6));
      l.psm_wake_delay_s = p.number("psm_wake_delay_s", l.psm_wake_delay_s, Range::up_to(600));
      d.link.bandwidth_bps = l.uplink_bps;  // the cell's uplink rate is the device's link
    }
    if (pr.is(Protocol::kCoap)) {
      net::CoapParams& c = pr.coap;
      c.confirmable = p.boolean("confirmable", true);
      c.ack_timeout_s = p.number("ack_timeout_s", c.ack_timeout_s, Range::period(3600));
      c.ack_random_factor = p.number("ack_random_factor", c.ack_random_factor, {1.0, 10.0, false, false});
      c.max_retransmit = static_cast<int>(p.number("max_retransmit", c.max_retransmit, Range::count(0, 20)));
    }
    if (pr.is(Protocol::kHttp)) read_http(p, pr);
    p.finish();
  }

  /// devices[].edge's transforming stages and detector (docs/pipeline.md).
  void read_edge_stages(Node& e, const json& device, DeviceSpec::EdgeStages& out) {
    const json& sensors = device.contains("sensors") ? device.at("sensors") : json::array();
    auto sensor_of = [&](Node& n, std::size_t& index) {  // the "sensor" key: one of this device's sensors
      const std::string id = n.string_required("sensor").value_or("");
      for (std::size_t k = 0; k < sensors.size(); ++k)
        if (sensors[k].is_object() && sensors[k].value("id", "") == id) {
          index = k;
          return true;
        }
      if (n.has("sensor"))
        diag.error(n.path() + ".sensor", "the id of one of this device's sensors", "\"" + id + "\"");
      return false;
    };
    std::set<std::string> channels;  // what events and the detector may watch
    for (const json& s : sensors)
      if (s.is_object()) channels.insert(s.value("id", ""));
    std::set<std::size_t> seen;
    auto once = [&](Node& n, std::size_t k, const char* what) {
      if (!seen.insert(k).second)
        diag.error(n.path() + ".sensor", std::string("a sensor with one ") + what + " at most",
                   "\"" + sensors[k].value("id", "") + "\" a second time");
    };
    if (e.has("normalise")) {
      seen.clear();
      for (Node x : e.array("normalise", false)) {
        if (!x.expect_object()) continue;
        DeviceSpec::EdgeStages::Normalise r;
        const bool ok = sensor_of(x, r.sensor);
        r.raw_unit = x.string("raw_unit", r.raw_unit);
        r.raw_lo = x.number("raw_lo", r.raw_lo, Range::any());
        r.raw_hi = x.number("raw_hi", r.raw_hi, Range::any());
        if (r.raw_hi <= r.raw_lo)
          diag.error(x.path() + ".raw_hi", "a number above raw_lo (" + std::to_string(r.raw_lo) + ")",
                     "number " + std::to_string(r.raw_hi));
        if (ok) once(x, r.sensor, "normalisation");
        x.finish();
        if (ok) out.normalise.push_back(r);
      }
    }
    if (e.has("filters")) {
      seen.clear();
      for (Node x : e.array("filters", false)) {
        if (!x.expect_object()) continue;
        DeviceSpec::EdgeStages::Filter r;
        const bool ok = sensor_of(x, r.sensor);
        r.median = x.choice("kind", {"ewma", "median"}, "ewma") == "median";
        r.alpha = x.number("alpha", r.alpha, {0.0, 1.0, true, false});
        r.window = static_cast<int>(x.number("window", r.window, Range::count(1, 10000)));
        if (ok) once(x, r.sensor, "filter");
        x.finish();
        if (ok) out.filters.push_back(r);
      }
    }
    if (e.has("features")) {
      seen.clear();
      for (Node x : e.array("features", false)) {
        if (!x.expect_object()) continue;
        DeviceSpec::EdgeStages::Features r;
        const bool ok = sensor_of(x, r.sensor);
        r.window = static_cast<int>(x.number("window", r.window, Range::count(2, 1e6)));
        if (x.has("emit")) {
          for (Node f : x.array("emit", false)) {
            const json& v = f.value();
            const bool known =
                v.is_string() &&
                std::find(pipeline::kVibrationFeatureNames.begin(), pipeline::kVibrationFeatureNames.end(),
                          v.get<std::string>()) != pipeline::kVibrationFeatureNames.end();
            if (!known)
              diag.error(f.path(), "one of \"rms\", \"peak\", \"crest_factor\", \"kurtosis\"", describe(v));
            else if (std::find(r.emit.begin(), r.emit.end(), v.get<std::string>()) != r.emit.end())
              diag.error(f.path(), "each feature once", describe(v) + " a second time");
            else
              r.emit.push_back(v.get<std::string>());
          }
          if (r.emit.empty() && x.value().at("emit").is_array())
            diag.error(x.path() + ".emit", "at least one feature", "an empty array");
        } else {
          r.emit.assign(pipeline::kVibrationFeatureNames.begin(), pipeline::kVibrationFeatureNames.end());
        }
        if (ok) {
          once(x, r.sensor, "feature stage");
          for (const std::string& f : r.emit) channels.insert(sensors[r.sensor].value("id", "") + "." + f);
        }
        x.finish();
        if (ok) out.features.push_back(r);
      }
    }
    if (e.has("events")) {
      for (Node x : e.array("events", false)) {
        if (!x.expect_object()) continue;
        DeviceSpec::EdgeStages::Event r;
        r.id = x.string_required("id").value_or("");
        if (x.has("id") && !valid_id(r.id))
          diag.error(x.path() + ".id", kIdRule, describe(x.value().at("id")));
        if (!r.id.empty() && channels.contains(r.id))
          diag.error(x.path() + ".id", "an id no sensor or derived channel of this device has",
                     "\"" + r.id + "\"");
        r.watch = x.string_required("watch").value_or("");
        if (x.has("watch") && !channels.contains(r.watch))
          diag.error(x.path() + ".watch",
                     "a sensor id of this device or a feature channel (\"<sensor>.<feature>\")",
                     "\"" + r.watch + "\"");
        r.trip_above = x.number_required("trip_above", Range::any()).value_or(0.0);
        r.clear_below = x.number("clear_below", r.trip_above, Range::any());
        if (r.clear_below > r.trip_above)
          diag.error(x.path() + ".clear_below",
                     "a number at most trip_above (" + std::to_string(r.trip_above) + ")",
                     "number " + std::to_string(r.clear_below));
        r.debounce = static_cast<int>(x.number("debounce", r.debounce, Range::count(1, 1e6)));
        x.finish();
        if (!r.id.empty()) channels.insert(r.id);
        out.events.push_back(r);
      }
    }
    if (e.has("deadband")) {
      seen.clear();
      for (Node x : e.array("deadband", false)) {
        if (!x.expect_object()) continue;
        DeviceSpec::EdgeStages::Deadband r;
        const bool ok = sensor_of(x, r.sensor);
        if (x.has("deadband") == x.has("deadband_percent"))
          diag.error(x.path(), "exactly one of \"deadband\" and \"deadband_percent\"",
                     x.has("deadband") ? "both" : "neither");
        r.deadband = x.number("deadband", 0.0, Range::positive());
        r.deadband_percent = x.number("deadband_percent", 0.0, {0.0, 100.0, true, false});
        r.max_silence_s = x.number("max_silence_s", r.max_silence_s, Range::period());
        if (ok) once(x, r.sensor, "deadband");
        x.finish();
        if (ok) out.deadband.push_back(r);
      }
    }
    if (e.has("detector")) {
      Node x = e.child("detector");
      if (x.expect_object()) {
        DeviceSpec::EdgeStages::Detector r;
        for (Node c : x.array("channels", true)) {
          const json& v = c.value();
          if (!v.is_string() || !channels.contains(v.get<std::string>()))
            diag.error(c.path(), "a sensor id of this device or a feature channel (\"<sensor>.<feature>\")",
                       describe(v));
          else if (std::find(r.channels.begin(), r.channels.end(), v.get<std::string>()) != r.channels.end())
            diag.error(c.path(), "each channel once", describe(v) + " a second time");
          else
            r.channels.push_back(v.get<std::string>());
        }
        if (r.channels.empty() && x.has("channels") && x.value().at("channels").is_array())
          diag.error(x.path() + ".channels", "at least one channel", "an empty array");
        r.train_from_s = x.number("train_from_s", r.train_from_s, Range::non_negative());
        r.train_until_s = x.number_required("train_until_s", Range::positive()).value_or(r.train_until_s);
        if (r.train_until_s <= r.train_from_s)
          diag.error(x.path() + ".train_until_s",
                     "a time after train_from_s (" + std::to_string(r.train_from_s) + ")",
                     "number " + std::to_string(r.train_until_s));
        r.threshold = x.number("threshold", r.threshold, Range::positive());
        r.debounce = static_cast<int>(x.number("debounce", r.debounce, Range::count(1, 1e6)));
        const std::string when = x.choice("when", {"offline", "always", "never"}, "offline");
        r.offline_only = when == "offline";
        r.decide = when != "never";
        r.input_range_sigma = x.number("input_range_sigma", r.input_range_sigma, {0.0, 1000.0, true, false});
        r.restart_after_s = x.number("restart_after_s", r.restart_after_s, Range::period());
        x.finish();
        out.detector = r;
      }
    }
  }

  void read_devices(Node& root) {
    for (Node n : root.array("devices", true)) {
      if (!n.expect_object()) continue;
      const auto ids = expand(n);
      DeviceSpec d;
      const std::string gateway_ref = n.string_required("gateway").value_or("");
      d.link = read_link(n, "link", d.link);
      d.publish_interval_s = n.number("publish_interval_s", d.publish_interval_s, Range::period());
      d.publish_poisson = n.choice("publish_process", {"periodic", "poisson"}, "periodic") == "poisson";
      if (n.has("publish_phase_s")) {
        d.publish_phase_s = n.number("publish_phase_s", 0.0, Range::non_negative());
        if (*d.publish_phase_s >= d.publish_interval_s)
          diag.error(n.path() + ".publish_phase_s", "a phase below publish_interval_s",
                     describe(n.value().at("publish_phase_s")));
      }
      d.publish_phase_grid_s =
          n.number("publish_phase_grid_s", d.publish_phase_grid_s, Range::non_negative());
      if (d.publish_phase_grid_s >= d.publish_interval_s)
        diag.error(n.path() + ".publish_phase_grid_s", "a grid below publish_interval_s",
                   describe(n.value().at("publish_phase_grid_s")));
      d.cpu_flops = n.number("cpu_flops", d.cpu_flops, Range::positive());
      if (n.has("clock")) {
        Node c = n.child("clock");
        if (c.expect_object()) {
          d.clock.offset_s = c.number("offset_s", 0.0, {-1e10, 1e10, false, false});
          d.clock.skew_ppm = c.number("skew_ppm", 0.0, {-1e5, 1e5, false, false});
          faults::ClockParams m;
          m.offset_s = d.clock.offset_s;
          m.skew_ppm = d.clock.skew_ppm;
          if (c.has("sync_bound_s")) d.sync_bound_s = c.number("sync_bound_s", 0.0, Range::up_to(1e9));
          d.monotonic_error_ppm = c.number("monotonic_error_ppm", 0.0, {-1e5, 1e5, false, false});
          m.ageing_ppm_per_day = c.number("ageing_ppm_per_day", 0.0, {-1e3, 1e3, false, false});
          m.rw_ppm_per_sqrt_day = c.number("random_walk_ppm_per_sqrt_day", 0.0, Range::up_to(1e3));
          if (c.has("periodic")) {
            Node per = c.child("periodic");
            if (per.expect_object()) {
              m.periodic_amplitude_s = per.number_required("amplitude_s", Range::up_to(3600)).value_or(0.0);
              m.periodic_period_s = per.number_required("period_s", Range::period()).value_or(86400.0);
              per.finish();
            }
          }
          bool full = m.ageing_ppm_per_day != 0 || m.rw_ppm_per_sqrt_day != 0 || m.periodic_amplitude_s != 0;
          if (c.has("sync")) {
            Node s = c.child("sync");
            if (s.expect_object()) {
              const std::string mode = s.choice("mode", {"none", "ntp", "sntp"}, "ntp");
              m.sync = mode == "ntp"    ? faults::ClockSync::kNtp
                       : mode == "sntp" ? faults::ClockSync::kSntp
                                        : faults::ClockSync::kNone;
              m.poll_s = s.number("poll_s", 64.0, Range::period());
              m.sync_noise_s = s.number("noise_s", 0.005, Range::up_to(60));
              m.step_threshold_s = s.number("step_threshold_s", 0.128, Range::positive());
              m.stepout_s = s.number("stepout_s", 900.0, Range::non_negative());
              m.panic_s = s.number("panic_s", 1000.0, Range::positive());
              m.max_slew_ppm = s.number("max_slew_ppm", 500.0, {0.0, 1e5, true, false});
              m.force_step = s.boolean("force_step", false);
              d.sync_over_network = s.choice("path", {"network", "ideal"}, "network") == "network";
              m.adaptive_poll = s.boolean("adaptive_poll", false);
              m.min_poll_s = s.number("min_poll_s", m.min_poll_s, Range::period());
              m.max_poll_s = s.number("max_poll_s", m.max_poll_s, Range::period());
              m.assumed_tolerance_ppm =
                  s.number("assumed_tolerance_ppm", m.assumed_tolerance_ppm, Range::up_to(1e4));
              if (m.adaptive_poll && m.max_poll_s < m.min_poll_s)
                diag.error(s.path() + ".max_poll_s",
                           "at least min_poll_s (" + std::to_string(m.min_poll_s) + ")",
                           "number " + std::to_string(m.max_poll_s));
              s.finish();
              full = full || m.sync != faults::ClockSync::kNone;
            }
          }
          if (full) d.clock_model = m;
          c.finish();
        }
      }
      if (n.has("firmware")) {
        Node fw = n.child("firmware");
        if (fw.expect_object()) {
          d.time_metadata = fw.boolean("time_metadata", false);
          d.report_events = fw.boolean("events", false);
          d.gap_notices = fw.boolean("gap_notices", false);
          d.gap_notice_capacity = static_cast<std::size_t>(fw.number(
              "gap_notice_capacity", static_cast<double>(d.gap_notice_capacity), Range::count(1, 1024)));
          fw.finish();
        }
      }
      if (n.has("buffer")) {
        Node b = n.child("buffer");
        if (b.expect_object()) {
          d.buffer_capacity_records = static_cast<std::size_t>(
              b.number("capacity_records", static_cast<double>(d.buffer_capacity_records), Range::count(1)));
          d.overflow = read_overflow(b);
          d.drain_records_per_s = b.number("drain_records_per_s", 0.0, Range::non_negative());
          d.alarm_capacity_records = static_cast<std::size_t>(b.number(
              "alarm_capacity_records", static_cast<double>(d.alarm_capacity_records), Range::count(0)));
          b.finish();
        }
      }
      if (n.has("edge")) {
        Node e = n.child("edge");
        if (e.expect_object()) {
          for (Node il : e.has("interlocks") ? e.array("interlocks", false) : std::vector<Node>{}) {
            if (!il.expect_object()) continue;
            DeviceSpec::Interlock r;
            const std::string sensor = il.string_required("sensor").value_or("");
            const json& sensors = n.value().contains("sensors") ? n.value().at("sensors") : json::array();
            bool found = false;
            for (std::size_t k = 0; k < sensors.size(); ++k)
              if (sensors[k].is_object() && sensors[k].value("id", "") == sensor) r.sensor = k, found = true;
            if (il.has("sensor") && !found)
              diag.error(il.path() + ".sensor", "the id of one of this device's sensors",
                         "\"" + sensor + "\"");
            r.trip_above = il.number_required("trip_above", Range::any()).value_or(0.0);
            r.debounce_readings = static_cast<int>(il.number("debounce_readings", 3, Range::count(1, 1e6)));
            r.offline_only = il.choice("when", {"offline", "always"}, "offline") == "offline";
            r.restart_after_s = il.number("restart_after_s", r.restart_after_s, Range::period());
            il.finish();
            d.interlocks.push_back(r);
          }
          read_edge_stages(e, n.value(), d.edge);
          e.finish();
        }
      }
      if (n.has("flash")) {
        Node fl = n.child("flash");
        if (fl.expect_object()) {
          devices::FlashParams& f = d.flash;
          f.capacity_records =
              static_cast<std::size_t>(fl.number_required("capacity_records", Range::count(1)).value_or(0));
          f.page_records = static_cast<std::size_t>(
              fl.number("page_records", static_cast<double>(f.page_records), Range::count(1, 1e6)));
          f.page_write_s = fl.number("page_write_s", f.page_write_s, Range::up_to(10));
          f.mode = fl.choice("mode", {"spill", "persist"}, "spill") == "persist"
                       ? devices::FlashParams::Mode::kPersist
                       : devices::FlashParams::Mode::kSpill;
          if (f.capacity_records > 0 && f.capacity_records < f.page_records)
            diag.error(fl.path() + ".capacity_records",
                       "at least one page (" + std::to_string(f.page_records) + ")",
                       "number " + std::to_string(f.capacity_records));
          if (f.mode == devices::FlashParams::Mode::kSpill && d.buffer_capacity_records < f.page_records)
            diag.error(fl.path() + ".page_records",
                       "at most buffer.capacity_records (RAM spills a page at a time)",
                       "number " + std::to_string(f.page_records));
          fl.finish();
        }
      }
      if (n.has("mqtt")) {
        Node m = n.child("mqtt");
        if (m.expect_object()) {
          d.mqtt.qos = static_cast<int>(m.number("qos", 1, Range::count(0, 2)));
          d.mqtt.ack_timeout_s = m.number("ack_timeout_s", d.mqtt.ack_timeout_s, Range::period());
          d.mqtt.max_attempts = static_cast<int>(m.number("max_attempts", 0, Range::count(0, 1e6)));
          d.mqtt.max_batch_records = static_cast<std::size_t>(m.number(
              "max_batch_records", static_cast<double>(d.mqtt.max_batch_records), Range::count(1, 1e6)));
          d.mqtt.reconnect_interval_s =
              m.number("reconnect_interval_s", d.mqtt.reconnect_interval_s, Range::period());
          d.mqtt.max_inflight = static_cast<std::size_t>(
              m.number("max_inflight", static_cast<double>(d.mqtt.max_inflight), Range::count(1, 65535)));
          d.mqtt.keep_alive_s = m.number("keep_alive_s", d.mqtt.keep_alive_s, Range::up_to(65535));
          d.mqtt.clean_session = m.boolean("clean_session", d.mqtt.clean_session);
          if (m.has("session_expiry_s"))
            d.mqtt.session_expiry_s = m.number("session_expiry_s", 0.0, Range::up_to(1e9));
          m.finish();
        }
      }
      if (n.has("protocol")) read_protocol(n.child("protocol"), d);
      if (n.has("battery")) {
        Node b = n.child("battery");
        if (b.expect_object()) {
          devices::EnergyParams e;
          e.battery_mah = b.number("capacity_mah", e.battery_mah, Range::positive());
          e.voltage_v = b.number("voltage_v", e.voltage_v, Range::positive());
          e.sleep_current_ua = b.number("sleep_current_ua", e.sleep_current_ua, Range::non_negative());
          e.active_current_ma = b.number("active_current_ma", e.active_current_ma, Range::non_negative());
          e.sample_active_s = b.number("sample_active_s", e.sample_active_s, Range::up_to(1));
          e.tx_current_ma = b.number("tx_current_ma", e.tx_current_ma, Range::non_negative());
          e.tx_power_mw = b.number("tx_power_mw", e.tx_power_mw, Range::non_negative());
          e.rx_current_ma = b.number("rx_current_ma", e.rx_current_ma, Range::non_negative());
          e.wake_current_ma = b.number("wake_current_ma", e.wake_current_ma, Range::non_negative());
          e.wake_s = b.number("wake_s", e.wake_s, Range::up_to(1));
          e.self_discharge_pct_per_month =
              b.number("self_discharge_pct_per_month", e.self_discharge_pct_per_month, Range::up_to(100));
          e.cutoff_pct = b.number("cutoff_pct", e.cutoff_pct, Range::up_to(99));
          if (b.has("tx_current_ma") && b.has("tx_power_mw"))
            diag.error_message(b.path(), "give tx_current_ma or tx_power_mw, not both");
          d.battery = e;
          b.finish();
        }
      }
      std::vector<Node> sensor_nodes = n.array("sensors", true);
      if (sensor_nodes.empty() && n.has("sensors"))
        diag.error(n.path() + ".sensors", "at least one sensor", "an empty array");
      struct RawSensor {
        std::string id, asset_ref, signal, path;
        devices::SensorParams params;
        devices::AlarmLimits alarm;
        bool range_given = true;
      };
      std::vector<RawSensor> raw;
      std::set<std::string> sensor_ids;
      for (Node s : sensor_nodes) {
        if (!s.expect_object()) continue;
        RawSensor r;
        r.path = s.path();
        r.id = s.string_required("id").value_or("");
        if (s.has("id") && !valid_id(r.id))
          diag.error(s.path() + ".id", kIdRule, describe(s.value().at("id")));
        if (!r.id.empty() && !sensor_ids.insert(r.id).second)
          diag.error_message(s.path() + ".id", "duplicate sensor id \"" + r.id + "\" on this device");
        r.asset_ref = s.string_required("asset").value_or("");
        // A pump signal or a recorded column: checked against its asset in check_references().
        r.signal = s.string("signal", "");
        if (!s.has("signal"))
          diag.error(s.path() + ".signal", "one of the pump signals, or a column of a recorded asset",
                     "nothing (the key is required)");
        r.params.rate_hz = s.number("rate_hz", 1.0, {0.0, 10000.0, true, false});
        r.params.noise_std = s.number("noise_std", 0.0, Range::non_negative());
        r.params.resolution = s.number("resolution", 0.0, Range::non_negative());
        r.params.current_loop = s.boolean("current_loop", false);
        auto [lo, hi] = default_range(r.signal);
        r.range_given = s.has("range");
        if (s.has("range")) {
          const json& v = s.value().at("range");
          if (v.is_array() && v.size() == 2 && v[0].is_number() && v[1].is_number() &&
              v[0].get<double>() < v[1].get<double>()) {
            lo = v[0].get<double>();
            hi = v[1].get<double>();
          } else {
            diag.error(s.path() + ".range", "[lo, hi] with lo < hi", describe(v));
          }
        }
        r.params.range_lo = lo;
        r.params.range_hi = hi;
        if (s.has("alarm")) {
          Node a = s.child("alarm");
          if (a.expect_object()) {
            if (!a.has("above") && !a.has("below"))
              diag.error(a.path(), "an object with \"above\", \"below\" or both", "neither");
            if (a.has("above")) r.alarm.above = a.number("above", 0.0, Range::any());
            if (a.has("below")) r.alarm.below = a.number("below", 0.0, Range::any());
            if (a.has("above") && a.has("below") && r.alarm.below >= r.alarm.above)
              diag.error(a.path() + ".below",
                         "a number below \"above\" (" + std::to_string(r.alarm.above) + ")",
                         describe(a.value().at("below")));
            a.finish();
          }
        }
        s.finish();
        raw.push_back(r);
      }
      n.finish();
      for (const auto& [i, id] : ids) {
        d.id = id;
        d.gateway = resolve_ref(gateway_ref, i, n.path() + ".gateway");
        d.sensors.clear();
        for (const RawSensor& r : raw)
          d.sensors.push_back(SensorSpec{r.id, resolve_ref(r.asset_ref, i, r.path + ".asset"), r.signal,
                                         r.params, r.alarm, r.path, r.range_given});
        sc.devices.push_back(d);
      }
    }
  }

  /// A law: a plain number (fixed), or {"law": name, its parameters} (sim/law_reader.hpp).
  faults::Law read_law(Node& n, const std::string& key, Range value_range, bool required) {
    return sim::read_law(n, key, value_range, required);
  }

  /// A number, or [lo, hi] drawn once per (seed, fault): swarm-style fault mixes.
  double fault_number(Node& n, const FaultSpec& f, const std::string& key, double fallback, Range range,
                      bool required = false) {
    if (!n.has(key)) {
      if (required) diag.error(n.path() + "." + key, "a number or [lo, hi]", "nothing (the key is required)");
      return fallback;
    }
    if (n.value().at(key).is_array()) {
      const Drawable d = read_drawable(n, key, range);
      return d.present ? d.draw(sc.seed, f.id, key) : fallback;
    }
    return n.number(key, fallback, range);
  }

  /// When a value fault is active: its window, and optional random episodes in it.
  void read_activity(Node& n, FaultSpec& f) {
    faults::EpisodeParams& a = f.value.activity;
    a.start_s = f.start_s;
    a.end_s = f.end_s;
    if (!n.has("episodes")) return;
    Node e = n.child("episodes");
    if (!e.expect_object()) return;
    a.stochastic = true;
    const bool per_hour = e.has("rate_per_hour"), per_day = e.has("rate_per_day"), up = e.has("up_s");
    if (per_hour + per_day + up != 1)
      diag.error(e.path(), "exactly one of rate_per_hour, rate_per_day or up_s",
                 per_hour + per_day + up == 0 ? "none" : "several");
    if (per_hour) a.onset_rate_per_s = fault_number(e, f, "rate_per_hour", 0.0, Range::up_to(1e6)) / 3600.0;
    if (per_day) a.onset_rate_per_s = fault_number(e, f, "rate_per_day", 0.0, Range::up_to(1e7)) / 86400.0;
    if (up) {
      a.quiet_law = true;
      a.quiet = read_law(e, "up_s", Range::positive(), true);
    }
    a.duration = read_law(e, "duration_s", Range::positive(), true);
    e.finish();
  }

  /// `direction`: "both" (default), "uplink" (messages to the broker) or
  /// "downlink" (acknowledgements back: the asymmetric worst case).
  void read_direction(Node& n, FaultSpec& f) {
    const std::string d = n.choice("direction", {"both", "uplink", "downlink"}, "both");
    f.uplink = d != "downlink";
    f.downlink = d != "uplink";
  }

  void read_value_fault(Node& n, FaultSpec& f) {
    faults::ValueFaultParams& v = f.value;
    v.kind = f.kind;
    read_activity(n, f);
    const std::string& k = f.kind;
    if (k == "offset") {
      v.bias = fault_number(n, f, "bias", 0.0, Range::any(), true);
    } else if (k == "gain") {
      v.gain = fault_number(n, f, "gain", 0.0, {-1.0, 100.0, true, false}, true);
    } else if (k == "drift") {
      const bool per_s = n.has("rate_per_s"), per_day = n.has("rate_per_day");
      if (per_s == per_day)
        diag.error(n.path(), "exactly one of rate_per_s or rate_per_day", per_s ? "both" : "neither");
      if (per_s) v.rate_per_s = fault_number(n, f, "rate_per_s", 0.0, Range::any());
      if (per_day) v.rate_per_s = fault_number(n, f, "rate_per_day", 0.0, Range::any()) / 86400.0;
      v.hold_after_end = n.boolean("hold_after_end", false);
      if (v.hold_after_end && n.has("episodes"))
        diag.error_message(n.path() + ".hold_after_end",
                           "a held drift needs one scheduled window, not episodes");
    } else if (k == "random_walk_drift") {
      const bool per_s = n.has("sigma_per_sqrt_s"), per_h = n.has("sigma_per_sqrt_hour");
      if (per_s == per_h)
        diag.error(n.path(), "exactly one of sigma_per_sqrt_s or sigma_per_sqrt_hour",
                   per_s ? "both" : "neither");
      if (per_s) v.sigma = fault_number(n, f, "sigma_per_sqrt_s", 0.0, Range::non_negative());
      if (per_h) v.sigma = fault_number(n, f, "sigma_per_sqrt_hour", 0.0, Range::non_negative()) / 60.0;
    } else if (k == "gauss_markov_drift") {
      v.sigma = fault_number(n, f, "sigma", 0.0, Range::non_negative(), true);
      v.tau_s = fault_number(n, f, "tau_s", 1.0, Range::period(), true);
    } else if (k == "high_noise") {
      v.sigma = fault_number(n, f, "noise_std", 0.0, Range::non_negative(), true);
    } else if (k == "impulsive_noise") {
      v.sigma = fault_number(n, f, "sigma", 0.0, Range::non_negative(), true);
      v.impulsive_index = fault_number(n, f, "impulsive_index", 0.1, {1e-4, 10.0, false, false});
      v.gaussian_ratio = fault_number(n, f, "gaussian_ratio", 0.01, {1e-6, 1e3, false, false});
    } else if (k == "emi_spikes") {
      v.rate_per_s_events = fault_number(n, f, "rate_per_hour", 0.0, Range::up_to(1e6), true) / 3600.0;
      v.amplitude = read_law(n, "amplitude", Range::positive(), true);
      v.width_samples = static_cast<int>(n.number("width_samples", 1, Range::count(1, 1e6)));
    } else if (k == "emi_bursts") {
      v.rate_per_s_events = fault_number(n, f, "bursts_per_hour", 0.0, Range::up_to(1e6), true) / 3600.0;
      v.spikes_per_burst = fault_number(n, f, "spikes_per_burst", 3.0, {0.0, 1000.0, true, false});
      v.burst_spread_s = fault_number(n, f, "spread_s", 1.0, Range::up_to(3600.0));
      v.amplitude = read_law(n, "amplitude", Range::positive(), true);
      if (n.has("coupled_to")) {
        Node c = n.child("coupled_to");
        if (c.expect_object()) {
          CouplingSpec cs;
          cs.asset = c.string("asset", "");
          cs.load_above = c.number("load_above", 0.0, Range::probability());
          c.finish();
          if (!cs.asset.empty() && std::none_of(sc.assets.begin(), sc.assets.end(),
                                                [&](const AssetSpec& a) { return a.id == cs.asset; }))
            diag.error(c.path() + ".asset", "the id of an asset",
                       "string \"" + cs.asset + "\" that names none");
          f.coupled_to = cs;
        }
      }
    } else if (k == "current_loop_failure") {
      const std::string dir = n.choice("direction", {"low", "high"}, "low");
      v.current_ma = n.number("current_ma", dir == "low" ? 3.6 : 21.0, Range::up_to(30.0));
      v.naive_conversion = n.choice("conversion", {"naive", "namur_ne43"}, "naive") == "naive";
    } else if (k == "quantisation") {
      v.adc_bits = static_cast<int>(n.number_required("adc_bits", Range::count(1, 32)).value_or(12));
    } else if (k == "saturation") {
      v.rail_lo = n.number_required("rail_lo", Range::any()).value_or(0.0);
      v.rail_hi = n.number_required("rail_hi", Range::any()).value_or(1.0);
      if (v.rail_hi <= v.rail_lo && n.has("rail_hi"))
        diag.error(n.path() + ".rail_hi", "a number above rail_lo", describe(n.value().at("rail_hi")));
    } else if (k == "stuck_at") {
      if (n.has("value")) {
        v.stuck_at_value = true;
        v.stuck_value = n.number("value", 0.0);
      }
    } else if (k == "sentinel") {
      v.code = n.choice("code", faults::sentinel_codes(), "");
      if (!n.has("code"))
        diag.error(n.path() + ".code", "a code from the catalogue", "nothing (the key is required)");
      if (v.code == "value") v.code_value = n.number_required("code_value", Range::any()).value_or(0.0);
      v.probability = fault_number(n, f, "probability", 1.0, Range::probability());
    } else if (k == "firmware_code_mapping") {
      v.code = n.has("code_value") ? "value" : "midrange";
      if (n.has("code_value")) v.code_value = n.number("code_value", 0.0);
      v.probability = fault_number(n, f, "probability", 1.0, Range::probability());
    } else if (k == "dropout") {
      v.probability = fault_number(n, f, "probability", 1.0, Range::probability());
    }
  }

  /// spoof, replay, tamper (docs/faults.md, "Adversarial faults").
  void read_adversary(Node& n, FaultSpec& f) {
    FaultSpec::Adversary& a = f.adversary;
    read_activity(n, f);
    if (f.kind == "spoof") {
      a.rate_per_s = n.number("rate_per_h", 0.0, Range::up_to(3.6e6)) / 3600.0;
      for (Node t : n.array("at_s", false)) {
        if (t.value().is_number() && t.value().get<double>() >= 0)
          a.at_s.push_back(t.value().get<double>());
        else
          diag.error(t.path(), "a time >= 0 (s)", describe(t.value()));
      }
      if (a.rate_per_s == 0 && a.at_s.empty())
        diag.error(n.path() + ".rate_per_h", "a rate > 0 (forged messages per hour) or at_s times",
                   "neither");
      if (n.has("value")) a.value = n.number("value", 0.0);
      a.seq_ahead = static_cast<std::uint64_t>(n.number("seq_ahead", 1.0, Range::count(0, 1e7)));
      a.readings_per_message =
          static_cast<std::uint32_t>(n.number("readings_per_message", 1.0, Range::count(1, 10000)));
      a.key_compromised = n.boolean("key_compromised", false);
      if (n.has("attacker_device")) {
        a.attacker_device = n.string_required("attacker_device").value_or("");
        const bool known = std::any_of(sc.devices.begin(), sc.devices.end(),
                                       [&](const DeviceSpec& d) { return d.id == a.attacker_device; });
        if (!known)
          diag.error(n.path() + ".attacker_device", "a device id of $.devices",
                     json(a.attacker_device).dump());
        if (a.key_compromised)
          diag.error_message(n.path(), "give key_compromised or attacker_device, not both");
      }
      a.sensor = n.string("sensor", "");
    } else if (f.kind == "replay") {
      a.replay.probability = n.number("probability", 1.0, Range::probability());
      a.replay.delay_s = n.number("delay_s", a.replay.delay_s, Range::positive());
      a.replay.count = static_cast<std::uint64_t>(n.number("count", 0.0, Range::count(0, 1e12)));
    } else {  // tamper
      a.tamper.probability = n.number("probability", 1.0, Range::probability());
      const std::string mode = n.choice("mode", {"offset", "scale", "set"}, "offset");
      a.tamper.mode = faults::tamper_mode(mode);
      a.tamper.amount = n.number_required("amount", Range::any()).value_or(0.0);
      a.sensor = n.string("sensor", "");
    }
    if (!a.sensor.empty()) schema_sensor_checks_.push_back({n.path() + ".sensor", sc.faults.size()});
  }

  std::map<std::string, std::string> line_of;  ///< asset id -> its line (selectors)

  void read_faults(Node& root) {
    std::set<std::string> fault_ids;
    std::vector<std::string> kinds = faults::value_fault_kinds();
    kinds.insert(kinds.end(), kNetworkFaultKinds.begin(), kNetworkFaultKinds.end());
    kinds.insert(kinds.end(), kServiceFaultKinds.begin(), kServiceFaultKinds.end());
    kinds.insert(kinds.end(), kGatewayFaultKinds.begin(), kGatewayFaultKinds.end());
    for (Node n : root.array("faults", false)) {
      if (!n.expect_object()) continue;
      FaultSpec f;
      f.params_json = n.value().dump();
      f.id = n.string_required("id").value_or("");
      if (n.has("id") && !valid_id(f.id)) diag.error(n.path() + ".id", kIdRule, describe(n.value().at("id")));
      if (!f.id.empty() && !fault_ids.insert(f.id).second)
        diag.error_message(n.path() + ".id", "duplicate fault id \"" + f.id + "\"");
      f.kind = n.choice("kind", kinds, "");
      if (!n.has("kind")) diag.error(n.path() + ".kind", "a fault kind", "nothing (the key is required)");
      f.service =
          std::find(kServiceFaultKinds.begin(), kServiceFaultKinds.end(), f.kind) != kServiceFaultKinds.end();
      const bool service = f.service;
      f.gateway_fault =
          std::find(kGatewayFaultKinds.begin(), kGatewayFaultKinds.end(), f.kind) != kGatewayFaultKinds.end();
      f.value_fault =
          !f.kind.empty() && !service && !f.gateway_fault &&
          std::find(kNetworkFaultKinds.begin(), kNetworkFaultKinds.end(), f.kind) == kNetworkFaultKinds.end();
      Selector target;
      if (service) {  // the broker or the cloud: there is one of each
        const std::string own = f.kind == "consumer_retry" ? sc.cloud.id : sc.broker.id;
        target.glob = n.string("target", own);
        target.present = true;
        if (target.glob != own)
          diag.error(n.path() + ".target",
                     "\"" + own + "\" (the " +
                         (f.kind == "consumer_retry" ? std::string("cloud") : std::string("broker")) +
                         "'s id)",
                     describe(n.value().at("target")));
      } else {
        target = read_target(n);
      }
      f.start_s = n.number("start_s", 0.0, Range::non_negative());
      f.end_s = kInf;
      const bool has_end = n.has("end_s"), has_duration = n.has("duration_s");
      if (has_end && has_duration) diag.error_message(n.path(), "give end_s or duration_s, not both");
      if (has_end) f.end_s = n.number("end_s", kInf, Range::non_negative());
      if (has_duration) f.end_s = f.start_s + n.number("duration_s", 0.0, Range::positive());
      if (f.end_s <= f.start_s)
        diag.error(n.path() + ".end_s", "a time after start_s", "a window that ends before it starts");
      if (n.has("enabled_probability")) {  // swarm testing: each seed draws its own fault mix
        const double p = n.number("enabled_probability", 1.0, Range::probability());
        f.enabled = faults::RandomStream(sc.seed, f.id, "enabled").uniform() < p;
      }
      if (f.value_fault) {
        read_value_fault(n, f);
      } else if (f.kind == "packet_loss") {
        read_direction(n, f);
        f.gilbert_elliott =
            n.choice("model", {"bernoulli", "gilbert_elliott"}, "bernoulli") == "gilbert_elliott";
        if (f.gilbert_elliott) {
          f.ge.p_good_to_bad = fault_number(n, f, "p_good_to_bad", 0.0, Range::probability(), true);
          f.ge.p_bad_to_good = fault_number(n, f, "p_bad_to_good", 1.0, {0.0, 1.0, true, false}, true);
          f.ge.loss_good = fault_number(n, f, "loss_good", 0.0, Range::probability());
          f.ge.loss_bad = fault_number(n, f, "loss_bad", 1.0, Range::probability());
        } else {
          f.probability = fault_number(n, f, "probability", 0.0, Range::probability(), true);
        }
      } else if (f.kind == "partition") {
        read_direction(n, f);
        read_activity(n, f);
      } else if (f.kind == "delay") {
        // Default: the uplink (messages); "downlink" delays acknowledgements
        // and NTP responses; "both" each way, drawn separately.
        const std::string d = n.choice("direction", {"both", "uplink", "downlink"}, "uplink");
        f.uplink = d != "downlink";
        f.downlink = d != "uplink";
        read_activity(n, f);
        f.delay = read_law(n, "delay_s", Range::non_negative(), true);
        f.delay_base_s = fault_number(n, f, "base_s", 0.0, Range::up_to(86400.0));
      } else if (f.kind == "corruption") {
        read_activity(n, f);
        f.probability = fault_number(n, f, "probability", 0.0, Range::probability(), true);
        f.corruption_detected = n.boolean("detected", true);
      } else if (f.kind == "rate_limit") {
        read_activity(n, f);
        f.rate_messages_per_s = fault_number(n, f, "messages_per_s", 1.0, {0.0, 1e9, true, false}, true);
        f.rate_burst = n.number("burst", 1.0, {1.0, 1e9, false, false});
      } else if (f.kind == "duplication") {
        read_activity(n, f);
        f.probability = fault_number(n, f, "probability", 0.0, Range::probability(), true);
      } else if (f.kind == "clock_step") {
        if (!n.has("start_s"))
          diag.error(n.path() + ".start_s", "the time of the step", "nothing (the key is required)");
        f.shift_s = fault_number(n, f, "step_s", 0.0, {-1e10, 1e10, false, false}, true);
      } else if (f.kind == "timestamp_null" || f.kind == "timestamp_future" ||
                 f.kind == "timestamp_timezone") {
        read_activity(n, f);
        f.probability = fault_number(n, f, "probability", 1.0, Range::probability());
        if (f.kind == "timestamp_future")
          f.shift_s = fault_number(n, f, "shift_s", 86400.0, Range::positive());
        if (f.kind == "timestamp_timezone")
          f.shift_s = fault_number(n, f, "shift_s", 3600.0, {-86400, 86400, false, false});
      } else if (f.kind == "broker_restart" || f.kind == "bridge_outage" || f.kind == "backhaul_outage") {
        if (!n.has("episodes") && !has_end && !has_duration)
          diag.error(n.path() + ".duration_s", "how long it is down (or episodes)", "nothing");
        read_activity(n, f);
        if (f.kind == "broker_restart")
          f.persistence_interval_s = n.number("persistence_interval_s", 1800.0, Range::non_negative());
      } else if (f.kind == "consumer_retry") {
        read_activity(n, f);
        f.probability = fault_number(n, f, "probability", 0.0, Range::probability(), true);
      } else if (f.kind == "reboot" || f.kind == "pause" || f.kind == "brownout") {
        const bool power_loss = f.kind != "pause";
        if (n.has("episodes")) {
          read_activity(n, f);
        } else {
          if (!n.has("start_s"))
            diag.error(n.path() + ".start_s", "the time it happens", "nothing (the key is required)");
          if (power_loss && !has_end && !has_duration)
            f.end_s = f.start_s + n.number("restart_s", 10.0, Range::period());
          else if (f.kind == "pause" && !has_end && !has_duration)
            diag.error(n.path() + ".duration_s", "how long the firmware stalls", "nothing");
          read_activity(n, f);
        }
        if (power_loss) {
          f.torn_write_probability =
              n.number("torn_write_probability", f.kind == "brownout" ? 1.0 : 0.0, Range::probability());
          f.reboot.persist_boot_epoch = n.boolean("persist_boot_epoch", true);
          f.reboot.persist_sequence = n.boolean("persist_sequence", false);
          if (n.has("clock_reset_error_s"))
            f.clock_reset_error_s = n.number("clock_reset_error_s", 0.0, {-1e10, 1e10, false, false});
        }
      } else if (f.kind == "ota_update") {
        if (!n.has("start_s"))
          diag.error(n.path() + ".start_s", "when the update is offered", "nothing (the key is required)");
        FaultSpec::Ota& o = f.ota;
        o.version = static_cast<std::uint32_t>(n.number("version", o.version, Range::count(2, 1e9)));
        o.image_bytes = static_cast<std::uint64_t>(
            n.number("image_bytes", static_cast<double>(o.image_bytes), Range::count(1, 1e12)));
        o.segment_bytes = static_cast<std::uint64_t>(
            n.number("segment_bytes", static_cast<double>(o.segment_bytes), Range::count(1, 1e12)));
        o.params.chunk_bytes = static_cast<std::uint64_t>(
            n.number("chunk_bytes", static_cast<double>(o.params.chunk_bytes), Range::count(1, 1e12)));
        o.params.resume = n.boolean("resume", o.params.resume);
        o.params.trial_timeout_s = n.number("trial_timeout_s", o.params.trial_timeout_s, Range::period());
        o.params.max_boot_attempts =
            static_cast<int>(n.number("max_boot_attempts", o.params.max_boot_attempts, Range::count(1, 100)));
        o.verify_s = n.number("verify_s", o.verify_s, Range::up_to(3600));
        o.boot_s = n.number("boot_s", o.boot_s, Range::period(3600));
        o.corrupt_probability = n.number("corrupt_probability", 0.0, Range::probability());
        o.crash_probability = n.number("crash_probability", 0.0, Range::probability());
        if (o.boot_s >= o.params.trial_timeout_s)
          diag.error(n.path() + ".trial_timeout_s", "longer than boot_s (" + std::to_string(o.boot_s) + ")",
                     "number " + std::to_string(o.params.trial_timeout_s));
        read_activity(n, f);
      } else if (f.kind == "schema_change") {
        read_activity(n, f);
        f.schema.mode = n.choice("mode", {"field_added", "field_removed", "unit_changed"}, "");
        if (!n.has("mode"))
          diag.error(n.path() + ".mode", "field_added, field_removed or unit_changed",
                     "nothing (the key is required)");
        if (f.schema.mode != "field_added" || n.has("sensor")) {
          f.schema.sensor = n.string_required("sensor").value_or("");
          schema_sensor_checks_.push_back({n.path() + ".sensor", sc.faults.size()});
        }
        f.schema.field = n.string("field", f.schema.field);
        if (f.schema.field.empty()) diag.error(n.path() + ".field", "a field key", "an empty string");
        f.schema.declared = n.boolean("declared", true);
      } else if (f.kind == "spoof" || f.kind == "replay" || f.kind == "tamper") {
        read_adversary(n, f);
      } else if (f.kind == "hmi_setpoint") {
        if (n.has("start_s") || has_end || has_duration)
          diag.error(n.path() + ".at_s", "at_s (an HMI setpoint change is an instant)",
                     "start_s, end_s or duration_s");
        f.start_s = n.number_required("at_s", Range::non_negative()).value_or(0.0);
        f.end_s = f.start_s;
        f.setpoint = n.number_required("value", Range::any()).value_or(0.0);
      } else if (f.kind == "storage_full") {
        if (!n.has("episodes") && !has_duration && !has_end)
          diag.error(n.path() + ".duration_s", "a positive number (storage is full for a window)", "nothing");
        read_activity(n, f);
      } else if (f.kind == "outage") {
        if (n.has("episodes")) {  // a renewal process of outages inside the window
          read_activity(n, f);
        } else {
          if (!has_duration && !has_end)
            diag.error(n.path() + ".duration_s", "a positive number (an outage is a window)", "nothing");
          if (!n.has("start_s"))
            diag.error(n.path() + ".start_s", "a number >= 0", "nothing (the key is required)");
        }
        f.common_cause = n.boolean("common_cause", false);
      }
      n.finish();
      resolve_fault_targets(f, target, n.path());
      sc.faults.push_back(f);
    }
    // A schema change names a sensor each of its target devices has.
    for (const auto& [path, k] : schema_sensor_checks_) {
      const FaultSpec& f = sc.faults[k];
      const std::string& sensor = f.kind == "schema_change" ? f.schema.sensor : f.adversary.sensor;
      for (const std::string& device : f.targets) {
        const auto d = std::find_if(sc.devices.begin(), sc.devices.end(),
                                    [&](const DeviceSpec& x) { return x.id == device; });
        if (d == sc.devices.end()) continue;
        if (std::none_of(d->sensors.begin(), d->sensors.end(),
                         [&](const SensorSpec& s) { return s.id == sensor; }))
          diag.error(path, "the id of a sensor of device \"" + device + "\"",
                     json(sensor).dump() + " (no such sensor)");
      }
    }
  }
  std::vector<std::pair<std::string, std::size_t>> schema_sensor_checks_;  ///< (JSON path, fault index)

  /// A fault's target: a glob on ids, or a selector whose every given field
  /// must match (globs): device, sensor, signal, asset, gateway.
  struct Selector {
    std::string glob;
    std::map<std::string, std::string> fields;
    bool present = false;
  };

  Selector read_target(Node& n) {
    Selector sel;
    if (!n.has("target")) {
      diag.error(n.path() + ".target", "an id pattern or a selector object", "nothing (the key is required)");
      return sel;
    }
    const json& t = n.value().at("target");
    if (t.is_string()) {
      sel.glob = n.string("target", "");
      sel.present = !sel.glob.empty();
      if (sel.glob.empty()) diag.error(n.path() + ".target", "a non-empty id or pattern", "an empty string");
      return sel;
    }
    Node s = n.child("target");
    if (!s.expect_object()) return sel;
    for (const char* key : {"device", "sensor", "signal", "asset", "gateway", "line"})
      if (s.has(key)) sel.fields[key] = s.string(key, "*");
    s.finish();
    if (sel.fields.empty())
      diag.error(s.path(), "at least one of device, sensor, signal, asset, gateway, line",
                 "an empty selector");
    sel.present = !sel.fields.empty();
    return sel;
  }

  static bool selector_matches(const Selector& sel, const std::map<std::string, std::string>& entity) {
    for (const auto& [key, pattern] : sel.fields) {
      const auto it = entity.find(key);
      if (it == entity.end() || !glob_match(pattern, it->second)) return false;
    }
    return true;
  }

  void resolve_fault_targets(FaultSpec& f, const Selector& sel, const std::string& path) {
    if (f.kind.empty() || !sel.present) return;
    if (f.service) {
      f.target_pattern = sel.glob;
      f.targets = {sel.glob};
      return;
    }
    f.target_pattern = sel.glob.empty() ? nlohmann::json(sel.fields).dump() : sel.glob;
    if (line_of.empty())  // asset id -> line, once for every fault
      for (const auto& a : sc.assets) line_of[a.id] = a.line;
    if (f.value_fault) {
      for (const auto& d : sc.devices)
        for (const auto& s : d.sensors) {
          const std::string id = d.id + "/" + s.id;
          const bool match = sel.glob.empty() ? selector_matches(sel, {{"device", d.id},
                                                                       {"sensor", s.id},
                                                                       {"signal", s.signal},
                                                                       {"asset", s.asset},
                                                                       {"gateway", d.gateway},
                                                                       {"line", line_of[s.asset]}})
                                              : glob_match(sel.glob, id);
          if (match) f.targets.push_back(id);
        }
      if (f.targets.empty())
        diag.error(path + ".target",
                   "a target matching at least one sensor (\"device/sensor\", globs allowed)",
                   "\"" + f.target_pattern + "\", which matches none");
      return;
    }
    if (f.gateway_fault) {  // the gateway itself: its id, a glob, or a {gateway} selector
      for (const auto& g : sc.gateways) {
        const bool match =
            sel.glob.empty() ? selector_matches(sel, {{"gateway", g.id}}) : glob_match(sel.glob, g.id);
        if (match) f.targets.push_back(g.id);
      }
      if (f.targets.empty())
        diag.error(path + ".target", "a target matching at least one gateway",
                   "\"" + f.target_pattern + "\", which matches none");
      return;
    }
    // Network faults target devices, or gateways (every device behind them).
    for (const auto& d : sc.devices) {
      const bool match = sel.glob.empty() ? selector_matches(sel, {{"device", d.id}, {"gateway", d.gateway}})
                                          : glob_match(sel.glob, d.id) || glob_match(sel.glob, d.gateway);
      if (match) f.targets.push_back(d.id);
    }
    if (f.targets.empty())
      diag.error(path + ".target", "a target matching at least one device or gateway",
                 "\"" + f.target_pattern + "\", which matches none");
    if (f.kind == "ota_update")
      for (const std::string& d : f.targets)
        if (const auto [it, fresh] = ota_fault_of_.emplace(d, f.id); !fresh)
          diag.error(path + ".target", "devices no other ota_update targets (one update per device)",
                     "device \"" + d + "\", already offered \"" + it->second + "\"");
  }
  std::map<std::string, std::string> ota_fault_of_;  ///< device -> the ota_update fault that targets it

  void read_pipeline(Node& root) {
    std::set<std::string> names;
    auto name_of = [&](Node& n, PipelineSpec& spec) {
      spec.name = n.string("name", spec.name);
      if (!analysis::is_valid_pipeline_name(spec.name))
        diag.error(n.path() + ".name", "a name of letters, digits, '_' and '-'", json(spec.name).dump());
      else if (!names.insert(spec.name).second)
        diag.error(n.path() + ".name", "a name no other pipeline of the scenario has",
                   json(spec.name).dump() + " (twice)");
    };
    if (root.has("pipeline")) {
      Node n = root.child("pipeline");
      if (n.expect_object()) {
        name_of(n, sc.pipeline);
        read_pipeline_spec(n, sc.pipeline);
      }
    } else {
      names.insert(sc.pipeline.name);
    }
    if (root.has("compare_pipelines"))
      for (Node n : root.array("compare_pipelines", true)) {
        if (!n.expect_object()) continue;
        PipelineSpec spec;
        spec.name.clear();
        if (!n.has("name")) {
          diag.error(n.path() + ".name", "a name for the compared pipeline", "nothing (the key is required)");
          n.string("name", "");
        } else {
          name_of(n, spec);
        }
        read_pipeline_spec(n, spec);
        sc.compare_pipelines.push_back(std::move(spec));
      }
  }

  /// `multivariate`: groups of sensors watched together (docs/detectors.md).
  void read_multivariate(Node& n, PipelineSpec& spec) {
    std::set<std::string> names;
    std::set<std::string> known;  // "device/sensor" of every sensor of the scenario
    for (const DeviceSpec& d : sc.devices)
      for (const SensorSpec& s : d.sensors) known.insert(d.id + "/" + s.id);
    for (Node g : n.array("multivariate", true)) {
      if (!g.expect_object()) continue;
      pipeline::MultivariateGroupOptions o;
      o.name = g.string_required("name").value_or("");
      if (!analysis::is_valid_pipeline_name(o.name))
        diag.error(g.path() + ".name", "a name of letters, digits, '_' and '-'", json(o.name).dump());
      else if (!names.insert(o.name).second)
        diag.error(g.path() + ".name", "a name no other group of this pipeline has", json(o.name).dump());
      std::size_t k = 0;
      for (Node s : g.array("sensors", true)) {
        const std::string path = s.path();
        if (!s.value().is_string()) {
          diag.error(path, "a sensor as \"device/sensor\"", describe(s.value()));
          continue;
        }
        // A pattern ("edge-*/vib") names every matching sensor, in scenario order.
        const std::string pattern = s.value().get<std::string>();
        std::size_t matched = 0;
        for (const DeviceSpec& d : sc.devices)
          for (const SensorSpec& x : d.sensors)
            if (glob_match(pattern, d.id + "/" + x.id)) {
              o.sensor_keys.push_back(d.id + "/" + x.id);
              ++matched;
            }
        if (matched == 0)
          diag.error(path, "a sensor (or pattern) naming sensors of $.devices as \"device/sensor\"",
                     json(pattern).dump());
        ++k;
      }
      if (std::set<std::string>(o.sensor_keys.begin(), o.sensor_keys.end()).size() != o.sensor_keys.size())
        diag.error(g.path() + ".sensors", "each sensor once", "a sensor named twice");
      if (o.sensor_keys.size() < 2 && k > 0)
        diag.error(g.path() + ".sensors", "at least 2 sensors (a group)",
                   std::to_string(o.sensor_keys.size()));
      auto& st = o.stage;
      st.row_period_s = g.number_required("row_period_s", Range::positive()).value_or(1.0);
      st.max_row_lag = static_cast<int>(g.number("max_row_lag", st.max_row_lag, Range::count(1)));
      st.incomplete = g.choice("incomplete_rows", {"impute", "skip"}, "impute") == "skip"
                          ? pipeline::IncompleteRows::kSkip
                          : pipeline::IncompleteRows::kImpute;
      o.debounce_rows = static_cast<int>(g.number("debounce_rows", o.debounce_rows, Range::count(1)));
      o.clear_rows = static_cast<int>(g.number("clear_rows", o.clear_rows, Range::count(1)));
      auto& mon = st.monitor;
      mon.epsilon = g.number("epsilon", mon.epsilon, {0.0, 1.0, true, false});
      mon.calibration_fraction =
          g.number("calibration_fraction", mon.calibration_fraction, {0.0, 0.9, false, false});
      mon.pca.confidence = g.number("confidence", mon.pca.confidence, {0.5, 0.9999, false, false});
      if (g.has("components")) {
        Node c = g.child("components");
        if (c.expect_object()) {
          const std::string rule = c.choice(
              "rule", {"parallel_analysis", "kaiser", "cumulative_variance", "fixed"}, "parallel_analysis");
          using R = pipeline::ComponentRule;
          mon.pca.rule = rule == "kaiser"                ? R::kKaiser
                         : rule == "cumulative_variance" ? R::kCumulativeVariance
                         : rule == "fixed"               ? R::kFixed
                                                         : R::kParallelAnalysis;
          if (rule == "fixed")
            mon.pca.fixed_components =
                static_cast<int>(c.number_required("count", Range::count(1)).value_or(1));
          if (rule == "cumulative_variance")
            mon.pca.variance_fraction =
                c.number("fraction", mon.pca.variance_fraction, {0.0, 1.0, true, false});
          c.finish();
        }
      }
      if (!g.has("training"))
        diag.error(g.path() + ".training",
                   "{\"from_s\", \"to_s\"} (a window of normal operation) or {\"file\"}",
                   "nothing (the key is required)");
      Node t = g.has("training") ? g.child("training") : g;
      if (g.has("training") && t.expect_object()) {
        if (t.has("file")) {
          const std::string file = t.string_required("file").value_or("");
          const std::string resolved = beside_scenario(file);
          try {
            Eigen::MatrixXd m = analysis::read_tep_matrix(resolved, static_cast<int>(o.sensor_keys.size()));
            st.training_rows = std::move(m);
          } catch (const std::exception& e) {
            diag.error(t.path() + ".file",
                       "a readable matrix of " + std::to_string(o.sensor_keys.size()) +
                           " columns (one per sensor of the group, in order)",
                       e.what());
          }
        } else {
          st.training_start_s = t.number_required("from_s", Range::non_negative()).value_or(0.0);
          st.training_end_s = t.number_required("to_s", Range::positive()).value_or(1.0);
          if (st.training_end_s <= st.training_start_s)
            diag.error(t.path() + ".to_s", "a time after from_s", json(st.training_end_s).dump());
        }
        t.finish();
      }
      g.finish();
      spec.options.multivariate.push_back(std::move(o));
    }
  }

  /// The measurands a detector can set limits on: the pump signals and the
  /// columns of every recorded asset.
  std::vector<std::string> measurands() const {
    std::vector<std::string> m = {"vibration_rms", "bearing_temp", "motor_current", "flow"};
    for (const AssetSpec& a : sc.assets)
      if (a.recorded && a.recorded->table)
        for (const std::string& c : a.recorded->table->names)
          if (std::find(m.begin(), m.end(), c) == m.end()) m.push_back(c);
    return m;
  }

  /// One pipeline's keys (`pipeline`, or an entry of `compare_pipelines`); finishes `n`.
  void read_pipeline_spec(Node& n, PipelineSpec& spec) {
    auto& o = spec.options;
    if (n.has("multivariate")) read_multivariate(n, spec);
    if (n.has("plugin")) read_plugin(n, spec);
    spec.cost_flops_per_record =
        n.number("cost_flops_per_record", spec.cost_flops_per_record, Range::non_negative());
    if (n.has("validation")) {
      Node v = n.child("validation");
      if (v.expect_object()) {
        o.validation.range_tolerance =
            v.number("range_tolerance", o.validation.range_tolerance, Range::non_negative());
        if (v.has("sentinels")) {
          o.validation.sentinels.clear();
          for (Node s : v.array("sentinels", true)) {
            if (s.value().is_number())
              o.validation.sentinels.push_back(s.value().get<double>());
            else
              diag.error(s.path(), "a number", describe(s.value()));
          }
        }
        o.validation.ne43 = v.boolean("ne43", o.validation.ne43);
        if (v.has("rate_of_change_per_s")) {
          Node l = v.child("rate_of_change_per_s");
          if (l.expect_object()) {
            for (const std::string m : {"vibration_rms", "bearing_temp", "motor_current", "flow"})
              if (l.has(m)) o.rate_of_change.limit_per_s[m] = l.number(m, 1.0, Range::positive());
            l.finish();
          }
        }
        o.rate_of_change.reanchor_after = static_cast<int>(
            v.number("rate_reanchor_after", o.rate_of_change.reanchor_after, Range::count(1, 1e6)));
        o.stuck.readings =
            static_cast<int>(v.number("stuck_readings", o.stuck.readings, Range::count(0, 1e9)));
        if (o.stuck.readings == 1)
          diag.error(v.path() + ".stuck_readings", "0 (off) or at least 2 identical readings", "1");
        if (v.has("timestamps")) {
          Node t = v.child("timestamps");
          if (t.expect_object()) {
            auto& ts = o.timestamps;
            ts.enabled = t.boolean("enabled", true);
            ts.epoch_floor_s = t.number("epoch_floor_s", ts.epoch_floor_s, {-1e12, 0.0, false, false});
            ts.future_tolerance_s =
                t.number("future_tolerance_s", ts.future_tolerance_s, Range::non_negative());
            ts.backwards_tolerance_s =
                t.number("backwards_tolerance_s", ts.backwards_tolerance_s, Range::non_negative());
            t.finish();
          }
        }
        v.finish();
      }
    }
    if (n.has("security")) {
      Node q = n.child("security");
      if (q.expect_object()) {
        const std::string m = q.choice("check", {"off", "identity", "signed"}, "signed");
        o.security.mode = m == "identity" ? pipeline::AuthMode::kIdentity
                          : m == "signed" ? pipeline::AuthMode::kSigned
                                          : pipeline::AuthMode::kOff;
        o.security.replay_window_messages = static_cast<std::uint64_t>(
            q.number("replay_window_messages", static_cast<double>(o.security.replay_window_messages),
                     Range::count(1, 1e6)));
        q.finish();
      }
    }
    if (n.has("ordering")) {
      Node q = n.child("ordering");
      if (q.expect_object()) {
        o.ordering.enabled = q.boolean("enabled", true);
        o.ordering.allowed_lateness_s =
            q.number("allowed_lateness_s", o.ordering.allowed_lateness_s, Range::up_to(86400.0));
        q.finish();
      }
    }
    if (n.has("reconciliation")) {
      Node q = n.child("reconciliation");
      if (q.expect_object()) {
        auto& r = o.reconciliation;
        r.enabled = q.boolean("enabled", true);
        const std::string mode =
            q.choice("mode", {"correct", "receipt_order", "dedup_by_device_time", "plain_lww"}, "correct");
        r.mode = mode == "receipt_order"          ? pipeline::ReconcileMode::kReceiptOrder
                 : mode == "dedup_by_device_time" ? pipeline::ReconcileMode::kDedupByDeviceTime
                 : mode == "plain_lww"            ? pipeline::ReconcileMode::kPlainLastWriter
                                                  : pipeline::ReconcileMode::kCorrect;
        r.windows.window_s = q.number("window_s", r.windows.window_s, {1e-3, 86400.0 * 365, false, false});
        r.windows.allowed_lateness_s =
            q.number("allowed_lateness_s", r.windows.allowed_lateness_s, Range::up_to(86400.0 * 365));
        r.gap_timeout_s = q.number("gap_timeout_s", r.gap_timeout_s, Range::positive());
        r.timestamps.future_tolerance_s =
            q.number("future_tolerance_s", r.timestamps.future_tolerance_s, Range::non_negative());
        r.timestamps.epoch_floor_s =
            q.number("epoch_floor_s", r.timestamps.epoch_floor_s, {-1e12, 0.0, false, false});
        r.timestamps.epoch_before_s =
            q.number("epoch_before_s", r.timestamps.epoch_before_s, Range::non_negative());
        r.timestamps.counter_drift_ppm =
            q.number("counter_drift_ppm", r.timestamps.counter_drift_ppm, Range::up_to(1e6));
        r.sequence_starts_at_zero = q.boolean("sequence_starts_at_zero", r.sequence_starts_at_zero);
        q.finish();
      }
    }
    if (n.has("gaps")) {
      Node q = n.child("gaps");
      if (q.expect_object()) {
        o.gaps.enabled = q.boolean("enabled", true);
        o.gaps.period_factor = q.number("period_factor", o.gaps.period_factor, {1.0, 1e6, false, false});
        o.gaps.fill_max_s = q.number("fill_max_s", o.gaps.fill_max_s, Range::up_to(86400.0));
        q.finish();
      }
    }
    if (n.has("drift")) {
      Node q = n.child("drift");
      if (q.expect_object()) {
        auto& d = o.drift;
        d.enabled = q.boolean("enabled", true);
        d.k_sigma = q.number("k_sigma", d.k_sigma, Range::non_negative());
        d.h_sigma = q.number("h_sigma", d.h_sigma, Range::positive());
        d.training_samples =
            static_cast<int>(q.number("training_samples", d.training_samples, Range::count(2, 1e9)));
        d.peer_fresh_s = q.number("peer_fresh_s", d.peer_fresh_s, Range::positive());
        d.min_sigma_fraction_of_range =
            q.number("min_sigma_fraction_of_range", d.min_sigma_fraction_of_range, Range::non_negative());
        d.baseline_samples =
            static_cast<int>(q.number("baseline_samples", d.baseline_samples, Range::count(0, 1e9)));
        if (q.has("measurands"))
          for (Node m : q.array("measurands", true)) {
            const std::string name = m.value().is_string() ? m.value().get<std::string>() : "";
            if (name != "vibration_rms" && name != "bearing_temp" && name != "motor_current" &&
                name != "flow")
              diag.error(m.path(), "one of vibration_rms, bearing_temp, motor_current, flow",
                         describe(m.value()));
            else
              d.measurands.push_back(name);
          }
        q.finish();
      }
    }
    if (n.has("schema")) {
      Node q = n.child("schema");
      if (q.expect_object()) {
        auto& d = o.schema;
        d.enabled = q.boolean("enabled", true);
        d.missing_messages =
            static_cast<int>(q.number("missing_messages", d.missing_messages, Range::count(1, 1e6)));
        d.undeclared_readings =
            static_cast<int>(q.number("undeclared_readings", d.undeclared_readings, Range::count(1, 1e6)));
        d.jump_sigmas = q.number("jump_sigmas", d.jump_sigmas, Range::positive());
        d.warmup = static_cast<int>(q.number("warmup_readings", d.warmup, Range::count(2, 1e9)));
        q.finish();
      }
    }
    if (n.has("alerts")) {
      Node q = n.child("alerts");
      if (q.expect_object()) {
        o.alerts.suppress_on_sensor_fault =
            q.boolean("suppress_on_sensor_fault", o.alerts.suppress_on_sensor_fault);
        o.alerts.critical_score = q.number("critical_score", o.alerts.critical_score, Range::non_negative());
        q.finish();
      }
    }
    if (n.has("detector")) {
      Node d = n.child("detector");
      if (d.expect_object()) {
        const std::string kind = d.choice("kind", {"ewma_zscore", "threshold", "none"}, "ewma_zscore");
        if (kind == "none") {
          o.detector = pipeline::DetectorKind::kNone;
        } else if (kind == "ewma_zscore") {
          o.detector = pipeline::DetectorKind::kEwmaZScore;
          auto& e = o.ewma;
          e.alpha = d.number("alpha", e.alpha, {0.0, 1.0, true, false});
          e.z_raise = d.number("z_raise", e.z_raise, Range::positive());
          e.z_clear = d.number("z_clear", e.z_clear, Range::positive());
          e.warmup_samples = static_cast<int>(d.number("warmup_samples", e.warmup_samples, Range::count(2)));
          e.debounce_samples =
              static_cast<int>(d.number("debounce_samples", e.debounce_samples, Range::count(1)));
          e.clear_samples = static_cast<int>(d.number("clear_samples", e.clear_samples, Range::count(1)));
          e.rebaseline_after_samples = static_cast<int>(
              d.number("rebaseline_after_samples", e.rebaseline_after_samples, Range::count(0)));
          e.min_std_fraction_of_range =
              d.number("min_std_fraction_of_range", e.min_std_fraction_of_range, Range::non_negative());
          if (e.z_clear > e.z_raise)
            diag.error(d.path() + ".z_clear",
                       "a value <= z_raise = " + json(e.z_raise).dump() + " (hysteresis)",
                       "z_clear = " + json(e.z_clear).dump() +
                           (d.value().contains("z_clear") ? "" : " (the default)"));
        } else {
          o.detector = pipeline::DetectorKind::kThreshold;
          auto& t = o.threshold;
          t.debounce_samples =
              static_cast<int>(d.number("debounce_samples", t.debounce_samples, Range::count(1)));
          t.clear_samples = static_cast<int>(d.number("clear_samples", t.clear_samples, Range::count(1)));
          if (d.has("limits")) {
            Node l = d.child("limits");
            if (l.expect_object()) {
              for (const std::string& m : measurands()) {
                if (!l.has(m)) continue;
                Node lim = l.child(m);
                if (!lim.expect_object()) continue;
                pipeline::ThresholdLimits x;
                x.high = lim.number("high", x.high);
                x.low = lim.number("low", x.low);
                x.hysteresis = lim.number("hysteresis", 0.0, Range::non_negative());
                lim.finish();
                t.by_measurand[m] = x;
              }
              l.finish();
            }
          } else {
            diag.error(d.path() + ".limits", "an object of limits per measurand",
                       "nothing (the key is required)");
          }
        }
        d.finish();
      }
    }
    n.finish();
  }

  /// `plugin` (docs/plugins.md): a shared library run instead of the reference
  /// pipeline. Loaded here, so that a missing file, entry point or ABI version
  /// is a scenario error.
  void read_plugin(Node& n, PipelineSpec& spec) {
    for (const std::string key : {"validation", "detector", "multivariate", "security"})
      if (n.value().contains(key))
        diag.error(n.path() + "." + key, "no " + key + " beside a plugin (its settings go in plugin.config)",
                   describe(n.value()[key]));
    Node p = n.child("plugin");
    if (!p.expect_object()) return;
    PluginSpec plugin;
    const std::optional<std::string> path = p.string_required("path");
    if (p.has("config")) plugin.config_json = p.child("config").value().dump();
    p.finish();
    if (!path) return;
    if (path->empty()) {
      diag.error(p.path() + ".path", "the path of a plugin library", "an empty string");
      return;
    }
    std::filesystem::path file(*path);
    if (file.is_relative()) file = std::filesystem::path(sc.file).parent_path() / file;
    plugin.path = file.lexically_normal().string();
    try {
      open_plugin(plugin.path);
    } catch (const PluginError& e) {
      diag.error(p.path() + ".path", "a twinbed pipeline plugin (docs/plugins.md)", e.what());
    }
    spec.plugin = std::move(plugin);
  }

  void read_misc(Node& root) {
    if (root.has("operator")) {
      Node n = root.child("operator");
      if (n.expect_object()) {
        OperatorSpec& o = sc.operator_;
        o.enabled = true;
        o.min_severity = n.choice("min_severity", {"warning", "critical"}, "warning") == "critical"
                             ? pipeline::Severity::kCritical
                             : pipeline::Severity::kWarning;
        o.response_time_s = n.number("response_time_s", o.response_time_s, Range::non_negative());
        o.restart_after_s = n.number("restart_after_s", o.restart_after_s, Range::positive());
        o.command_ttl_s = n.number("command_ttl_s", o.command_ttl_s, Range::positive());
        o.command_bytes = static_cast<std::size_t>(
            n.number("command_bytes", static_cast<double>(o.command_bytes), Range::count(1)));
        n.finish();
      }
    }
    if (root.has("cloud_commands"))
      for (Node n : root.array("cloud_commands", false)) {
        if (!n.expect_object()) continue;
        CloudCommandSpec c;
        c.at_s = n.number_required("at_s", Range::up_to(sc.duration_s)).value_or(0.0);
        const std::optional<std::string> device = n.string_required("device");
        if (device) {
          c.device = *device;
          bool known = false;
          for (const DeviceSpec& d : sc.devices) known = known || d.id == *device;
          if (!known)
            diag.error(n.path() + ".device", "the id of a device (expanded)", "\"" + *device + "\"");
        }
        const std::string kind = n.choice("kind", {"stop", "start", "setpoint"}, "stop");
        c.kind = kind == "start"      ? pipeline::CommandKind::kStart
                 : kind == "setpoint" ? pipeline::CommandKind::kSetpoint
                                      : pipeline::CommandKind::kStop;
        if (c.kind == pipeline::CommandKind::kSetpoint) {
          c.value = n.number_required("value").value_or(0.0);
        } else {
          c.value = c.kind == pipeline::CommandKind::kStart ? 1.0 : 0.0;
          if (n.has("value"))
            diag.error(n.path() + ".value", "no value (only a setpoint command has one)", "a value");
        }
        n.finish();
        sc.cloud_commands.push_back(std::move(c));
      }
    if (root.has("security")) {
      Node n = root.child("security");
      if (n.expect_object()) {
        SecuritySpec& s = sc.security;
        const std::string a =
            n.choice("authentication", {"none", "tls_client_cert", "signed_payload"}, "none");
        s.authentication = a == "tls_client_cert"  ? Authentication::kTlsClientCert
                           : a == "signed_payload" ? Authentication::kSignedPayload
                                                   : Authentication::kNone;
        s.persist_counter = n.boolean("persist_counter", s.persist_counter);
        s.mac_bytes = static_cast<std::uint32_t>(n.number("mac_bytes", s.mac_bytes, Range::count(0, 4096)));
        s.counter_bytes =
            static_cast<std::uint32_t>(n.number("counter_bytes", s.counter_bytes, Range::count(0, 64)));
        n.finish();
      }
    }
    if (root.has("scoring")) {
      Node n = root.child("scoring");
      if (n.expect_object()) {
        sc.scoring.early_warning_s =
            n.number("early_warning_s", sc.scoring.early_warning_s, Range::non_negative());
        sc.scoring.post_failure_grace_s =
            n.number("post_failure_grace_s", sc.scoring.post_failure_grace_s, Range::non_negative());
        sc.scoring.attribution_lookback_s =
            n.number("attribution_lookback_s", sc.scoring.attribution_lookback_s, Range::non_negative());
        n.finish();
      }
    }
    if (root.has("trace")) {
      Node n = root.child("trace");
      if (n.expect_object()) {
        sc.trace.level = n.choice("level", {"full", "events"}, "full") == "events" ? TraceLevel::kEvents
                                                                                   : TraceLevel::kFull;
        sc.trace.compression =
            static_cast<int>(n.number("compression", sc.trace.compression, {0, 9, false, true}));
        n.finish();
      }
    }
    if (root.has("reconciliation_check")) {
      Node n = root.child("reconciliation_check");
      if (n.expect_object()) {
        sc.reconciliation_check.quiet_from_s = n.number_required("quiet_from_s", Range::up_to(sc.duration_s));
        n.number("alert_match_window_s", sc.reconciliation_check.alert_match_window_s, {0.0, 1e8});
        if (n.has("drain_overhead"))
          sc.reconciliation_check.drain_overhead = n.number("drain_overhead", 0.0, {0.0, 1e6});
        if (n.has("live_latency_slo_s"))
          sc.reconciliation_check.live_latency_slo_s =
              n.number("live_latency_slo_s", 0.0, {0.0, 1e10, true, false});
        n.finish();
        if (const auto quiet = sc.reconciliation_check.quiet_from_s)
          for (std::size_t i = 0; i < sc.faults.size(); ++i) {
            const FaultSpec& f = sc.faults[i];
            const double end_s = f.kind == "clock_step" ? f.start_s : f.end_s;  // an instant
            if (!f.enabled || end_s <= *quiet || f.start_s >= sc.duration_s) continue;
            std::ostringstream found;
            found << "fault \"" << f.id << "\" (" << f.kind << ") active until "
                  << (std::isfinite(end_s) ? std::to_string(end_s) + " s"
                                           : std::string("the end of the run"));
            diag.error(
                n.path() + ".quiet_from_s",
                "a quiet period that starts after every fault window ends (set the fault's end_s at or "
                "before " +
                    std::to_string(*quiet) + " s)",
                found.str());
          }
      }
    }
    if (root.has("expect")) {
      Node n = root.child("expect");
      if (n.expect_object()) {
        for (const auto& item : n.value().items()) {
          const std::string p = n.path() + "." + item.key();
          if (!analysis::is_known_metric(item.key())) {
            diag.error(p, "a metric name of the report (see docs/metrics.md)", "\"" + item.key() + "\"");
            n.has(item.key());
            continue;
          }
          if (analysis::is_device_metric(item.key())) {
            const std::string& key = item.key();
            const std::string id = key.substr(7, key.rfind('.') - 7);
            const bool known = std::any_of(sc.devices.begin(), sc.devices.end(),
                                           [&](const DeviceSpec& d) { return d.id == id; });
            if (!known)
              diag.error(p, "device.<id>.<figure> with the id of a device in $.devices", "\"" + key + "\"");
            else if (sc.devices.size() > analysis::kPerDeviceReportLimit)
              diag.error_message(p, "per-device figures are reported for plants of up to " +
                                        std::to_string(analysis::kPerDeviceReportLimit) +
                                        " devices; this one has " + std::to_string(sc.devices.size()));
          }
          if (analysis::is_pipeline_metric(item.key())) {
            const std::string& key = item.key();
            const std::string name = key.substr(10, key.find('.', 10) - 10);
            const bool known = name == sc.pipeline.name ||
                               std::any_of(sc.compare_pipelines.begin(), sc.compare_pipelines.end(),
                                           [&](const PipelineSpec& q) { return q.name == name; });
            if (!known)
              diag.error(p,
                         "pipelines.<name>.<figure> with the name of $.pipeline (\"" + sc.pipeline.name +
                             "\") or of one in $.compare_pipelines",
                         "\"" + key + "\"");
          }
          if (analysis::is_calibration_metric(item.key()) && !sc.pipeline.plugin) {
            // The reference pipeline reports one calibration per conformal multivariate group
            // (a plugin names its own detectors: those are known only at run time).
            const std::string& key = item.key();
            const std::string group = key.substr(12, key.find('.', 12) - 12);
            std::string groups;
            bool known = false;
            for (const pipeline::MultivariateGroupOptions& g : sc.pipeline.options.multivariate) {
              if (g.stage.monitor.calibration_fraction <= 0) continue;  // parametric limits: no claim
              groups += (groups.empty() ? "\"" : ", \"") + g.name + "\"";
              known |= g.name == group;
            }
            if (!known)
              diag.error(p,
                         "calibration.<group>.<figure> with the name of a conformal group of "
                         "$.pipeline.multivariate (" +
                             (groups.empty() ? std::string("there is none") : groups) + ")",
                         "\"" + key + "\"");
          }
          Node b = n.child(item.key());
          if (!b.expect_object()) continue;
          Expectation e{item.key(), std::nullopt, std::nullopt};
          if (b.has("min")) e.min = b.number_required("min");
          if (b.has("max")) e.max = b.number_required("max");
          if (!e.min && !e.max) diag.error(p, "{\"min\": x} and/or {\"max\": y}", describe(b.value()));
          b.finish();
          sc.expect.push_back(e);
        }
      }
    }
  }

  /// A gateway's LoRaWAN devices share its region, and its downlink settings
  /// exist in that region (RP002 tables): checked here, where the devices are known.
  void check_lora_gateways() {
    for (const GatewaySpec& g : sc.gateways) {
      std::optional<net::LoraRegion> region;
      for (const DeviceSpec& d : sc.devices) {
        if (d.gateway != g.id || !d.protocol.is(Protocol::kLorawan)) continue;
        const std::string where = "$.gateways: gateway \"" + g.id + "\"";
        if (region && *region != d.protocol.region) {
          diag.error_message(where, "serves LoRaWAN devices of two regions (" + net::to_string(*region) +
                                        " and " + net::to_string(d.protocol.region) +
                                        "); one gateway, one region");
          break;
        }
        region = d.protocol.region;
        try {
          if (g.lora_rx2_data_rate) net::downlink_data_rate(*region, *g.lora_rx2_data_rate);
        } catch (const std::invalid_argument& e) {
          diag.error(where + ".lora.rx2_data_rate",
                     std::string("a downlink data rate of its devices' region: ") + e.what(),
                     "number " + std::to_string(*g.lora_rx2_data_rate));
          break;
        }
        try {
          net::rx1_data_rate(*region, d.protocol.data_rate, g.lora_rx1_dr_offset);
        } catch (const std::invalid_argument& e) {
          diag.error(where + ".lora.rx1_dr_offset", std::string("an offset the region allows: ") + e.what(),
                     "number " + std::to_string(g.lora_rx1_dr_offset));
          break;
        }
      }
    }
  }

  void check_references() {
    if (sc.assets.empty()) diag.error("$.assets", "at least one asset", "none");
    if (sc.gateways.empty()) diag.error("$.gateways", "at least one gateway", "none");
    if (sc.devices.empty()) diag.error("$.devices", "at least one device", "none");
    std::map<std::string, std::string> host_ids;  // id -> what
    auto claim = [&](const std::string& id, const std::string& what) {
      auto [it, fresh] = host_ids.emplace(id, what);
      if (!fresh) diag.error_message("$", "id \"" + id + "\" is used by both " + it->second + " and " + what);
    };
    for (const auto& g : sc.gateways) claim(g.id, "a gateway");
    for (const auto& d : sc.devices) claim(d.id, "a device");
    claim(sc.broker.id, "the broker");
    claim(sc.cloud.id, "the cloud");
    std::set<std::string> assets;
    for (const auto& a : sc.assets)
      if (!assets.insert(a.id).second) diag.error_message("$.assets", "duplicate asset id \"" + a.id + "\"");
    std::set<std::string> gateways;
    for (const auto& g : sc.gateways) gateways.insert(g.id);
    for (std::size_t k = 0; k < sc.devices.size(); ++k) {
      const auto& d = sc.devices[k];
      if (!d.gateway.empty() && !gateways.count(d.gateway))
        diag.error("$.devices (device \"" + d.id + "\").gateway", "the id of a gateway in $.gateways",
                   "\"" + d.gateway + "\", which does not exist");
      for (const auto& s : d.sensors)
        if (!s.asset.empty() && !assets.count(s.asset))
          diag.error("$.devices (device \"" + d.id + "\").sensors (sensor \"" + s.id + "\").asset",
                     "the id of an asset in $.assets", "\"" + s.asset + "\", which does not exist");
    }
    check_recorded_sensors();
  }

  /// Sensors name a signal their asset has: a pump signal, or a column of the
  /// recording (whose range, unless given, is the column's, widened by a tenth
  /// of its span each side). Interlocks and load-coupled faults need a pump
  /// (they stop it, or follow its load).
  void check_recorded_sensors() {
    std::map<std::string, const AssetSpec*> by_id;
    for (const auto& a : sc.assets) by_id.emplace(a.id, &a);
    static const std::set<std::string> pump_signals = {"vibration_rms", "bearing_temp", "motor_current",
                                                       "flow", "vibration_waveform"};
    std::map<std::string, const AssetSpec*> asset_of_sensor;  // "device/sensor" -> its asset
    for (auto& d : sc.devices) {
      for (auto& s : d.sensors) {
        const auto it = by_id.find(s.asset);
        if (it == by_id.end() || s.signal.empty()) continue;
        const AssetSpec& a = *it->second;
        asset_of_sensor[d.id + "/" + s.id] = &a;
        const std::string where = s.path + ".signal (device \"" + d.id + "\")";
        if (!a.recorded) {
          if (!pump_signals.count(s.signal))
            diag.error(where,
                       "one of the pump signals (vibration_rms, bearing_temp, motor_current, flow, "
                       "vibration_waveform)",
                       "\"" + s.signal + "\"");
          continue;
        }
        if (!a.recorded->table) continue;  // the recording did not load: already an error
        const devices::RecordedTable& t = *a.recorded->table;
        const auto column = t.column_index(s.signal);
        if (!column) {
          std::string some;
          for (std::size_t c = 0; c < t.names.size() && c < 4; ++c) some += (c ? ", " : "") + t.names[c];
          diag.error(where,
                     "a column of the recording of asset \"" + a.id + "\" (" + some +
                         (t.names.size() > 4 ? ", ..." : "") + ")",
                     "\"" + s.signal + "\", which " + t.source + " does not have");
          continue;
        }
        if (!s.range_given) {
          const auto [lo, hi] = t.column_range(*column);
          const double pad = hi > lo ? 0.1 * (hi - lo) : std::max(1.0, 0.1 * std::abs(hi));
          s.params.range_lo = lo - pad;
          s.params.range_hi = hi + pad;
        }
      }
      for (std::size_t k = 0; k < d.interlocks.size(); ++k) {
        if (d.interlocks[k].sensor >= d.sensors.size()) continue;
        const auto& s = d.sensors[d.interlocks[k].sensor];
        const auto it = by_id.find(s.asset);
        if (it != by_id.end() && it->second->recorded)
          diag.error("$.devices (device \"" + d.id + "\").edge.interlocks[" + std::to_string(k) + "]",
                     "a sensor on a pump (an interlock stops its asset)",
                     "sensor \"" + s.id + "\" on the recorded asset \"" + s.asset + "\"");
      }
    }
    for (const FaultSpec& f : sc.faults) {
      if (!f.coupled_to) continue;
      for (const std::string& target : f.targets) {
        const auto it = asset_of_sensor.find(target);
        if (it == asset_of_sensor.end()) continue;
        const auto named = by_id.find(f.coupled_to->asset);
        const AssetSpec* a = f.coupled_to->asset.empty() ? it->second
                             : named == by_id.end()      ? nullptr
                                                         : named->second;
        if (a && a->recorded) {
          diag.error("$.faults (fault \"" + f.id + "\").coupled_to",
                     "a pump asset (a coupling follows a pump's load)",
                     "the recorded asset \"" + a->id + "\" (for " + target + ")");
          break;
        }
      }
    }
  }
};
}  // namespace

std::optional<std::string> expand_id(const std::string& pattern, long i) {
  // Iterative: one pass over the pattern, each "{i[/N][:0W]}" replaced.
  auto digits_at = [&](std::size_t& pos, long& value) {
    const std::size_t start = pos;
    value = 0;
    while (pos < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[pos])) && pos - start < 9)
      value = value * 10 + (pattern[pos++] - '0');
    return pos > start;
  };
  std::string out;
  std::size_t pos = 0;
  while (pos < pattern.size()) {
    const char c = pattern[pos];
    if (c == '}') return std::nullopt;  // a stray brace
    if (c != '{') {
      out += c;
      ++pos;
      continue;
    }
    if (++pos >= pattern.size() || pattern[pos++] != 'i') return std::nullopt;
    long value = i, width = 0, divisor = 0;
    if (pos < pattern.size() && pattern[pos] == '/') {
      ++pos;
      if (!digits_at(pos, divisor) || divisor <= 0) return std::nullopt;
      value = (i - 1) / divisor + 1;
    }
    if (pos < pattern.size() && pattern[pos] == ':') {
      ++pos;
      if (!digits_at(pos, width) || width > 12) return std::nullopt;
    }
    if (pos >= pattern.size() || pattern[pos++] != '}') return std::nullopt;
    std::string digits = std::to_string(value);
    if (static_cast<long>(digits.size()) < width)
      digits.insert(0, static_cast<std::size_t>(width) - digits.size(), '0');
    out += digits;
  }
  return out;
}

std::size_t Scenario::sensor_count() const {
  std::size_t n = 0;
  for (const auto& d : devices) n += d.sensors.size();
  return n;
}

Scenario parse_scenario(const std::string& text, const std::string& file, std::optional<std::uint64_t> seed) {
  Diagnostics diag(file);
  json doc;
  // nlohmann/json keeps the last of two equal keys; a duplicated key is
  // almost always a mistake, so it is an error here. The callback tracks, per
  // open object, the keys seen so far.
  std::vector<std::vector<std::string>> open_objects;
  std::vector<std::string> duplicates;
  auto on_event = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start)
      open_objects.emplace_back();
    else if (event == json::parse_event_t::object_end && !open_objects.empty())
      open_objects.pop_back();
    else if (event == json::parse_event_t::key && !open_objects.empty()) {
      const std::string key = parsed.get<std::string>();
      auto& seen = open_objects.back();
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) duplicates.push_back(key);
      seen.push_back(key);
    }
    return true;
  };
  try {
    doc = json::parse(text, on_event);
  } catch (const json::exception& e) {  // parse errors, and numbers that overflow a double
    if (const auto* pe = dynamic_cast<const json::parse_error*>(&e)) {
      // Turn the byte offset into line:column for the user.
      std::size_t line = 1, col = 1;
      for (std::size_t k = 0; k + 1 < pe->byte && k < text.size(); ++k) {
        if (text[k] == '\n')
          ++line, col = 1;
        else
          ++col;
      }
      diag.error_message("line " + std::to_string(line) + ", column " + std::to_string(col),
                         "not valid JSON (" + std::string(e.what()) + ")");
    } else {
      diag.error_message("$", "not valid JSON (" + std::string(e.what()) + ")");
    }
    diag.throw_if_errors();
  }
  for (const auto& key : duplicates)
    diag.error_message("$", "the key \"" + key + "\" appears twice in one object");
  Node root(doc, "$", diag);
  Loader loader{diag, {}, {}, {}, {}};
  loader.sc.file = file;
  if (!root.expect_object()) diag.throw_if_errors();
  if (doc.contains("study")) {  // a study file (docs/pdm.md) has its own command
    diag.error("$.study", "no such key in a scenario (a study file runs with `twinbed pdm-study`)",
               describe(doc.at("study")));
    diag.throw_if_errors();
  }
  const auto version = root.number_required("twinbed", Range::count(1));
  if (version && *version != kScenarioFormatVersion)
    diag.error("$.twinbed", "format version " + std::to_string(kScenarioFormatVersion),
               describe(doc.at("twinbed")));
  Scenario& sc = loader.sc;
  sc.name = root.string("name", "");
  sc.description = root.string("description", "");
  sc.seed = static_cast<std::uint64_t>(root.number("seed", 1, {0, 9007199254740991.0, false, true}));
  if (seed) sc.seed = *seed;
  sc.duration_s = root.number_required("duration_s", {0.0, kMaxDuration_s, true, false}).value_or(1.0);
  loader.read_assets(root);
  loader.read_gateways(root);
  loader.read_broker_cloud(root);
  loader.read_devices(root);
  loader.read_faults(root);
  loader.read_pipeline(root);
  loader.read_misc(root);
  root.finish();
  loader.check_references();
  loader.check_lora_gateways();
  diag.throw_if_errors();
  return std::move(loader.sc);
}

Scenario load_scenario(const std::string& path, std::optional<std::uint64_t> seed) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError({path + ": cannot open the scenario file"});
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), path, seed);
}

}  // namespace twinbed::sim
