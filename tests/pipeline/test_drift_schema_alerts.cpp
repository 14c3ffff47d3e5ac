// Peer CUSUM drift, schema drift, alert management.
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "pipeline/alert_manager.hpp"
#include "pipeline/peer_drift.hpp"
#include "pipeline/schema_monitor.hpp"

using namespace twinbed::pipeline;

namespace {
std::vector<SensorInfo> three_pumps() {
  std::vector<SensorInfo> s;
  for (const char* d : {"edge-01", "edge-02", "edge-03"})
    s.push_back({d, "temp", "bearing_temp", "degC", 0, 160, 1});
  return s;
}
/// Steps the CUSUM of sensor 0 against two healthy peers; sensor 0 gets `drift_per_s` from `from_s`.
int first_raise(PeerDrift& d, std::mt19937_64& gen, int n, double drift_per_s, int from_s) {
  std::normal_distribution<double> noise(0.0, 0.2);
  for (int i = 0; i < n; ++i) {
    const double t = i, level = 50.0 + 2.0 * std::sin(i / 600.0);  // the plant's common load cycle
    d.update(1, t, level + 1.0 + noise(gen));
    d.update(2, t, level - 1.0 + noise(gen));
    const double own = level + noise(gen) + (i >= from_s ? drift_per_s * (i - from_s) : 0.0);
    if (const auto tr = d.update(0, t, own); tr && tr->transition == AlertTransition::kRaise) return i;
  }
  return -1;
}
}  // namespace

namespace {
MessageInfo message(std::uint32_t device, std::uint32_t schema_version, std::span<const FieldDecl> fields) {
  MessageInfo m;
  m.device = device;
  m.schema_version = schema_version;
  m.fields = fields;
  return m;
}
}  // namespace

TEST_CASE("peer CUSUM: no raise on healthy sensors over 20 000 samples; a 1 sigma/min drift is caught") {
  const auto sensors = three_pumps();
  PeerDriftOptions o;
  o.enabled = true;  // k = 1, h = 10 sigma: in-control ARL ≈ e^(2k(h+1.166))/(4k²) > 10^9 (Siegmund)
  {
    PeerDrift d(o, sensors);
    std::mt19937_64 gen(11);
    CHECK(first_raise(d, gen, 20000, 0.0, 0) == -1);
    // The residual (own − median of two peers) has sigma sqrt(0.2² + 0.2²/2) ≈ 0.245, learned within 15 %.
    CHECK(d.residual_sigma(0) == doctest::Approx(0.245).epsilon(0.15));
  }
  {
    PeerDrift d(o, sensors);
    std::mt19937_64 gen(12);
    // 0.004 degC/s ≈ 1 sigma per minute: z passes k after ~60 s, then S grows quadratically: ~150 s.
    const int at = first_raise(d, gen, 5000, 0.004, 2000);
    CHECK(at > 2000);
    CHECK(at < 2000 + 300);
  }
}

TEST_CASE(
    "schema: added field, missing field after N messages, declared unit change, undeclared unit change") {
  std::vector<SensorInfo> s = {{"edge-01", "temp", "bearing_temp", "degC", 0, 160, 1},
                               {"edge-01", "vib", "vibration_rms", "mm/s", 0, 50, 1}};
  const std::vector<std::string> devices = {"edge-01"};
  SchemaOptions o;
  o.enabled = true;
  o.missing_messages = 3;
  o.undeclared_readings = 5;
  o.warmup = 50;
  SchemaMonitor m(o, s, devices);
  std::vector<FieldDecl> normal = {{0, "temp", "degC"}, {1, "vib", "mm/s"}};
  m.on_message(message(0, 1, normal));
  CHECK(m.flags(0) == 0);
  std::vector<FieldDecl> added = {{0, "temp", "degC"}, {1, "vib", "mm/s"}, {kUnregisteredField, "extra", ""}};
  m.on_message(message(0, 2, added));
  m.on_message(message(0, 2, added));
  CHECK(m.fields_added() == 1);  // once per new key
  std::vector<FieldDecl> no_vib = {{0, "temp", "degC"}};
  m.on_message(message(0, 2, no_vib));
  m.on_message(message(0, 2, no_vib));
  CHECK_FALSE((m.flags(1) & kSchemaMissing) != 0);
  m.on_message(message(0, 2, no_vib));
  CHECK((m.flags(1) & kSchemaMissing) != 0);
  m.on_message(message(0, 1, normal));
  CHECK_FALSE((m.flags(1) & kSchemaMissing) != 0);
  std::vector<FieldDecl> fahrenheit = {{0, "temp", "degF"}, {1, "vib", "mm/s"}};
  m.on_message(message(0, 2, fahrenheit));
  CHECK(m.unit_mismatch(0));
  m.on_message(message(0, 1, normal));
  CHECK_FALSE(m.unit_mismatch(0));
  // Undeclared: the values jump from ~60 degC to ~140 (degF) with the header unchanged.
  std::mt19937_64 gen(3);
  std::normal_distribution<double> noise(0.0, 0.3);
  for (int i = 0; i < 200; ++i) m.on_reading(0, 60 + noise(gen));
  CHECK_FALSE((m.flags(0) & kSchemaUnitUndeclared) != 0);
  for (int i = 0; i < 4; ++i) m.on_reading(0, 1.8 * (60 + noise(gen)) + 32);
  CHECK_FALSE((m.flags(0) & kSchemaUnitUndeclared) != 0);
  m.on_reading(0, 1.8 * (60 + noise(gen)) + 32);
  CHECK((m.flags(0) & kSchemaUnitUndeclared) != 0);
  CHECK(m.unit_undeclared_events() == 1);
  m.on_reading(0, 60.2);  // back in degC
  CHECK_FALSE((m.flags(0) & kSchemaUnitUndeclared) != 0);
  // A legitimate step of the same size that is no known conversion: not a unit change.
  for (int i = 0; i < 20; ++i) m.on_reading(0, 100 + noise(gen));
  CHECK(m.unit_undeclared_events() == 1);
}

TEST_CASE("alert manager: sensor-fault episodes, suppression of process alerts, severity bands") {
  AlertOptions o;
  o.critical_score = 12.0;
  AlertManager m(o, 2);
  std::vector<AlertEvent> a;
  Record r;
  m.on_process(0, {AlertTransition::kRaise, 7.0, Severity::kCritical}, r, a);
  REQUIRE(a.size() == 1);
  CHECK(a[0].severity == Severity::kWarning);  // 7 < 12: the band overrides the detector
  CHECK(a[0].kind == AlertKind::kProcess);
  // The sensor gets flagged: a sensor-fault raise, and the open process alert is cleared.
  m.set_reason(0, kReasonStuck, true);
  m.sync(0, r, 0, a);
  REQUIRE(a.size() == 3);
  CHECK(a[1].kind == AlertKind::kSensorFault);
  CHECK(a[1].transition == AlertTransition::kRaise);
  CHECK(a[2].kind == AlertKind::kProcess);
  CHECK(a[2].transition == AlertTransition::kClear);
  m.on_process(0, {AlertTransition::kClear, 1.0, Severity::kWarning}, r, a);   // swallowed
  m.on_process(0, {AlertTransition::kRaise, 20.0, Severity::kWarning}, r, a);  // suppressed
  CHECK(a.size() == 3);
  CHECK(m.suppressed() == 1);
  m.set_reason(0, kReasonDrift, true);
  m.set_reason(0, kReasonStuck, false);
  m.sync(0, r, 0, a);
  CHECK(a.size() == 3);  // still flagged (drift): no transition
  m.set_reason(0, kReasonDrift, false);
  m.sync(0, r, 0, a);
  REQUIRE(a.size() == 4);
  CHECK(a[3].transition == AlertTransition::kClear);
  CHECK(a[3].kind == AlertKind::kSensorFault);
  m.on_process(1, {AlertTransition::kRaise, 20.0, Severity::kWarning}, r, a);
  CHECK(a.back().severity == Severity::kCritical);
}
