// The reconciliation checker on hand-built histories: each property passes on
// a correct history and fails, with the right witness, on a deliberately
// wrong one (the negative controls of issue 6, point 6, at the checker level).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <tuple>

#include "analysis/reconciliation_check.hpp"
#include "analysis/trace_tables.hpp"
#include "tests/analysis/reconciliation_fixture.hpp"

using namespace twinbed::analysis;
using twinbed::pipeline::ViewChange;
namespace fx = twinbed::test;

namespace {

const PropertyVerdict& prop(const ReconciliationVerdicts& v, const std::string& id) {
  for (const auto& p : v.properties)
    if (p.id == id) return p;
  FAIL("no property " << id);
  return v.properties.front();
}
std::optional<double> metric(const ReconciliationVerdicts& v, const std::string& id,
                             const std::string& name) {
  for (const auto& [n, x] : prop(v, id).metrics)
    if (n == name) return x;
  FAIL("no metric " << id << "." << name);
  return std::nullopt;
}
bool names_fault(const Witness& w, const std::string& fault_id) {
  return std::any_of(w.faults.begin(), w.faults.end(),
                     [&](const WitnessFault& f) { return f.fault_id == fault_id; });
}
bool names_event(const Witness& w, std::uint32_t device, std::uint64_t seq) {
  return std::any_of(w.events.begin(), w.events.end(),
                     [&](const WitnessEvent& e) { return e.device == device && e.seq == seq; });
}
CloudViewRow* find_insert(ReconciliationInput& in, std::uint32_t device, std::uint64_t seq) {
  for (auto& r : in.view)
    if (r.change.device == device && r.change.seq == seq && r.change.kind == ViewChange::Kind::kInsert)
      return &r;
  FAIL("no insert of " << device << "/" << seq);
  return nullptr;
}
ReconciliationInput correct() {
  ReconciliationInput in = fx::history();
  fx::correct_log(in);
  fx::final_windows(in);
  return in;
}

}  // namespace

TEST_CASE("reconciliation: a correct history passes every property it has inputs for") {
  const ReconciliationInput in = correct();
  const auto v = check_reconciliation(in);
  REQUIRE(v.properties.size() == 13);
  for (const char* id : {"R0", "R1", "R2", "R3", "R5", "R6", "R7", "R9", "R10", "R11"}) {
    INFO(id << ": " << prop(v, id).note);
    CHECK(prop(v, id).verdict == Verdict::kPass);
    CHECK(prop(v, id).witnesses.empty());
  }
  // No events, commands or state in this history: those properties are not applicable, never passed.
  for (const char* id : {"R4", "R8", "R12"}) CHECK(prop(v, id).verdict == Verdict::kNotApplicable);
  CHECK(metric(v, "R1", "required") == 200);
  CHECK(metric(v, "R1", "unaccounted_loss") == 0);
  CHECK(metric(v, "R6", "error_s.max") == doctest::Approx(0.02));
  CHECK(metric(v, "R10", "backlogs") == 1);
  CHECK(metric(v, "R10", "drain_time_s.max") == doctest::Approx(0.29));
  // The view kept the true order although receipt order differs: receipt order decided nothing.
  CHECK(metric(v, "R5", "receipt_order_correlation") == 0);
  CHECK(metric(v, "R5", "inversions") == 0);
  // Receipt order itself broke the physical order where it is decidable: the backlog flushed after the
  // outage arrived after later readings of the other device.
  CHECK(*metric(v, "R5", "receipt_decidable_inversions") > 0);
}

TEST_CASE("reconciliation: no quiet period, no log: liveness and everything are not applicable") {
  ReconciliationInput in = correct();
  in.quiet_from_s.reset();
  const auto v = check_reconciliation(in);
  for (const char* id : {"R1", "R7", "R9", "R10"}) CHECK(prop(v, id).verdict == Verdict::kNotApplicable);
  CHECK(prop(v, "R3").verdict == Verdict::kPass);
  in.cloud_log = false;
  in.view.clear();
  const auto none = check_reconciliation(in);
  for (const auto& p : none.properties) CHECK(p.verdict == Verdict::kNotApplicable);
}

TEST_CASE(
    "reconciliation R5: a log ordered by receipt time has a decidable inversion, witnessed by the outage") {
  ReconciliationInput in = fx::history();
  fx::correct_log(in);
  for (auto& r : in.view) r.change.event_time_s = r.cloud_time_s;  // receipt time decides the order
  const auto v = check_reconciliation(in);
  const auto& r5 = prop(v, "R5");
  CHECK(r5.verdict == Verdict::kFail);
  CHECK(*metric(v, "R5", "decidable_inversions") > 0);
  CHECK(*metric(v, "R5", "receipt_order_correlation") == doctest::Approx(1.0));
  // Ordered by receipt, the view's inversions are receipt order's: the same count both ways.
  CHECK(*metric(v, "R5", "receipt_decidable_inversions") == *metric(v, "R5", "decidable_inversions"));
  REQUIRE(!r5.witnesses.empty());
  const Witness& w = r5.witnesses.front();
  REQUIRE(w.events.size() == 2);
  // One event is device 0's, delayed by the outage; the other device 1's, placed before it although later.
  const auto& delayed = w.events[0].device == 0 ? w.events[0] : w.events[1];
  const auto& other = w.events[0].device == 0 ? w.events[1] : w.events[0];
  CHECK(delayed.device == 0);
  CHECK(other.device == 1);
  CHECK(*delayed.true_time_s >= fx::kOutageFrom_s);
  CHECK(*delayed.true_time_s < fx::kOutageTo_s);
  CHECK(*other.true_time_s > *delayed.true_time_s + 2 * fx::kClaim_s);
  CHECK(names_fault(w, "cut"));
  CHECK(r5.first_violation_cloud_time_s == doctest::Approx(fx::kOutageTo_s));
  // Per-source order still holds: the backlog was flushed in sequence order.
  CHECK(prop(v, "R3").verdict == Verdict::kPass);
  CHECK(*metric(v, "R5", "inversions_by_dtau_s.lt_100") > 0);
}

TEST_CASE(
    "reconciliation R2/R1: de-duplication by device timestamp merges distinct events after a backward step") {
  ReconciliationInput in = fx::history();
  in.quiet_from_s = 80;
  in.faults.push_back({"step", "clock_step", "edge-01", 60, 60, "{\"step_s\":-10}"});
  // Device 0's clock steps back 10 s at τ = 60: seq 60..69 carry the stamps of seq 50..59 (computed alike).
  for (auto& s : *in.samples)
    if (s.device == 0 && s.true_time_s >= 60) s.device_time_s = (s.true_time_s - 10) + 0.02;
  for (auto& r : *in.received)
    if (r.device == 0 && r.seq >= 60) r.device_time_s = (static_cast<double>(r.seq) - 10) + 0.02;
  fx::correct_log(in);
  // The wrong pipeline keys de-duplication on (device, sensor, device time): seq 60..69 look like 50..59.
  std::set<std::tuple<std::uint32_t, std::uint32_t, double>> seen;
  std::vector<CloudViewRow> kept;
  for (const auto& r : in.view)
    if (seen.insert({r.change.device, r.change.sensor, r.change.event_time_s}).second) kept.push_back(r);
  in.view = kept;
  for (auto& r : in.view)  // and it claims a bound wide enough for the step (R6 is not the point here)
    r.change.uncertainty_s = 20;
  const auto v = check_reconciliation(in);
  CHECK(prop(v, "R2").verdict == Verdict::kFail);
  CHECK(metric(v, "R2", "merged_by_mistake") == 10);
  CHECK(metric(v, "R2", "duplicates") == 0);
  const Witness& w = prop(v, "R2").witnesses.front();
  CHECK(names_event(w, 0, 50));
  CHECK(names_event(w, 0, 60));
  CHECK(names_fault(w, "step"));
  CHECK(prop(v, "R1").verdict == Verdict::kFail);
  CHECK(metric(v, "R1", "unaccounted_loss") == 10);
  CHECK(names_fault(prop(v, "R1").witnesses.front(), "step"));
}

TEST_CASE("reconciliation R2: a duplicate held for a while then retracted still fails, at that prefix") {
  ReconciliationInput in = correct();
  ViewChange dup = find_insert(in, 1, 10)->change;
  in.view.push_back({30, dup});
  ViewChange retract = dup;
  retract.kind = ViewChange::Kind::kRetract;
  in.view.push_back({35, retract});
  const auto v = check_reconciliation(in);
  CHECK(prop(v, "R2").verdict == Verdict::kFail);
  CHECK(metric(v, "R2", "duplicates") == 1);
  CHECK(metric(v, "R2", "final_duplicates") == 0);
  CHECK(prop(v, "R2").first_violation_cloud_time_s == doctest::Approx(30));
  CHECK(names_event(prop(v, "R2").witnesses.front(), 1, 10));
  CHECK(prop(v, "R1").verdict == Verdict::kPass);  // it is still held once
}

TEST_CASE("reconciliation R0: a phantom and a changed value") {
  ReconciliationInput in = correct();
  ViewChange phantom = find_insert(in, 1, 5)->change;
  phantom.seq = 999;
  in.view.push_back({70, phantom});
  find_insert(in, 0, 70)->change.value += 0.5;
  const auto v = check_reconciliation(in);
  CHECK(prop(v, "R0").verdict == Verdict::kFail);
  CHECK(metric(v, "R0", "phantoms") == 1);
  CHECK(metric(v, "R0", "corrupted") == 1);
  const auto& ws = prop(v, "R0").witnesses;
  REQUIRE(ws.size() == 2);
  CHECK(std::any_of(ws.begin(), ws.end(), [](const Witness& w) {
    return names_event(w, 1, 999) && !w.events.front().true_time_s && w.what.find("phantom") == 0;
  }));
  CHECK(std::any_of(ws.begin(), ws.end(), [](const Witness& w) {
    return names_event(w, 0, 70) && w.what.find("corrupted") == 0 &&
           *w.events.front().value == doctest::Approx(*w.events.front().true_value + 0.5);
  }));
}

TEST_CASE("reconciliation R11/R1: an unrecoverable loss marked as a gap passes, unmarked fails") {
  ReconciliationInput in = fx::history();
  for (std::uint64_t s = 70; s < 73; ++s)
    in.lost->push_back({1, 1, 1, s, 70.25 + static_cast<double>(s - 70), 2});
  std::erase_if(*in.received, [](const auto& r) { return r.device == 1 && r.seq >= 70 && r.seq < 73; });
  fx::correct_log(in);
  fx::final_windows(in);
  ReconciliationInput marked = in;
  marked.gaps.push_back({80, {1, 1, 70, 73, twinbed::pipeline::GapCause::kTimeout}});
  const auto ok = check_reconciliation(marked);
  CHECK(prop(ok, "R11").verdict == Verdict::kPass);
  CHECK(prop(ok, "R1").verdict == Verdict::kPass);
  CHECK(metric(ok, "R1", "accounted_loss") == 3);
  CHECK(metric(ok, "R1", "eviction_set") == 3);
  CHECK(metric(ok, "R1", "loss.retries_exhausted") == 3);

  ReconciliationInput split = in;  // two overlapping marks cover the same run
  split.gaps.push_back({80, {1, 1, 71, 73, twinbed::pipeline::GapCause::kTimeout}});
  split.gaps.push_back({79, {1, 1, 69, 72, twinbed::pipeline::GapCause::kTimeout}});
  CHECK(prop(check_reconciliation(split), "R11").verdict == Verdict::kPass);

  const auto bad = check_reconciliation(in);
  CHECK(prop(bad, "R11").verdict == Verdict::kFail);
  CHECK(metric(bad, "R11", "unmarked_gaps") == 1);
  CHECK(metric(bad, "R11", "unmarked_readings") == 3);
  const Witness& w = prop(bad, "R11").witnesses.front();
  CHECK(names_event(w, 1, 70));
  CHECK(names_event(w, 1, 72));
  CHECK(prop(bad, "R1").verdict == Verdict::kFail);
  CHECK(metric(bad, "R1", "accounted_mismatch") == 3);
  CHECK(metric(bad, "R1", "unaccounted_loss") == 0);  // not required: lost before the cloud could hold it

  // A gap mark over readings that did arrive is a false claim of loss.
  ReconciliationInput wrong = marked;
  wrong.gaps.push_back({80, {0, 1, 10, 12, twinbed::pipeline::GapCause::kTimeout}});
  std::erase_if(wrong.view, [](const auto& r) {
    return r.change.device == 0 && (r.change.seq == 10 || r.change.seq == 11);
  });
  const auto f = check_reconciliation(wrong);
  CHECK(prop(f, "R1").verdict == Verdict::kFail);
  CHECK(metric(f, "R1", "unaccounted_loss") == 2);
  CHECK(metric(f, "R1", "accounted_mismatch") == 2);
}

TEST_CASE(
    "reconciliation R1/R11: device-reported marks account exactly for the eviction set, events included") {
  using twinbed::pipeline::DeviceEventKind;
  using twinbed::pipeline::GapCause;
  ReconciliationInput in = fx::history();
  // Device 1's buffer evicts readings 70..72 (cause 1, overflow) and its event queue evicts the event
  // numbered 100 in the same sequence space (`fate` 1 in /truth/events; not in /readings/lost).
  for (std::uint64_t s = 70; s < 73; ++s)
    in.lost->push_back({1, 1, 1, s, 70.25 + static_cast<double>(s - 70), 1});
  std::erase_if(*in.received, [](const auto& r) { return r.device == 1 && r.seq >= 70 && r.seq < 73; });
  in.events.emplace().push_back({1, 1, 100, static_cast<std::uint8_t>(DeviceEventKind::kSetpointChange), 55,
                                 55.02, 7, 0, 5500, 0, twinbed::analysis::kNever, 1});
  fx::correct_log(in);
  fx::final_windows(in);
  ReconciliationInput noticed = in;  // the device's notices, marked by the pipeline
  noticed.gaps.push_back({80, {1, 1, 70, 73, GapCause::kDeviceReported}});
  noticed.gaps.push_back({81, {1, 1, 100, 101, GapCause::kDeviceReported}});
  const auto ok = check_reconciliation(noticed);
  CHECK(prop(ok, "R11").verdict == Verdict::kPass);
  CHECK(prop(ok, "R1").verdict == Verdict::kPass);
  CHECK(metric(ok, "R1", "eviction_set") == 4);  // three readings and the event
  CHECK(metric(ok, "R1", "accounted_loss") == 4);
  CHECK(metric(ok, "R1", "accounted_device_reported") == 4);
  CHECK(metric(ok, "R1", "accounted_mismatch") == 0);
  CHECK(metric(ok, "R1", "unaccounted_loss") == 0);  // the lost event is not required
  CHECK(metric(ok, "R1", "loss.buffer_overflow") == 4);

  // Without the event's notice: an unmarked loss (R11) and accounted ≠ eviction set (R1).
  ReconciliationInput no_event = in;
  no_event.gaps.push_back({80, {1, 1, 70, 73, GapCause::kDeviceReported}});
  const auto ne = check_reconciliation(no_event);
  CHECK(prop(ne, "R11").verdict == Verdict::kFail);
  CHECK(metric(ne, "R11", "unmarked_readings") == 1);
  CHECK(names_event(prop(ne, "R11").witnesses.front(), 1, 100));
  CHECK(metric(ne, "R1", "accounted_loss") == 3);
  CHECK(metric(ne, "R1", "accounted_mismatch") == 1);

  // A notice wider than the loss, over a reading the cloud never held: accounted ≠ eviction set.
  ReconciliationInput wide = noticed;
  wide.gaps.push_back({82, {1, 1, 73, 74, GapCause::kDeviceReported}});
  std::erase_if(wide.view, [](const auto& r) { return r.change.device == 1 && r.change.seq == 73; });
  const auto w = check_reconciliation(wide);
  CHECK(metric(w, "R1", "accounted_loss") == 5);
  CHECK(metric(w, "R1", "accounted_device_reported") == 5);
  CHECK(metric(w, "R1", "accounted_mismatch") == 1);
  CHECK(prop(w, "R1").verdict == Verdict::kFail);
  // The same loss marked by timeout instead: accounted in full, none of it by the device.
  ReconciliationInput timed = in;
  timed.gaps.push_back({80, {1, 1, 70, 73, GapCause::kTimeout}});
  timed.gaps.push_back({81, {1, 1, 100, 101, GapCause::kTimeout}});
  const auto t = check_reconciliation(timed);
  CHECK(prop(t, "R1").verdict == Verdict::kPass);
  CHECK(metric(t, "R1", "accounted_loss") == 4);
  CHECK(metric(t, "R1", "accounted_device_reported") == 0);
}

TEST_CASE("reconciliation R3: a per-source inversion") {
  ReconciliationInput in = correct();
  // Device 1's seq 30 and 31 swap places in the view (each within the other's claim, so R5/R6 are not the
  // point).
  find_insert(in, 1, 30)->change.event_time_s += 1.5;
  find_insert(in, 1, 30)->change.uncertainty_s = 2;
  find_insert(in, 1, 31)->change.uncertainty_s = 2;
  const auto v = check_reconciliation(in);
  CHECK(prop(v, "R3").verdict == Verdict::kFail);
  CHECK(metric(v, "R3", "inversions") == 1);
  CHECK(metric(v, "R3", "sources_with_inversions") == 1);
  const Witness& w = prop(v, "R3").witnesses.front();
  CHECK(names_event(w, 1, 30));
  CHECK(names_event(w, 1, 31));
  CHECK(prop(v, "R6").verdict == Verdict::kPass);
  CHECK(prop(v, "R5").verdict == Verdict::kPass);  // one source: R5 is across sources
}

TEST_CASE(
    "reconciliation R6: an error beyond the claim fails; the same error flagged with a wider bound passes") {
  ReconciliationInput in = correct();
  find_insert(in, 0, 42)->change.event_time_s += 5;
  const auto v = check_reconciliation(in);
  CHECK(prop(v, "R6").verdict == Verdict::kFail);
  CHECK(metric(v, "R6", "unflagged_violations") == 1);
  CHECK(metric(v, "R6", "error_s.max") == doctest::Approx(5.02));
  const Witness& w = prop(v, "R6").witnesses.front();
  CHECK(names_event(w, 0, 42));
  CHECK(names_fault(w, "cut"));  // taken during the outage, received at its end

  auto& c = find_insert(in, 0, 42)->change;
  c.uncertainty_s = 10;
  c.repair = twinbed::pipeline::TimeRepair::kNull;
  const auto ok = check_reconciliation(in);
  CHECK(prop(ok, "R6").verdict == Verdict::kPass);
  CHECK(metric(ok, "R6", "repaired") == 1);
}

TEST_CASE("reconciliation R9: a window never revised after a late event fails; revised passes") {
  ReconciliationInput in = fx::history();
  fx::correct_log(in);
  // Each window reported once, provisional, 1 s after it ends (the last at 99.8 s): device 0's backlog comes
  // later and is never counted.
  for (std::uint32_t s = 0; s < 2; ++s)
    for (int k = 0; k < 10; ++k) {
      twinbed::pipeline::WindowResult r;
      r.sensor = s, r.start_s = 10.0 * k, r.end_s = 10.0 * (k + 1);
      double sum = 0, lo = 1e300, hi = -1e300;
      const double at = std::min(r.end_s + 1, 99.8);
      for (const auto& v : in.view)
        if (v.change.sensor == s && v.change.event_time_s >= r.start_s && v.change.event_time_s < r.end_s &&
            v.cloud_time_s <= at)
          ++r.count, sum += v.change.value, lo = std::min(lo, v.change.value),
                                            hi = std::max(hi, v.change.value);
      r.mean = r.count ? sum / static_cast<double>(r.count) : 0, r.min = r.count ? lo : 0,
      r.max = r.count ? hi : 0;
      in.windows.push_back({at, r});
    }
  const auto v = check_reconciliation(in);
  CHECK(prop(v, "R9").verdict == Verdict::kFail);
  CHECK(metric(v, "R9", "windows_never_corrected") ==
        2);  // [20, 30), [30, 40) of sensor 0 ([40, 50) is reported after the backlog)
  CHECK(metric(v, "R9", "late_events_dropped_silently") == 20);
  const Witness& w = prop(v, "R9").witnesses.front();
  REQUIRE(!w.events.empty());
  CHECK(w.events.front().device == 0);
  CHECK(names_fault(w, "cut"));

  ReconciliationInput fixed = in;
  fx::final_windows(fixed);  // revisions at the end of the run, after the backlog
  for (auto& r : fixed.windows)
    if (r.cloud_time_s == 99.9) r.window.revision = 1;
  const auto ok = check_reconciliation(fixed);
  CHECK(prop(ok, "R9").verdict == Verdict::kPass);
  CHECK(metric(ok, "R9", "late_events") == 20);
}

namespace {
/// Plant state: device 0 trips at τ = 30 (HLC 3000); the cloud starts it again at 40 (HLC 4000, applied at
/// 41: an effect event, seq 1001). Then a trip at 45 (HLC 4450) races a start command issued at 44 (HLC 4500,
/// the cloud clock ahead), applied at 47: concurrent, so the interlock wins and S* is "stopped".
ReconciliationInput with_state() {
  using twinbed::pipeline::DeviceEventKind;
  ReconciliationInput in = correct();
  auto& ev = in.events.emplace();
  ev.push_back(
      {0, 1, 1000, static_cast<std::uint8_t>(DeviceEventKind::kInterlockTrip), 30, 30.02, 0, 0, 3000, 0});
  ev.push_back(
      {0, 1, 1001, static_cast<std::uint8_t>(DeviceEventKind::kCommandApplied), 41, 41.02, 1, 7, 4100, 4000});
  ev.push_back(
      {0, 1, 1002, static_cast<std::uint8_t>(DeviceEventKind::kInterlockTrip), 45, 45.02, 0, 0, 4450, 0});
  auto& cmd = in.commands.emplace();
  cmd.push_back({7, 0, static_cast<std::uint8_t>(twinbed::pipeline::CommandKind::kStart), 1, 4000, 40, 41});
  cmd.push_back({8, 0, static_cast<std::uint8_t>(twinbed::pipeline::CommandKind::kStart), 1, 4500, 44, 47});
  // The events reach the view (device 0 is cut off until 50: they arrive with its backlog).
  for (const auto& e : ev) {
    ViewChange c;
    c.device = e.device, c.boot = e.boot, c.seq = e.seq, c.value = e.value, c.event_time_s = e.device_time_s;
    c.uncertainty_s = fx::kClaim_s;
    in.view.push_back({50.5, c});
  }
  using twinbed::pipeline::MergeRule;
  using twinbed::pipeline::StateKey;
  in.state.push_back(
      {40, {0, StateKey::kRunning, 0, 1, 4000, twinbed::pipeline::kCloudWriter, MergeRule::kOnlyWriter}});
  in.state.push_back(
      {44, {0, StateKey::kRunning, 0, 1, 4500, twinbed::pipeline::kCloudWriter, MergeRule::kLastWriterWins}});
  in.state.push_back({50.5, {0, StateKey::kRunning, 0, 0, 4450, 0, MergeRule::kInterlockWins}});
  return in;
}
}  // namespace

TEST_CASE("reconciliation R4/R7/R8: plant state by the documented rule passes") {
  const auto v = check_reconciliation(with_state());
  for (const char* id : {"R4", "R7", "R8"}) {
    INFO(id << ": " << prop(v, id).note);
    CHECK(prop(v, id).verdict == Verdict::kPass);
  }
  CHECK(metric(v, "R4", "causal_pairs") == 1);
  CHECK(metric(v, "R8", "writes") == 3);
  CHECK(metric(v, "R7", "keys") == 3);  // two sensors' last readings and device 0's running register
}

namespace {
/// with_state() plus an alarm of device 0's sensor 1: raised at τ = 32 (HLC 3200), cleared at τ = 46 (HLC
/// 4600), both arriving with the backlog; the cloud's alarm register ends closed.
ReconciliationInput with_alarm() {
  using twinbed::pipeline::DeviceEventKind;
  using twinbed::pipeline::MergeRule;
  using twinbed::pipeline::StateKey;
  ReconciliationInput in = with_state();
  in.events->push_back(
      {0, 1, 1003, static_cast<std::uint8_t>(DeviceEventKind::kAlarmRaised), 32, 32.02, 1, 0, 3200, 0});
  in.events->push_back(
      {0, 1, 1004, static_cast<std::uint8_t>(DeviceEventKind::kAlarmCleared), 46, 46.02, 1, 0, 4600, 0});
  for (std::size_t i = in.events->size() - 2; i < in.events->size(); ++i) {
    const auto& e = (*in.events)[i];
    ViewChange c;
    c.device = e.device, c.boot = e.boot, c.seq = e.seq, c.value = e.value, c.event_time_s = e.device_time_s;
    c.uncertainty_s = fx::kClaim_s;
    in.view.push_back({e.seq == 1003 ? 50.5 : 50.6, c});  // the clear arrives a moment later
  }
  in.state.push_back({50.5, {0, StateKey::kAlarmOpen, 1, 1, 3200, 0, MergeRule::kOnlyWriter}});
  in.state.push_back({50.6, {0, StateKey::kAlarmOpen, 1, 0, 4600, 0, MergeRule::kOnlyWriter}});
  return in;
}
}  // namespace

TEST_CASE("reconciliation R7/R8: alarm registers are compared with the last true alarm event per sensor") {
  const auto ok = check_reconciliation(with_alarm());
  for (const char* id : {"R7", "R8"}) {
    INFO(id << ": " << prop(ok, id).note);
    CHECK(prop(ok, id).verdict == Verdict::kPass);
  }
  CHECK(metric(ok, "R7", "keys") == 4);  // with_state()'s three and the alarm of (device 0, sensor 1)
  CHECK(metric(ok, "R8", "writes") == 5);

  // The cloud never applied the clear: its register stays open, S* is closed.
  ReconciliationInput stuck = with_alarm();
  stuck.state.pop_back();
  const auto v = check_reconciliation(stuck);
  CHECK(prop(v, "R7").verdict == Verdict::kFail);
  CHECK(metric(v, "R7", "differing_keys") == 1);
  REQUIRE(prop(v, "R7").witnesses.size() == 1);
  const Witness& w = prop(v, "R7").witnesses.front();
  CHECK(w.what == "register alarm of sensor 1 of device 0: S* = 0, cloud = 1.000000");
  REQUIRE(w.events.size() == 1);
  CHECK(w.events[0].seq == 1004);                  // the clear the cloud is missing
  CHECK(prop(v, "R8").verdict == Verdict::kPass);  // every write it made was right when made

  // A write that names the clear but keeps the raise's value fails R8 (and R7).
  ReconciliationInput wrong = with_alarm();
  wrong.state.back().write.value = 1;
  const auto r8 = check_reconciliation(wrong);
  CHECK(prop(r8, "R8").verdict == Verdict::kFail);
  CHECK(metric(r8, "R8", "rule_mismatches") == 1);
  CHECK(prop(r8, "R7").verdict == Verdict::kFail);
}

TEST_CASE(
    "reconciliation R7/R8: a start issued after the trip but before the cloud knew of it is concurrent: the "
    "interlock wins") {
  using twinbed::pipeline::DeviceEventKind;
  using twinbed::pipeline::MergeRule;
  using twinbed::pipeline::StateKey;
  ReconciliationInput in = correct();
  // Device 0 trips at τ = 30 (HLC 3000) while cut off; its event reaches the cloud at 50.5. The cloud issues
  // a start at 35 (HLC 3500), after the trip but unaware of it; the device refuses it (never applied).
  in.events.emplace().push_back(
      {0, 1, 1000, static_cast<std::uint8_t>(DeviceEventKind::kInterlockTrip), 30, 30.02, 0, 0, 3000, 0});
  in.commands.emplace().push_back(
      {7, 0, static_cast<std::uint8_t>(twinbed::pipeline::CommandKind::kStart), 1, 3500, 35, kNever});
  ViewChange c;
  c.device = 0, c.boot = 1, c.seq = 1000, c.value = 0, c.event_time_s = 30.02, c.uncertainty_s = fx::kClaim_s;
  in.view.push_back({50.5, c});
  in.state.push_back(
      {35, {0, StateKey::kRunning, 0, 1, 3500, twinbed::pipeline::kCloudWriter, MergeRule::kOnlyWriter}});
  in.state.push_back({50.5, {0, StateKey::kRunning, 0, 0, 3000, 0, MergeRule::kInterlockWins}});
  const auto v = check_reconciliation(in);
  CHECK(prop(v, "R7").verdict == Verdict::kPass);
  CHECK(prop(v, "R8").verdict == Verdict::kPass);
  CHECK(metric(v, "R8", "writes") == 2);
  // A cloud that kept its start (last writer by HLC) ends "running": S* is "stopped".
  in.state.pop_back();
  const auto lww = check_reconciliation(in);
  CHECK(prop(lww, "R7").verdict == Verdict::kFail);
  CHECK(metric(lww, "R7", "differing_keys") == 1);
}

TEST_CASE(
    "reconciliation R7/R8: \"knew\" is the trip's first receipt: a start issued after it is a deliberate "
    "override, however soon") {
  using twinbed::pipeline::DeviceEventKind;
  using twinbed::pipeline::MergeRule;
  using twinbed::pipeline::StateKey;
  ReconciliationInput in = correct();
  // Device 0 trips at τ = 30 (HLC 3000); the cloud receives it at 31 (/truth/events ingest_time_s) although
  // the view places it only at 50.5. A start issued at 32 (HLC 3200) knew of it: the operator's override.
  in.events.emplace().push_back(
      {0, 1, 1000, static_cast<std::uint8_t>(DeviceEventKind::kInterlockTrip), 30, 30.02, 0, 0, 3000, 0, 31});
  in.commands.emplace().push_back(
      {7, 0, static_cast<std::uint8_t>(twinbed::pipeline::CommandKind::kStart), 1, 3200, 32, kNever});
  ViewChange c;
  c.device = 0, c.boot = 1, c.seq = 1000, c.value = 0, c.event_time_s = 30.02, c.uncertainty_s = fx::kClaim_s;
  in.view.push_back({50.5, c});
  in.state.push_back(
      {32, {0, StateKey::kRunning, 0, 1, 3200, twinbed::pipeline::kCloudWriter, MergeRule::kOnlyWriter}});
  const auto v = check_reconciliation(in);
  CHECK(prop(v, "R7").verdict == Verdict::kPass);
  CHECK(prop(v, "R8").verdict == Verdict::kPass);
  // A cloud that let the trip win against that start (it ignored what the command knew) differs from S*.
  in.state.push_back({50.5, {0, StateKey::kRunning, 0, 0, 3000, 0, MergeRule::kInterlockWins}});
  const auto vetoed = check_reconciliation(in);
  CHECK(prop(vetoed, "R7").verdict == Verdict::kFail);
  CHECK(prop(vetoed, "R8").verdict == Verdict::kFail);
  // Received at 33 instead, after the start was issued: the start did not know of it, and the trip wins.
  in.events->back().ingest_time_s = 33;
  const auto unknown = check_reconciliation(in);
  CHECK(prop(unknown, "R7").verdict == Verdict::kPass);
  CHECK(prop(unknown, "R8").verdict == Verdict::kPass);
}

TEST_CASE(
    "reconciliation R7/R8: the merge is the interlock in force: a trip superseded by a restart vetoes "
    "nothing") {
  using twinbed::pipeline::DeviceEventKind;
  using twinbed::pipeline::MergeRule;
  using twinbed::pipeline::StateKey;
  ReconciliationInput in = correct();
  // Trip at 30 (HLC 3000), restart at 33 (HLC 3300), both received at 50.5; a stop issued at 35 (HLC 3500)
  // knew of neither. The restart is the device's last write: it meets the stop by HLC, and the stop wins.
  auto& ev = in.events.emplace();
  ev.push_back({0, 1, 1000, static_cast<std::uint8_t>(DeviceEventKind::kInterlockTrip), 30, 30.02, 0, 0, 3000,
                0, 50.5});
  ev.push_back({0, 1, 1001, static_cast<std::uint8_t>(DeviceEventKind::kAssetRestart), 33, 33.02, 1, 0, 3300,
                0, 50.5});
  in.commands.emplace().push_back(
      {7, 0, static_cast<std::uint8_t>(twinbed::pipeline::CommandKind::kStop), 0, 3500, 35, kNever});
  for (const auto& e : ev) {
    ViewChange c;
    c.device = 0, c.boot = 1, c.seq = e.seq, c.value = e.value, c.event_time_s = e.device_time_s;
    c.uncertainty_s = fx::kClaim_s;
    in.view.push_back({50.5, c});
  }
  in.state.push_back(
      {35, {0, StateKey::kRunning, 0, 0, 3500, twinbed::pipeline::kCloudWriter, MergeRule::kOnlyWriter}});
  const auto v = check_reconciliation(in);
  CHECK(prop(v, "R7").verdict == Verdict::kPass);
  CHECK(prop(v, "R8").verdict == Verdict::kPass);
  // A cloud that keeps the superseded trip instead is a rule mismatch.
  in.state.push_back({50.5, {0, StateKey::kRunning, 0, 0, 3000, 0, MergeRule::kInterlockWins}});
  CHECK(prop(check_reconciliation(in), "R8").verdict == Verdict::kFail);
}

TEST_CASE("reconciliation R8: only a register's last write at one cloud time is judged") {
  using twinbed::pipeline::DeviceEventKind;
  using twinbed::pipeline::MergeRule;
  using twinbed::pipeline::StateKey;
  ReconciliationInput in = correct();
  // A setpoint command at 36 (HLC 3600); the device, back at 48, reports the HMI's 0.6 (τ 35, HLC 3500) and
  // the command applied (τ 48, HLC 4800) in one message. The cloud applies them one by one at 50.5: the
  // command still wins against the HMI's change (a momentary write), then the applied event wins.
  auto& ev = in.events.emplace();
  ev.push_back({0, 1, 1000, static_cast<std::uint8_t>(DeviceEventKind::kSetpointChange), 35, 35.02, 0.6, 0,
                3500, 0, 50.5});
  ev.push_back({0, 1, 1001, static_cast<std::uint8_t>(DeviceEventKind::kCommandApplied), 48, 48.02, 0.8, 9,
                4800, 3600, 50.5});
  in.commands.emplace().push_back(
      {9, 0, static_cast<std::uint8_t>(twinbed::pipeline::CommandKind::kSetpoint), 0.8, 3600, 36, 48});
  for (const auto& e : ev) {
    ViewChange c;
    c.device = 0, c.boot = 1, c.seq = e.seq, c.value = e.value, c.event_time_s = e.device_time_s;
    c.uncertainty_s = fx::kClaim_s;
    in.view.push_back({50.5, c});
  }
  const auto cloud = twinbed::pipeline::kCloudWriter;
  in.state.push_back({36, {0, StateKey::kSetpoint, 0, 0.8, 3600, cloud, MergeRule::kOnlyWriter}});
  in.state.push_back({50.5, {0, StateKey::kSetpoint, 0, 0.8, 3600, cloud, MergeRule::kLastWriterWins}});
  in.state.push_back({50.5, {0, StateKey::kSetpoint, 0, 0.8, 4800, 0, MergeRule::kLastWriterWins}});
  const auto v = check_reconciliation(in);
  CHECK(prop(v, "R8").verdict == Verdict::kPass);
  CHECK(metric(v, "R8", "writes") == 2);
  // The same momentary write as the instant's last is judged, and is a mismatch.
  std::swap(in.state[1], in.state[2]);
  const auto last = check_reconciliation(in);
  CHECK(prop(last, "R8").verdict == Verdict::kFail);
  CHECK(metric(last, "R8", "rule_mismatches") == 1);
}

TEST_CASE("reconciliation R7/R8: a command's applied event is the device's own write of its register") {
  using twinbed::pipeline::DeviceEventKind;
  using twinbed::pipeline::MergeRule;
  using twinbed::pipeline::StateKey;
  ReconciliationInput in = with_state();
  // A setpoint command issued at 46 (HLC 4600), applied at 48: the device reports it (seq 1003, HLC 4800).
  in.commands->push_back(
      {9, 0, static_cast<std::uint8_t>(twinbed::pipeline::CommandKind::kSetpoint), 0.7, 4600, 46, 48});
  in.events->push_back({0, 1, 1003, static_cast<std::uint8_t>(DeviceEventKind::kCommandApplied), 48, 48.02,
                        0.7, 9, 4800, 4600});
  ViewChange c;
  c.device = 0, c.boot = 1, c.seq = 1003, c.value = 0.7, c.event_time_s = 48.02,
  c.uncertainty_s = fx::kClaim_s;
  in.view.push_back({50.6, c});
  in.state.push_back(
      {46, {0, StateKey::kSetpoint, 0, 0.7, 4600, twinbed::pipeline::kCloudWriter, MergeRule::kOnlyWriter}});
  in.state.push_back({50.6, {0, StateKey::kSetpoint, 0, 0.7, 4800, 0, MergeRule::kLastWriterWins}});
  const auto v = check_reconciliation(in);
  for (const char* id : {"R4", "R7", "R8"}) {
    INFO(id << ": " << prop(v, id).note);
    CHECK(prop(v, id).verdict == Verdict::kPass);
  }
  CHECK(metric(v, "R8", "writes") == 5);
  CHECK(metric(v, "R7", "keys") == 4);  // device 0's setpoint register too
  CHECK(metric(v, "R4", "causal_pairs") == 2);
  // The same event written to the other register names no true write of it.
  in.state.back().write.key = StateKey::kRunning;
  const auto bad = check_reconciliation(in);
  CHECK(prop(bad, "R8").verdict == Verdict::kFail);
  CHECK(metric(bad, "R8", "rule_mismatches") >= 1);
}

TEST_CASE(
    "reconciliation R7/R8: last writer by HLC against an interlock trip is a rule mismatch and a wrong final "
    "state") {
  ReconciliationInput in = with_state();
  in.state.back() = {50.5,
                     {0, twinbed::pipeline::StateKey::kRunning, 0, 1, 4500, twinbed::pipeline::kCloudWriter,
                      twinbed::pipeline::MergeRule::kLastWriterWins}};
  const auto v = check_reconciliation(in);
  CHECK(prop(v, "R8").verdict == Verdict::kFail);
  CHECK(metric(v, "R8", "rule_mismatches") == 1);
  const Witness& w8 = prop(v, "R8").witnesses.front();
  CHECK(names_event(w8, 0, 1002));  // the trip that should have won
  CHECK(w8.cloud_time_s == doctest::Approx(50.5));
  CHECK(prop(v, "R7").verdict == Verdict::kFail);
  CHECK(metric(v, "R7", "differing_keys") == 1);
  CHECK(names_event(prop(v, "R7").witnesses.front(), 0, 1002));
}

TEST_CASE("reconciliation R7: a final state that never took the last command differs from S*") {
  ReconciliationInput in = with_state();
  in.events->pop_back();  // no second trip: S* is "running" after command 8
  in.view.pop_back();
  in.state = {
      {31,
       {0, twinbed::pipeline::StateKey::kRunning, 0, 0, 3000, 0, twinbed::pipeline::MergeRule::kOnlyWriter}}};
  const auto v = check_reconciliation(in);
  CHECK(prop(v, "R7").verdict == Verdict::kFail);
  CHECK(metric(v, "R7", "differing_keys") == 1);
}

TEST_CASE("reconciliation R4: a command's effect placed before the command") {
  ReconciliationInput in = with_state();
  for (auto& r : in.view)
    if (r.change.device == 0 && r.change.seq == 1001) r.change.event_time_s = 39, r.change.uncertainty_s = 5;
  const auto v = check_reconciliation(in);
  CHECK(prop(v, "R4").verdict == Verdict::kFail);
  CHECK(metric(v, "R4", "causal_inversions") == 1);
  CHECK(names_event(prop(v, "R4").witnesses.front(), 0, 1001));
}

TEST_CASE("reconciliation R10/R1: a backlog reading never held leaves the backlog undrained") {
  ReconciliationInput in = correct();
  std::erase_if(in.view, [](const auto& r) { return r.change.device == 0 && r.change.seq == 25; });
  const auto v = check_reconciliation(in);
  CHECK(prop(v, "R10").verdict == Verdict::kFail);
  CHECK(metric(v, "R10", "undrained_backlogs") == 1);
  CHECK(names_fault(prop(v, "R10").witnesses.front(), "cut"));
  CHECK(prop(v, "R1").verdict == Verdict::kFail);
  CHECK(names_event(prop(v, "R1").witnesses.front(), 0, 25));
}

// R10's bound on the fixture's topology (fx::with_topology): the window binds, 10 readings per 0.0694 s
// cycle = 144.09/s, less device 0's live 1/s; 30 backlog readings; startup = one cycle (reconnect and ack
// timeout 0): 0.0694 + 30 / 143.09 * 1.25 = 0.3315 s, against a measured drain of 0.29 s.
constexpr double kFixtureBound_s = 0.0694 + 30.0 / (10.0 / 0.0694 - 1.0) * 1.25;

TEST_CASE(
    "reconciliation R10: a drain within its bound passes; the bound, backlog and storage are reported") {
  ReconciliationInput in = correct();
  fx::with_topology(in);
  const auto v = check_reconciliation(in);
  INFO(prop(v, "R10").note);
  CHECK(prop(v, "R10").verdict == Verdict::kPass);
  CHECK(metric(v, "R10", "backlogs") == 1);
  CHECK(metric(v, "R10", "bounded_backlogs") == 1);
  CHECK(metric(v, "R10", "slow_backlogs") == 0);
  CHECK(metric(v, "R10", "backlog_records.max") == 30);
  CHECK(metric(v, "R10", "peak_edge_storage_records") == 30);
  CHECK(metric(v, "R10", "drain_time_s.max") == doctest::Approx(0.29));
  CHECK(*metric(v, "R10", "drain_to_bound.max") == doctest::Approx(0.29 / kFixtureBound_s).epsilon(1e-3));
  CHECK(!metric(v, "R10", "live_latency_slo_s"));  // none declared
  CHECK(prop(v, "R10").note.empty());              // every backlog judged against its bound
}

TEST_CASE(
    "reconciliation R10: a drain slower than its bound fails, witnessed by device, fault, backlog, bound") {
  ReconciliationInput in = fx::history();
  // Device 0's backlog arrives ten times slower: the last (seq 49) 2.9 s after the outage.
  for (auto& r : *in.received)
    if (r.device == 0 && r.seq >= 20 && r.seq < 50)
      r.ingest_time_s = 50 + static_cast<double>(r.seq - 20) * 0.1;
  std::sort(in.received->begin(), in.received->end(),
            [](const auto& a, const auto& b) { return a.ingest_time_s < b.ingest_time_s; });
  fx::correct_log(in);
  fx::final_windows(in);
  fx::with_topology(in);
  const auto v = check_reconciliation(in);
  const auto& r10 = prop(v, "R10");
  CHECK(r10.verdict == Verdict::kFail);
  CHECK(metric(v, "R10", "slow_backlogs") == 1);
  CHECK(metric(v, "R10", "undrained_backlogs") == 0);
  CHECK(metric(v, "R10", "drain_time_s.max") == doctest::Approx(2.9));
  CHECK(*metric(v, "R10", "drain_to_bound.max") == doctest::Approx(2.9 / kFixtureBound_s).epsilon(1e-3));
  REQUIRE(r10.witnesses.size() == 1);
  const Witness& w = r10.witnesses.front();
  INFO(w.what);
  CHECK(w.what.find("edge-01") != std::string::npos);
  CHECK(w.what.find("30 readings drained in 2.9 s") != std::string::npos);
  CHECK(w.what.find("over the bound 0.331") != std::string::npos);
  CHECK(w.what.find("binding: in-flight window") != std::string::npos);
  CHECK(names_fault(w, "cut"));
  CHECK(names_event(w, 0, 49));  // the backlog's last reading
  CHECK(r10.first_violation_cloud_time_s == doctest::Approx(52.9));
  // A declared tolerance wide enough (drain_overhead 16: 0.0694 + 0.2097 * 17 = 3.63 s) passes it.
  in.drain_overhead = 16;
  CHECK(prop(check_reconciliation(in), "R10").verdict == Verdict::kPass);
}

TEST_CASE(
    "reconciliation R10: the firmware's drain-rate limit is the binding constraint when below the uplink") {
  ReconciliationInput in = fx::history();
  for (auto& r : *in.received)  // 30 readings at 20/s: the last 1.45 s after the outage
    if (r.device == 0 && r.seq >= 20 && r.seq < 50)
      r.ingest_time_s = 50 + static_cast<double>(r.seq - 20) * 0.05;
  std::sort(in.received->begin(), in.received->end(),
            [](const auto& a, const auto& b) { return a.ingest_time_s < b.ingest_time_s; });
  fx::correct_log(in);
  fx::with_topology(in);
  // Without the limit in the topology the uplink's bound (0.33 s) fails this honest limited drain ...
  CHECK(prop(check_reconciliation(in), "R10").verdict == Verdict::kFail);
  // ... with it, the bound is 0.0694 + 30 / 20 * 1.25 = 1.94 s.
  (*in.topology)[0].drain_records_per_s = 20;
  const auto v = check_reconciliation(in);
  CHECK(prop(v, "R10").verdict == Verdict::kPass);
  CHECK(*metric(v, "R10", "drain_to_bound.max") ==
        doctest::Approx(1.45 / (0.0694 + 1.5 * 1.25)).epsilon(1e-3));
  // A slower limit only widens the bound (2/s: 18.8 s): a drain faster than the limit never fails.
  (*in.topology)[0].drain_records_per_s = 2;
  CHECK(prop(check_reconciliation(in), "R10").verdict == Verdict::kPass);
}

TEST_CASE("reconciliation R10: a gateway's backhaul outage is judged for the devices behind that gateway") {
  ReconciliationInput in = correct();
  in.faults = {{"backhaul", "backhaul_outage", "gw-1", fx::kOutageFrom_s, fx::kOutageTo_s, "{}"}};
  // Without /topology/devices the trace cannot say who sits behind gw-1: not judged, and it says why.
  const auto blind = check_reconciliation(in);
  CHECK(prop(blind, "R10").verdict == Verdict::kNotApplicable);
  CHECK(prop(blind, "R10").note.find("/topology/devices") != std::string::npos);
  // Device 0 behind gw-1, device 1 behind gw-2: device 0's backlog alone, within its bound.
  fx::with_topology(in, "gw-2");
  auto v = check_reconciliation(in);
  CHECK(prop(v, "R10").verdict == Verdict::kPass);
  CHECK(metric(v, "R10", "backlogs") == 1);
  CHECK(metric(v, "R10", "bounded_backlogs") == 1);
  // The backhaul is the binding constraint when it is the narrow link: at 400 B/s (8.1 readings/s in
  // batches of 10, less the 2 live readings/s of the two devices behind it) the bound is
  // 0.0694 + 30 / 6.1 * 1.25 = 6.2 s: device 0's drain slowed to 8.7 s fails, naming the backhaul.
  in = correct();
  in.faults = {{"backhaul", "backhaul_outage", "gw-1", fx::kOutageFrom_s, fx::kOutageTo_s, "{}"}};
  fx::with_topology(in);
  for (auto& t : *in.topology) t.backhaul_bytes_per_s = 400;
  for (auto& r : in.view)
    if (r.change.device == 0 && r.change.seq >= 20 && r.change.seq < 50)
      r.cloud_time_s = 50 + static_cast<double>(r.change.seq - 20) * 0.3;
  std::stable_sort(in.view.begin(), in.view.end(),
                   [](const auto& a, const auto& b) { return a.cloud_time_s < b.cloud_time_s; });
  v = check_reconciliation(in);
  CHECK(prop(v, "R10").verdict == Verdict::kFail);
  REQUIRE(!prop(v, "R10").witnesses.empty());
  const Witness& w = prop(v, "R10").witnesses.front();
  INFO(w.what);
  CHECK(w.what.find("binding: gateway gw-1 backhaul") != std::string::npos);
  CHECK(names_fault(w, "backhaul"));
  CHECK(names_event(w, 0, 49));
}

TEST_CASE("reconciliation R10: a live-latency SLO, when declared, is judged during the drains") {
  ReconciliationInput in = correct();
  fx::with_topology(in);
  in.live_latency_slo_s = 1.0;  // the live readings taken during the drain wait 0.5 s
  auto v = check_reconciliation(in);
  CHECK(prop(v, "R10").verdict == Verdict::kPass);
  CHECK(metric(v, "R10", "live_latency_s.p99") == doctest::Approx(0.5));
  CHECK(metric(v, "R10", "live_latency_slo_s") == 1.0);
  in.live_latency_slo_s = 0.1;
  v = check_reconciliation(in);
  CHECK(prop(v, "R10").verdict == Verdict::kFail);
  CHECK(metric(v, "R10", "slow_backlogs") == 0);
  REQUIRE(prop(v, "R10").witnesses.size() == 1);
  CHECK(prop(v, "R10").witnesses.front().what.find("over the SLO 0.1 s") != std::string::npos);
}

TEST_CASE("reconciliation R10: a protocol the bound does not model is counted as not bounded, and said") {
  ReconciliationInput in = correct();
  fx::with_topology(in);
  (*in.topology)[0].protocol = "lorawan";
  const auto v = check_reconciliation(in);
  CHECK(prop(v, "R10").verdict == Verdict::kPass);  // drained: the drain alone is judged
  CHECK(metric(v, "R10", "bounded_backlogs") == 0);
  CHECK(!metric(v, "R10", "drain_to_bound.max"));
  CHECK(prop(v, "R10").note.find("protocol lorawan") != std::string::npos);
}

TEST_CASE("reconciliation R0/R1: an aggregate record stands for the readings it summarises") {
  ReconciliationInput in = correct();
  // Device 1's buffer merged seq 40..42 into one record: 41 and 42 never arrive (lost as aggregated).
  double sum = 0;
  for (const auto& s : *in.samples)
    if (s.device == 1 && s.seq >= 40 && s.seq < 43) sum += s.value;
  std::erase_if(in.view, [](const auto& r) {
    return r.change.device == 1 && (r.change.seq == 41 || r.change.seq == 42);
  });
  std::erase_if(*in.received, [](const auto& r) { return r.device == 1 && (r.seq == 41 || r.seq == 42); });
  for (std::uint64_t s = 41; s < 43; ++s) in.lost->push_back({1, 1, 1, s, static_cast<double>(s) + 0.25, 8});
  auto& agg = find_insert(in, 1, 40)->change;
  agg.count = 3;
  agg.value = sum / 3;
  in.windows.clear();
  const auto v = check_reconciliation(in);
  CHECK(prop(v, "R0").verdict == Verdict::kPass);
  CHECK(prop(v, "R1").verdict == Verdict::kPass);
  CHECK(prop(v, "R11").verdict == Verdict::kPass);  // summarised, not lost: no gap to mark
  CHECK(metric(v, "R1", "loss.aggregated") == 2);
  agg.value += 1;
  CHECK(prop(check_reconciliation(in), "R0").verdict == Verdict::kFail);
}

TEST_CASE("reconciliation: witnesses are capped and the rest counted") {
  ReconciliationInput in = correct();
  for (auto& r : in.view) r.change.uncertainty_s = 0.001;  // every record's 0.02 s error is beyond its claim
  const auto v = check_reconciliation(in);
  CHECK(prop(v, "R6").witnesses.size() == kWitnessCap);
  CHECK(prop(v, "R6").witnesses_omitted == 200 - kWitnessCap);
}

TEST_CASE("reconciliation: the trace round trip gives the same verdicts and metrics") {
  ReconciliationInput in = fx::history();
  for (std::uint64_t s = 70; s < 73; ++s)
    in.lost->push_back({1, 1, 1, s, 70.25 + static_cast<double>(s - 70), 2});
  std::erase_if(*in.received, [](const auto& r) { return r.device == 1 && r.seq >= 70 && r.seq < 73; });
  fx::correct_log(in);
  for (auto& r : in.view)
    if (r.change.device == 0)
      r.change.event_time_s = r.cloud_time_s;  // receipt order for device 0: R5, R6 fail
  fx::final_windows(in);
  in.gaps.push_back({80, {1, 1, 70, 72, twinbed::pipeline::GapCause::kTimeout}});  // one short: R11 fails
  fx::with_topology(in, "gw-2");
  (*in.topology)[1].drain_records_per_s = 12.5;
  in.drain_overhead = 0.5;
  in.live_latency_slo_s = 0.4;  // R10 fails on it
  const std::string path =
      (std::filesystem::temp_directory_path() / "twinbed_reconciliation_roundtrip.h5").string();
  fx::write_trace(in, path);
  const ReconciliationInput back = read_reconciliation_input(path);
  std::filesystem::remove(path);
  CHECK(back.cloud_log);
  CHECK(back.quiet_from_s == in.quiet_from_s);
  CHECK(back.view.size() == in.view.size());
  CHECK(back.lost->front().boot == 1);  // no boot column: 1
  CHECK(!back.events);                  // no /truth/events: not available
  REQUIRE(back.topology);
  REQUIRE(back.topology->size() == 2);
  CHECK((*back.topology)[1].gateway == "gw-2");
  CHECK((*back.topology)[1].protocol == "mqtt");
  CHECK((*back.topology)[1].drain_records_per_s == 12.5);
  CHECK((*back.topology)[0].max_batch_records == 10);
  CHECK((*back.topology)[0].record_bytes == 43);
  CHECK(back.drain_overhead == 0.5);
  CHECK(back.live_latency_slo_s == 0.4);
  const auto a = check_reconciliation(in), b = check_reconciliation(back);
  for (std::size_t i = 0; i < a.properties.size(); ++i) {
    INFO(a.properties[i].id);
    CHECK(a.properties[i].verdict == b.properties[i].verdict);
    CHECK(a.properties[i].metrics == b.properties[i].metrics);
    CHECK(a.properties[i].witnesses.size() == b.properties[i].witnesses.size());
  }
  CHECK(prop(b, "R5").verdict == Verdict::kFail);
  CHECK(prop(b, "R11").verdict == Verdict::kFail);
  CHECK(prop(b, "R2").verdict == Verdict::kPass);
  CHECK(prop(b, "R10").verdict == Verdict::kFail);
  CHECK(metric(b, "R10", "bounded_backlogs") == 1);
}

TEST_CASE("reconciliation: the trace reader refuses what is not a trace") {
  const std::string path = (std::filesystem::temp_directory_path() / "twinbed_not_a_trace.h5").string();
  { std::ofstream(path) << "not hdf5"; }
  CHECK_THROWS_AS(read_reconciliation_input(path), TraceReadError);
  std::filesystem::remove(path);
}
