// The reconciler (pipeline/reconciler.hpp): each rule on hand-made messages,
// and convergence over shuffled, duplicated deliveries (issue 6, point 7).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "pipeline/reconciler.hpp"
#include "pipeline/reference_pipeline.hpp"

using namespace twinbed::pipeline;

namespace {

Record rec(std::uint32_t device, std::uint32_t boot, std::uint64_t seq, double t, double value = 1.0,
           float u = 0.05f, double uptime = std::numeric_limits<double>::quiet_NaN(),
           std::uint32_t sensor = 0) {
  Record r;
  r.sensor = sensor;
  r.device = device;
  r.boot = boot;
  r.seq = seq;
  r.device_time_s = t;
  r.value = value;
  r.time_uncertainty_s = u;
  r.uptime_s = uptime;
  return r;
}

ReconciliationOptions opts() {
  ReconciliationOptions o;
  o.enabled = true;
  o.windows.window_s = 10.0;
  o.windows.allowed_lateness_s = 20.0;
  o.gap_timeout_s = 100.0;
  return o;
}

/// The view, windows and state a reader of the log ends up with.
struct Folded {
  std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint64_t>, ViewChange> view;
  std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint64_t>, ViewChange> quarantine;
  std::map<std::pair<std::uint32_t, double>, WindowResult> windows;
  std::map<std::tuple<std::uint32_t, StateKey, std::uint32_t>, StateWrite> state;
  std::vector<GapMark> gaps;
  void fold(const CloudLog& log) {
    for (const ViewChange& v : log.view) {
      const auto key = std::make_tuple(v.device, v.boot, v.seq);
      if (v.kind == ViewChange::Kind::kInsert) {
        REQUIRE(view.count(key) == 0);  // never in the view twice
        view[key] = v;
        quarantine.erase(key);
      } else if (v.kind == ViewChange::Kind::kRetract) {
        REQUIRE(view.count(key) == 1);
        view.erase(key);
      } else {
        quarantine[key] = v;
      }
    }
    for (const WindowResult& w : log.windows) windows[{w.sensor, w.start_s}] = w;
    for (const StateWrite& s : log.state) state[{s.device, s.key, s.sensor}] = s;
    gaps.insert(gaps.end(), log.gaps.begin(), log.gaps.end());
  }
  /// A canonical text of the final view (in view order), window results and state.
  std::string dump() const {
    std::ostringstream o;
    o.precision(17);
    std::vector<ViewChange> ordered;
    for (const auto& [k, v] : view) ordered.push_back(v);
    std::sort(ordered.begin(), ordered.end(), [](const ViewChange& a, const ViewChange& b) {
      return std::tie(a.event_time_s, a.device, a.boot, a.seq) <
             std::tie(b.event_time_s, b.device, b.boot, b.seq);
    });
    for (const ViewChange& v : ordered)
      o << "v " << v.device << ' ' << v.boot << ' ' << v.seq << ' ' << v.sensor << ' ' << v.value << ' '
        << v.event_time_s << ' ' << v.uncertainty_s << ' ' << int(v.repair) << '\n';
    for (const auto& [k, v] : quarantine) o << "q " << v.device << ' ' << v.boot << ' ' << v.seq << '\n';
    for (const auto& [k, w] : windows)
      if (w.count > 0)  // a revision with count 0 retracts the window's result
        o << "w " << w.sensor << ' ' << w.start_s << ' ' << w.count << ' ' << w.mean << ' ' << w.min << ' '
          << w.max << ' ' << w.final_ << '\n';
    for (const auto& [k, s] : state)
      o << "s " << s.device << ' ' << int(s.key) << ' ' << s.value << ' ' << s.hlc << ' ' << s.writer << ' '
        << int(s.rule) << ' ' << s.sensor << '\n';
    return o.str();
  }
};

Folded drain(Reconciler& r) {
  CloudLog log;
  r.drain(log);
  Folded f;
  f.fold(log);
  return f;
}

const ViewChange& at(const Folded& f, std::uint32_t d, std::uint32_t b, std::uint64_t s) {
  const auto it = f.view.find({d, b, s});
  REQUIRE(it != f.view.end());
  return it->second;
}

}  // namespace

TEST_CASE("Reconciler: a transport duplicate is counted and never in the view twice") {
  Reconciler r(opts(), 1);
  r.on_record(rec(0, 1, 0, 10.0), true, 11.0);
  r.on_record(rec(0, 1, 0, 10.0), true, 12.0);
  r.on_record(rec(0, 1, 0, 99.0), true, 13.0);  // same identity, re-stamped: still a duplicate
  CloudLog log;
  r.drain(log);
  CHECK(log.view.size() == 1);
  PipelineCounters c;
  r.counters(c);
  CHECK(c["reconciliation.duplicates"] == 2);
  CHECK(c["reconciliation.view.records"] == 1);
}

TEST_CASE(
    "Reconciler: a backward clock step within a boot keeps (boot, seq) order; the bound covers the truth") {
  Reconciler r(opts(), 1);
  // The clock ran 12 s fast (its declared 0.05 s was wrong) and was stepped back at seq 3.
  const double truth[] = {88.0, 89.0, 90.0, 91.0, 92.0};
  const double stamp[] = {100.0, 101.0, 102.0, 91.0, 92.0};
  for (int s = 4; s >= 0; --s) r.on_record(rec(0, 1, s, stamp[s]), true, 200.0);  // arrives in reverse
  const Folded f = drain(r);
  double last = -1e9;
  for (std::uint64_t s = 0; s < 5; ++s) {
    const ViewChange& v = at(f, 0, 1, s);
    CHECK(v.event_time_s >= last);
    last = v.event_time_s;
  }
  for (std::uint64_t s = 3; s < 5; ++s) {
    const ViewChange& v = at(f, 0, 1, s);
    CHECK(v.repair == TimeRepair::kBackwards);
    CHECK(v.event_time_s == 102.0);
    // The device's own bound held for seq 3 and 4: the widened one covers the truth.
    CHECK(std::abs(v.event_time_s - truth[s]) <= v.uncertainty_s);
  }
  CHECK(at(f, 0, 1, 2).repair == TimeRepair::kNone);
}

TEST_CASE("Reconciler: order across sources is by event time, never by receipt") {
  Reconciler r(opts(), 2);
  // B is live; A was offline for six hours and flushes its older readings afterwards.
  for (int s = 0; s < 5; ++s) r.on_record(rec(1, 1, s, 21600.0 + s, 2.0, 0.05f, NAN, 1), true, 21600.5 + s);
  for (int s = 0; s < 5; ++s) r.on_record(rec(0, 1, s, 100.0 + s), true, 21700.0 + s);
  const Folded f = drain(r);
  for (int s = 0; s < 5; ++s) {
    CHECK(at(f, 0, 1, s).event_time_s == doctest::Approx(100.0 + s));
    CHECK(at(f, 0, 1, s).event_time_s < at(f, 1, 1, 0).event_time_s);
  }
}

TEST_CASE(
    "Reconciler: null, epoch and future stamps are repaired from the boot anchor; the bound covers the "
    "truth") {
  Reconciler r(opts(), 1);
  const double boot_s = 1000.0;  // true time at uptime 0
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> err(-0.04, 0.04);
  // Trusted stamps: |error| ≤ 0.04 < the declared 0.05.
  for (int s = 0; s < 10; ++s)
    r.on_record(rec(0, 1, s, boot_s + 10.0 * s + err(rng), 1.0, 0.05f, 10.0 * s), true, 2000.0);
  const double null_t = std::numeric_limits<double>::quiet_NaN();
  r.on_record(rec(0, 1, 10, null_t, 1.0, 0.05f, 100.0), true, 2000.0);
  r.on_record(rec(0, 1, 11, -1.7e9, 1.0, INFINITY, 110.0), true, 2000.0);  // RTC back at 1970
  r.on_record(rec(0, 1, 12, 1e9, 1.0, 0.05f, 120.0), true, 2000.0);        // years ahead of the cloud
  r.on_record(rec(0, 1, 13, 1130.0 - 90000.0, 1.0, INFINITY, 130.0), true, 2000.0);  // unsynced, a day early
  const Folded f = drain(r);
  const TimeRepair want[] = {TimeRepair::kNull, TimeRepair::kEpoch, TimeRepair::kFuture, TimeRepair::kEpoch};
  for (int s = 10; s < 14; ++s) {
    const ViewChange& v = at(f, 0, 1, s);
    const double truth = boot_s + 10.0 * s;
    CHECK(v.repair == want[s - 10]);
    CHECK(std::abs(v.event_time_s - truth) <= v.uncertainty_s);
    CHECK(v.uncertainty_s > 0.0);
    CHECK(v.uncertainty_s < 0.1);     // anchor half-width ≤ 0.05 + 100 ppm × 130 s
    CHECK(v.event_time_s != 2000.0);  // never the receipt time
  }
}

TEST_CASE(
    "Reconciler: without an anchor a null stamp goes between its sequence neighbours, else quarantine") {
  Reconciler r(opts(), 1);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  r.on_record(rec(0, 1, 0, 100.0), true, 500.0);
  r.on_record(rec(0, 1, 1, nan), true, 500.0);  // no uptime, no anchor: one neighbour only
  Folded f = drain(r);
  CHECK(f.quarantine.count({0, 1, 1}) == 1);
  CHECK(f.view.count({0, 1, 1}) == 0);
  r.on_record(rec(0, 1, 2, 104.0), true, 501.0);  // the other neighbour arrives
  CloudLog log;
  r.drain(log);
  f.fold(log);
  const ViewChange& v = at(f, 0, 1, 1);
  CHECK(v.repair == TimeRepair::kSequence);
  CHECK(v.event_time_s == doctest::Approx(102.0));
  CHECK(v.uncertainty_s == doctest::Approx(2.05));  // half the span + the neighbours' bound
  CHECK(f.quarantine.count({0, 1, 1}) == 0);
}

TEST_CASE(
    "Reconciler: holes become gaps on a later boot, on timeout, when the device reports them, at finish") {
  Reconciler r(opts(), 1);
  r.on_record(rec(0, 1, 0, 1.0), true, 10.0);
  r.on_record(rec(0, 1, 3, 4.0), true, 10.0);  // [1, 3) open
  r.on_record(rec(1, 1, 2, 4.0), true, 10.0);  // device 1: [0, 2) open
  r.tick(50.0);
  CloudLog log;
  r.drain(log);
  CHECK(log.gaps.empty());
  r.on_record(rec(0, 1, 1, 2.0), true, 60.0);   // fills half of [1, 3)
  r.on_record(rec(0, 2, 0, 20.0), true, 70.0);  // a later boot of device 0: its old hole [2, 3) is lost
  r.drain(log);
  REQUIRE(log.gaps.size() == 1);
  CHECK(log.gaps[0].device == 0);
  CHECK(log.gaps[0].boot == 1);
  CHECK(log.gaps[0].seq_from == 2);
  CHECK(log.gaps[0].seq_to == 3);
  CHECK(log.gaps[0].cause == GapCause::kReboot);
  log.clear();
  r.tick(110.0);  // device 1's hole opened at 10 s: due at 110 s
  r.drain(log);
  REQUIRE(log.gaps.size() == 1);
  CHECK(log.gaps[0].device == 1);
  CHECK(log.gaps[0].seq_from == 0);
  CHECK(log.gaps[0].seq_to == 2);
  CHECK(log.gaps[0].cause == GapCause::kTimeout);
  log.clear();
  r.device_reported_gap(0, 2, 1, 5, 120.0);
  r.on_record(rec(0, 2, 7, 27.0), true, 130.0);  // [5, 7) open until finish
  r.finish(140.0);
  r.drain(log);
  REQUIRE(log.gaps.size() == 2);
  CHECK(log.gaps[0].cause == GapCause::kDeviceReported);
  CHECK(log.gaps[0].seq_from == 1);
  CHECK(log.gaps[0].seq_to == 5);
  CHECK(log.gaps[1].cause == GapCause::kTimeout);
  CHECK(log.gaps[1].seq_from == 5);
  CHECK(log.gaps[1].seq_to == 7);
}

TEST_CASE(
    "Reconciler: windows give a provisional result at the watermark, a revision per late record, then "
    "final") {
  Reconciler r(opts(), 1);  // 10 s windows, 20 s allowed lateness
  r.on_record(rec(0, 1, 0, 1.0, 1.0), true, 1.0);
  r.on_record(rec(0, 1, 2, 3.0, 3.0), true, 3.0);
  CloudLog log;
  r.drain(log);
  CHECK(log.windows.empty());
  r.on_record(rec(0, 1, 3, 10.5, 5.0), true, 10.5);  // watermark passes 10: first result of [0, 10)
  r.drain(log);
  REQUIRE(log.windows.size() == 1);
  CHECK(log.windows[0].revision == 0);
  CHECK(log.windows[0].count == 2);
  CHECK(log.windows[0].mean == doctest::Approx(2.0));
  CHECK_FALSE(log.windows[0].final_);
  log.clear();
  r.on_record(rec(0, 1, 1, 2.0, 8.0), true, 12.0);  // late, lands in the emitted window
  r.drain(log);
  REQUIRE(log.windows.size() == 1);
  CHECK(log.windows[0].revision == 1);
  CHECK(log.windows[0].count == 3);
  CHECK(log.windows[0].max == 8.0);
  CHECK_FALSE(log.windows[0].final_);
  log.clear();
  r.on_record(rec(0, 1, 4, 30.0, 1.0), true, 30.0);  // watermark passes 10 + 20
  r.drain(log);
  bool final_seen = false;
  for (const WindowResult& w : log.windows)
    if (w.start_s == 0.0) {
      final_seen = w.final_;
      CHECK(w.revision == 2);
      CHECK(w.count == 3);
    }
  CHECK(final_seen);
}

TEST_CASE("Plant state: the conflict rule table") {
  auto hlc = [](double t_s) { return HybridLogicalClock::pack(HybridLogicalClock::to_ms(t_s), 0); };
  // Device 3's events: (boot 1, seq 40) a trip, (boot 1, seq 41) a restart.
  const RegisterWrite trip{0.0, hlc(100.0), 3, WriteOrigin::kEdgeInterlock, 1, 40, {}};
  const RegisterWrite restart{1.0, hlc(100.0), 3, WriteOrigin::kEdgeEvent, 1, 41, {}};
  const CausalContext knew_nothing{}, knew_up_to_39{{1, 0, 40}}, knew_both{{1, 0, 42}};
  auto cloud = [&](double value, double t_s, const CausalContext& ctx) {
    return RegisterWrite{value, hlc(t_s), kCloudWriter, WriteOrigin::kCloudCommand, 0, 0, ctx};
  };
  struct Row {
    const char* name;
    RegisterWrite first, second;
    double winner_value;
    MergeRule rule;
  };
  const Row rows[] = {
      {"cloud start 2 s after the trip, not knowing it: the interlock wins", trip,
       cloud(1.0, 102.0, knew_up_to_39), 0.0, MergeRule::kInterlockWins},
      {"cloud start 66 s after the trip, not knowing it: the interlock still wins", trip,
       cloud(1.0, 166.0, knew_up_to_39), 0.0, MergeRule::kInterlockWins},
      {"cloud start 1 day after the trip, knowing nothing: the interlock wins", trip,
       cloud(1.0, 86500.0, knew_nothing), 0.0, MergeRule::kInterlockWins},
      {"cloud start 2 s after the trip, knowing it (an operator's override): the start", trip,
       cloud(1.0, 102.0, knew_both), 1.0, MergeRule::kOnlyWriter},
      {"cloud start knowing the trip but stamped before it (a lagging clock): last writer, the trip", trip,
       cloud(1.0, 99.0, knew_both), 0.0, MergeRule::kLastWriterWins},
      {"cloud start before the trip (not knowing it, stamped earlier): the trip by last writer", trip,
       cloud(1.0, 90.0, knew_nothing), 0.0, MergeRule::kLastWriterWins},
      {"cloud stop 2 s after the trip, not knowing it: they agree, the trip stands", trip,
       cloud(0.0, 102.0, knew_up_to_39), 0.0, MergeRule::kInterlockWins},
      {"device restart 2 s after the trip: the device's own order",
       trip,
       {1.0, hlc(102.0), 3, WriteOrigin::kEdgeEvent, 1, 41, {}},
       1.0,
       MergeRule::kOnlyWriter},
      {"cloud stop 2 s after a restart it did not know of: last writer by HLC", restart,
       cloud(0.0, 102.0, knew_up_to_39), 0.0, MergeRule::kLastWriterWins},
      {"cloud stop 60 s after a restart it knew of: the stop", restart, cloud(0.0, 160.0, knew_both), 0.0,
       MergeRule::kOnlyWriter},
      {"two cloud commands 1 s apart: the later (the cloud's own order)", cloud(1.0, 100.0, knew_nothing),
       cloud(0.0, 101.0, knew_nothing), 0.0, MergeRule::kOnlyWriter},
      {"a restart and a command with equal stamps: the larger writer id (the cloud's)", restart,
       cloud(0.0, 100.0, knew_nothing), 0.0, MergeRule::kTieBySourceId},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    for (int order = 0; order < 2; ++order) {
      PlantState s;
      std::vector<StateWrite> out;
      s.write(0, StateKey::kRunning, 0, order == 0 ? row.first : row.second, out);
      s.write(0, StateKey::kRunning, 0, order == 0 ? row.second : row.first, out);
      const std::size_t before = out.size();
      s.write(0, StateKey::kRunning, 0, row.first, out);  // a duplicate changes nothing
      CHECK(out.size() == before);
      REQUIRE(!out.empty());
      CHECK(out.back().value == row.winner_value);
      CHECK(out.back().rule == row.rule);
    }
  }
  // A trip superseded by a later edge write vetoes nothing: the restart in force meets the command by HLC.
  {
    PlantState s;
    std::vector<StateWrite> out;
    s.write(0, StateKey::kRunning, 0, trip, out);
    s.write(0, StateKey::kRunning, 0, {1.0, hlc(110.0), 3, WriteOrigin::kEdgeEvent, 1, 41, {}}, out);
    s.write(0, StateKey::kRunning, 0, cloud(0.0, 120.0, knew_nothing), out);
    CHECK(out.back().value == 0.0);
    CHECK(out.back().writer == kCloudWriter);
    CHECK(out.back().rule == MergeRule::kLastWriterWins);
  }
  // A setpoint register has no interlock rule: last writer by HLC, whatever the command knew.
  {
    PlantState s;
    std::vector<StateWrite> out;
    s.write(0, StateKey::kSetpoint, 0, {42.0, hlc(100.0), 3, WriteOrigin::kEdgeInterlock, 1, 40, {}}, out);
    s.write(0, StateKey::kSetpoint, 0, cloud(40.0, 101.0, knew_nothing), out);
    CHECK(out.back().value == 40.0);
  }
  // The deliberately wrong variant: last writer by HLC everywhere, so the start issued in ignorance wins.
  {
    PlantState s(false);
    std::vector<StateWrite> out;
    s.write(0, StateKey::kRunning, 0, trip, out);
    s.write(0, StateKey::kRunning, 0, cloud(1.0, 166.0, knew_up_to_39), out);
    CHECK(out.back().value == 1.0);
  }
}

namespace {
/// Random writes to one `running` register: edge writes of device 0 (trips, restarts, applied events) with
/// identities in a small (boot, seq) space, and cloud commands with random causal contexts over it.
struct RandomWrites {
  std::mt19937_64 rng;
  explicit RandomWrites(std::uint64_t seed) : rng(seed) {}
  RegisterWrite operator()() {
    std::uniform_int_distribution<int> t_ms(0, 20000), origin(0, 2), value(0, 1), boot(1, 2), seq(0, 7);
    RegisterWrite w;
    w.value = value(rng);
    w.hlc = HybridLogicalClock::pack(t_ms(rng), 0);
    w.origin = static_cast<WriteOrigin>(origin(rng));
    if (w.edge()) {
      w.writer = 0;
      w.boot = static_cast<std::uint32_t>(boot(rng));
      w.seq = static_cast<std::uint64_t>(seq(rng));
      if (w.origin == WriteOrigin::kEdgeInterlock) w.value = 0;
    } else {
      // A random context: ranges over the (boot, seq) space, sorted, disjoint, not adjacent.
      for (std::uint32_t b = 1; b <= 2; ++b) {
        std::uint64_t s = 0;
        while (s < 8) {
          const std::uint64_t from = s + rng() % 4, len = 1 + rng() % 4;
          if (from >= 8) break;
          w.context.push_back({b, from, std::min<std::uint64_t>(8, from + len)});
          s = from + len + 1;
        }
      }
    }
    return w;
  }
};

/// The value of a register by its definition over the whole set of writes (no reduction): the last edge
/// write E and last command C by a full scan, then the interlock rule.
double value_by_definition(const std::vector<RegisterWrite>& all) {
  const RegisterWrite *e = nullptr, *c = nullptr;
  for (const RegisterWrite& w : all) {
    const RegisterWrite*& slot = w.edge() ? e : c;
    bool top = true;
    for (const RegisterWrite& o : all)
      if (o.edge() == w.edge() && outranks(o, w)) top = false;
    if (top) slot = &w;
  }
  if (!c) return e->value;
  if (!e) return c->value;
  if (e->origin == WriteOrigin::kEdgeInterlock && !context_includes(c->context, e->boot, e->seq))
    return e->value;
  return outranks(*e, *c) ? e->value : c->value;
}
}  // namespace

TEST_CASE("Plant state: the register merge is commutative, associative and idempotent (random writes)") {
  RandomWrites random_write(2026);
  auto random_register = [&] {
    StateRegister r(true);
    const int n = 1 + static_cast<int>(random_write.rng() % 4);
    for (int i = 0; i < n; ++i) r.write(random_write());
    return r;
  };
  int vetoes = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    const StateRegister a = random_register(), b = random_register(), c = random_register();
    StateRegister ab = a, ba = b;
    ab.merge(b);
    ba.merge(a);
    CHECK(ab == ba);  // commutative
    CHECK(ab.winner() == ba.winner());
    StateRegister ab_c = ab, bc = b;
    ab_c.merge(c);
    bc.merge(c);
    StateRegister a_bc = a;
    a_bc.merge(bc);
    CHECK(ab_c == a_bc);  // associative
    StateRegister aa = a;
    CHECK_FALSE(aa.merge(a));  // idempotent
    CHECK(aa == a);
    vetoes += ab_c.rule() == MergeRule::kInterlockWins;
  }
  CHECK(vetoes > 100);  // the interlock rule was exercised, not only last writer
}

TEST_CASE("Plant state: 300 shuffled, duplicated deliveries of context-carrying writes give one state") {
  RandomWrites random_write(77);
  std::mt19937_64 rng(4242);
  int interlock_decided = 0;
  for (int set = 0; set < 20; ++set) {
    std::vector<RegisterWrite> writes;
    const int n = 2 + static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) writes.push_back(random_write());
    const double want = value_by_definition(writes);
    std::optional<StateRegister> first;
    for (int trial = 0; trial < 300; ++trial) {
      std::vector<std::size_t> order(writes.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::shuffle(order.begin(), order.end(), rng);
      for (std::size_t k = rng() % 5; k > 0; --k) order.push_back(order[rng() % order.size()]);  // duplicates
      std::shuffle(order.begin(), order.end(), rng);
      StateRegister r(true);
      for (std::size_t i : order) r.write(writes[i]);
      if (!first) first = r;
      CHECK(r == *first);
      CHECK(r.winner().value == want);  // the kept pair gives the value of the whole set
    }
    interlock_decided += first->rule() == MergeRule::kInterlockWins;
  }
  CHECK(interlock_decided >= 2);
}

TEST_CASE("ReceivedRanges: the ranges are the set received, whatever the order and duplication") {
  std::mt19937_64 rng(99);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<std::tuple<std::uint32_t, std::uint32_t, std::uint64_t>> adds;
    for (int i = 0; i < 60; ++i)
      adds.emplace_back(static_cast<std::uint32_t>(rng() % 2), static_cast<std::uint32_t>(1 + rng() % 2),
                        rng() % 40);
    std::set<std::tuple<std::uint32_t, std::uint32_t, std::uint64_t>> truth(adds.begin(), adds.end());
    ReceivedRanges a, b;
    for (const auto& [d, bt, s] : adds) a.add(d, bt, s);
    std::shuffle(adds.begin(), adds.end(), rng);
    for (const auto& [d, bt, s] : adds) b.add(d, bt, s);
    for (std::uint32_t d = 0; d < 2; ++d) {
      const CausalContext ca = a.context(d);
      CHECK(ca == b.context(d));
      for (std::size_t i = 1; i < ca.size(); ++i)  // sorted, disjoint, not adjacent
        CHECK((ca[i - 1].boot < ca[i].boot || ca[i - 1].seq_to < ca[i].seq_from));
      for (std::uint32_t bt = 1; bt <= 3; ++bt)
        for (std::uint64_t s = 0; s < 42; ++s)
          CHECK(context_includes(ca, bt, s) == (truth.count({d, bt, s}) > 0));
    }
  }
}

TEST_CASE("Reconciler: a command's applied event is placed after the command; the cloud clock stamps it") {
  Reconciler r(opts(), 1);
  Record live = rec(0, 1, 0, 500.0);
  live.hlc = HybridLogicalClock::pack(500000, 0);
  r.on_record(live, true, 500.0);
  CloudCommand cmd{7, 0, CommandKind::kStop, 0.0, 0, {}};
  r.issue_command(cmd, 600.0);
  CHECK(cmd.hlc > live.hlc);
  DeviceEvent applied;
  applied.device = 0;
  applied.boot = 1;
  applied.seq = 1;
  applied.device_time_s = 590.0;  // the device clock runs 12 s slow: its stamp precedes the command
  applied.time_uncertainty_s = 0.05f;
  applied.kind = DeviceEventKind::kCommandApplied;
  applied.value = 0.0;
  applied.command_id = 7;
  applied.cause_hlc = cmd.hlc;
  applied.hlc = cmd.hlc + 1;
  r.on_event(applied, 603.0);
  const Folded f = drain(r);
  const ViewChange& v = at(f, 0, 1, 1);
  CHECK(v.sensor == Reconciler::event_sensor(DeviceEventKind::kCommandApplied));
  CHECK(v.count == 0);
  CHECK(v.event_time_s >= 600.0);
  CHECK(std::abs(v.event_time_s - 602.0) <= v.uncertainty_s);  // truth: applied at 602 s
  const auto& st = f.state.at({0, StateKey::kRunning, 0});
  CHECK(st.value == 0.0);
  CHECK(st.writer == 0);  // the device's report of the effect is the latest write
}

TEST_CASE("Reconciler: an alarm register per (device, sensor) follows the device's last alarm event") {
  auto alarm = [](std::uint64_t seq, DeviceEventKind kind, double sensor, double t_s) {
    DeviceEvent e;
    e.device = 2;
    e.boot = 1;
    e.seq = seq;
    e.device_time_s = t_s;
    e.time_uncertainty_s = 0.05f;
    e.hlc = HybridLogicalClock::pack(HybridLogicalClock::to_ms(t_s), 0);
    e.kind = kind;
    e.value = sensor;
    return e;
  };
  const DeviceEvent raised = alarm(4, DeviceEventKind::kAlarmRaised, 5, 40.0);
  const DeviceEvent cleared = alarm(9, DeviceEventKind::kAlarmCleared, 5, 90.0);
  const DeviceEvent other = alarm(6, DeviceEventKind::kAlarmRaised, 1, 60.0);
  for (const bool raise_first : {true, false}) {
    CAPTURE(raise_first);
    Reconciler r(opts(), 3);
    CloudLog log;
    Folded f;
    r.on_event(raise_first ? raised : cleared, 100.0);
    r.drain(log);
    f.fold(log);
    REQUIRE(log.state.size() == 1);
    CHECK(log.state[0].key == StateKey::kAlarmOpen);
    CHECK(log.state[0].sensor == 5);
    CHECK(log.state[0].value == (raise_first ? 1.0 : 0.0));
    log.clear();
    r.on_event(raise_first ? cleared : raised, 101.0);
    r.on_event(other, 102.0);
    r.on_event(raised, 103.0);  // a duplicate changes nothing
    r.drain(log);
    f.fold(log);
    // Raise then clear: the clear is a new winner (one write); clear then raise: the raise is dominated.
    CHECK(log.state.size() == (raise_first ? 2u : 1u));
    const StateWrite& five = f.state.at({2, StateKey::kAlarmOpen, 5});
    CHECK(five.value == 0.0);
    CHECK(five.hlc == cleared.hlc);
    CHECK(five.writer == 2);
    CHECK(five.rule == MergeRule::kOnlyWriter);
    CHECK(f.state.at({2, StateKey::kAlarmOpen, 1}).value == 1.0);
    CHECK(f.state.count({2, StateKey::kRunning, 0}) == 0);  // alarms write no other register
    // Both events are in the view, as events of their kinds.
    CHECK(at(f, 2, 1, 9).sensor == Reconciler::event_sensor(DeviceEventKind::kAlarmCleared));
  }
}

TEST_CASE("Reconciler variants do only the wrong thing they name") {
  SUBCASE("receipt_order: event time = receipt time; identity still (device, boot, seq)") {
    ReconciliationOptions o = opts();
    o.mode = ReconcileMode::kReceiptOrder;
    Reconciler r(o, 1);
    r.on_record(rec(0, 1, 0, 100.0), true, 5000.0);
    r.on_record(rec(0, 1, 0, 100.0), true, 5001.0);
    const Folded f = drain(r);
    CHECK(f.view.size() == 1);
    CHECK(at(f, 0, 1, 0).event_time_s == 5000.0);
    CHECK(at(f, 0, 1, 0).uncertainty_s == 0.0);  // claimed exact: the cloud trusts its own clock
  }
  SUBCASE("dedup_by_device_time: merges distinct readings with one stamp, keeps a re-stamped duplicate") {
    ReconciliationOptions o = opts();
    o.mode = ReconcileMode::kDedupByDeviceTime;
    Reconciler r(o, 1);
    r.on_record(rec(0, 1, 0, 100.0, 1.0), true, 200.0);
    r.on_record(rec(0, 1, 1, 100.0, 2.0), true, 200.0);  // a distinct reading after a clock step: merged
    r.on_record(rec(0, 1, 2, 101.0, 3.0), true, 200.0);
    r.on_record(rec(0, 1, 2, 101.5, 3.0), true, 201.0);  // the same reading re-stamped: kept twice
    CloudLog log;
    r.drain(log);
    int inserts_seq1 = 0, inserts_seq2 = 0;
    for (const ViewChange& v : log.view) {
      if (v.kind != ViewChange::Kind::kInsert) continue;
      inserts_seq1 += v.seq == 1;
      inserts_seq2 += v.seq == 2;
    }
    CHECK(inserts_seq1 == 0);
    CHECK(inserts_seq2 == 2);
  }
  SUBCASE("correct: neither") {
    Reconciler r(opts(), 1);
    r.on_record(rec(0, 1, 0, 100.0, 1.0), true, 200.0);
    r.on_record(rec(0, 1, 1, 100.0, 2.0), true, 200.0);
    r.on_record(rec(0, 1, 2, 101.0, 3.0), true, 200.0);
    r.on_record(rec(0, 1, 2, 101.5, 3.0), true, 201.0);
    const Folded f = drain(r);
    CHECK(f.view.size() == 3);
    CHECK(at(f, 0, 1, 0).event_time_s == 100.0);
  }
}

namespace {

struct Message {
  std::vector<Record> records;
  std::vector<DeviceEvent> events;
};

/// Messages of three devices: reboots, holes, a backward step, null / epoch /
/// future stamps, an unsynced stamp a day early, a null stamp without uptime, events.
std::vector<Message> permutation_messages() {
  std::vector<Message> messages;
  auto hlc = [](double t_s) { return HybridLogicalClock::pack(HybridLogicalClock::to_ms(t_s), 0); };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (std::uint32_t d = 0; d < 3; ++d) {
    for (std::uint32_t boot = 1; boot <= 2; ++boot) {
      const double boot_s = boot == 1 ? 0.0 : 400.0;
      for (std::uint64_t s = 0; s < 40; ++s) {
        if (s % 13 == 7) continue;  // holes
        const double up = 5.0 * static_cast<double>(s);
        double t = boot_s + up + 0.01 * d;
        float u = 0.05f;
        double uptime = up;
        // A backward step the declared bound does not show, then recovers: its anchor disagrees (kAnchor).
        if (d == 1 && boot == 1 && s >= 20 && s < 25) t -= 30.0;
        if (d == 2 && s == 5) t = nan;
        if (d == 2 && s == 9) t = -2e9;
        if (d == 0 && s == 11) t = 1e10;
        if (d == 0 && boot == 2 && s == 15) {  // an RTC reset, unsynced: a day before the anchor
          t -= 90000.0;
          u = std::numeric_limits<float>::infinity();
        }
        if (d == 1 && boot == 2 && s == 17) {  // null, no uptime: between its neighbours
          t = nan;
          uptime = nan;
        }
        Record r = rec(d, boot, s, t, std::sin(0.3 * static_cast<double>(s) + d), u, uptime, d);
        r.hlc = hlc(boot_s + up);
        Message m;
        m.records.push_back(r);
        if (s % 10 == 3) {
          DeviceEvent e;
          e.device = d;
          e.boot = boot;
          e.seq = 1000 + s;
          e.device_time_s = boot_s + up + 0.5;
          e.time_uncertainty_s = 0.05f;
          e.uptime_s = up + 0.5;
          e.hlc = hlc(boot_s + up + 0.5) + 1;
          e.kind = (s / 10) % 2 ? DeviceEventKind::kInterlockTrip : DeviceEventKind::kAssetRestart;
          e.value = e.kind == DeviceEventKind::kInterlockTrip ? 0.0 : 1.0;
          m.events.push_back(e);
        }
        if (s % 10 == 6 || s % 10 == 8) {  // alarms: sensor d raised and cleared; sensor 7 ends open
          DeviceEvent e;
          e.device = d;
          e.boot = boot;
          e.seq = 2000 + s;
          e.device_time_s = boot_s + up + 0.6;
          e.time_uncertainty_s = 0.05f;
          e.uptime_s = up + 0.6;
          e.hlc = hlc(boot_s + up + 0.6) + 1;
          const bool odd_decade = (s / 10) % 2 == 1;
          const bool raise = s % 10 == 6 ? !odd_decade : odd_decade;
          e.kind = raise ? DeviceEventKind::kAlarmRaised : DeviceEventKind::kAlarmCleared;
          e.value = s % 10 == 6 ? d : 7.0;
          m.events.push_back(e);
        }
        if (boot == 2 && s == 38 && d > 0) {  // devices 1 and 2 end tripped
          DeviceEvent e;
          e.device = d;
          e.boot = boot;
          e.seq = 1000 + s;
          e.device_time_s = boot_s + up + 0.5;
          e.time_uncertainty_s = 0.05f;
          e.uptime_s = up + 0.5;
          e.hlc = hlc(boot_s + up + 0.5) + 1;
          e.kind = DeviceEventKind::kInterlockTrip;
          m.events.push_back(e);
        }
        messages.push_back(m);
      }
    }
  }
  // Duplicates: a tenth of the messages sent twice.
  const std::size_t unique = messages.size();
  for (std::size_t i = 0; i < unique; i += 10) messages.push_back(messages[i]);
  return messages;
}

/// Delivers the messages in `trials` shuffled, duplicated orders (fixed seed);
/// returns the distinct canonical dumps; `first` gets the first. The cloud
/// issues a start to device 1 before any delivery, and at cloud time 5000,
/// once the messages of every first boot and of device 1's second boot have
/// arrived (in a shuffled order, duplicated), a start to devices 1 and 2 and
/// a stop to device 0: their causal contexts are that set, whatever the
/// order. The rest follows, shuffled and duplicated.
std::set<std::string> deliver_shuffled(const ReconciliationOptions& o, int trials, std::string& first,
                                       bool witness = true) {
  const std::vector<Message> messages = permutation_messages();
  std::mt19937_64 rng(20261122);
  std::set<std::string> dumps;
  auto early = [&](std::size_t i) {
    const Record& r = messages[i].records.front();
    return r.boot == 1 || r.device == 1;
  };
  for (int trial = 0; trial < trials; ++trial) {
    std::vector<std::size_t> before, after;
    for (std::size_t i = 0; i < messages.size(); ++i) (early(i) ? before : after).push_back(i);
    if (trial > 0) {
      std::shuffle(before.begin(), before.end(), rng);
      std::shuffle(after.begin(), after.end(), rng);
    }
    // More duplicates, anywhere they do not change what the cloud has received by 5000.
    for (std::size_t k = rng() % 10; k > 0; --k) before.push_back(before[rng() % before.size()]);
    for (std::size_t k = rng() % 10; k > 0; --k) {
      const std::size_t i = rng() % messages.size();
      after.insert(after.begin() + static_cast<std::ptrdiff_t>(rng() % (after.size() + 1)), i);
    }
    Reconciler r(o, 3);
    CloudCommand cmd{1, 1, CommandKind::kStart, 0.0, 0, {}};
    r.issue_command(cmd, 100.0);  // the cloud's own write, before any delivery
    Folded f;
    double now = 1000.0;
    auto deliver = [&](const std::vector<std::size_t>& ids) {
      for (std::size_t i : ids) {
        for (const Record& rr : messages[i].records) r.on_record(rr, true, now);
        for (const DeviceEvent& e : messages[i].events) r.on_event(e, now);
        r.tick(now);
        now += 1.0;
        CloudLog log;
        r.drain(log);
        f.fold(log);
      }
    };
    deliver(before);
    now = 5000.0;
    for (auto [id, device, kind] :
         {std::tuple{2u, 1u, CommandKind::kStart}, std::tuple{3u, 2u, CommandKind::kStart},
          std::tuple{4u, 0u, CommandKind::kStop}}) {
      CloudCommand c{id, device, kind, 0.0, 0, {}};
      r.issue_command(c, now);
      REQUIRE(!c.context.empty());
    }
    now += 1.0;
    deliver(after);
    r.finish(now);
    CloudLog log;
    r.drain(log);
    f.fold(log);
    const std::string d = f.dump();
    if (trial == 0) first = d;
    if (dumps.insert(d).second && witness && trial > 0 && dumps.size() == 2) {
      // A witness: the first line where this order's result differs.
      std::istringstream a(first), b(d);
      std::string la, lb;
      while (std::getline(a, la) && std::getline(b, lb))
        if (la != lb) break;
      MESSAGE("order " << trial << " differs: \"" << la << "\" vs \"" << lb << "\"");
    }
  }
  return dumps;
}

/// The final `running` register of `device` in a dump: "value writer rule".
std::string running_of(const std::string& dump, std::uint32_t device) {
  std::istringstream in(dump);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::string tag;
    std::uint32_t d = 0, key = 0, writer = 0, rule = 0;
    double value = 0;
    std::uint64_t hlc = 0;
    if (l >> tag && tag == "s" && l >> d >> key >> value >> hlc >> writer >> rule && d == device &&
        key == 0) {
      std::ostringstream o;
      o << value << ' ' << (writer == kCloudWriter ? "cloud" : "edge") << ' ' << rule;
      return o.str();
    }
  }
  return "absent";
}

/// The final alarm register of (device, sensor) in a dump: "value writer rule".
std::string alarm_of(const std::string& dump, std::uint32_t device, std::uint32_t sensor) {
  std::istringstream in(dump);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::string tag;
    std::uint32_t d = 0, key = 0, writer = 0, rule = 0, sen = 0;
    double value = 0;
    std::uint64_t hlc = 0;
    if (l >> tag && tag == "s" && l >> d >> key >> value >> hlc >> writer >> rule >> sen && d == device &&
        key == int(StateKey::kAlarmOpen) && sen == sensor) {
      std::ostringstream o;
      o << value << ' ' << (writer == kCloudWriter ? "cloud" : "edge") << ' ' << rule;
      return o.str();
    }
  }
  return "absent";
}

}  // namespace

TEST_CASE("Reconciler: 300 shuffled, duplicated deliveries converge to one view, windows and state") {
  std::string reference;
  CHECK(deliver_shuffled(opts(), 300, reference).size() == 1);
  // The run was not trivial: every kind of repair, and state writes, are in the final view.
  for (const char* repair : {" 0\n", " 1\n", " 2\n", " 3\n", " 4\n", " 5\n", " 6\n"}) {
    CAPTURE(repair);
    CHECK(reference.find(repair) != std::string::npos);
  }
  CHECK(reference.find("\ns ") != std::string::npos);
  CHECK(reference.find("\nw ") != std::string::npos);
  // The commands issued at 5000 met each device's last edge write by what they knew of it: device 1's trip
  // had arrived (a deliberate override: the start), device 2's had not (the trip, although the start is
  // later by HLC), device 0 last restarted, which the stop did not know of (last writer by HLC: the stop).
  CHECK(running_of(reference, 1) == "1 cloud " + std::to_string(int(MergeRule::kOnlyWriter)));
  CHECK(running_of(reference, 2) == "0 edge " + std::to_string(int(MergeRule::kInterlockWins)));
  CHECK(running_of(reference, 0) == "0 cloud " + std::to_string(int(MergeRule::kLastWriterWins)));
  // Alarm registers, one per (device, sensor), by the device's last alarm event: the sensor's own alarm
  // last cleared (boot 2, seq 36), sensor 7's last raised (seq 38).
  for (std::uint32_t d = 0; d < 3; ++d) {
    CAPTURE(d);
    CHECK(alarm_of(reference, d, d) == "0 edge " + std::to_string(int(MergeRule::kOnlyWriter)));
    CHECK(alarm_of(reference, d, 7) == "1 edge " + std::to_string(int(MergeRule::kOnlyWriter)));
  }
}

TEST_CASE(
    "Reconciler: plain last writer (the wrong variant) lets a start issued in ignorance of a trip win") {
  ReconciliationOptions o = opts();
  o.mode = ReconcileMode::kPlainLastWriter;
  std::string reference;
  CHECK(deliver_shuffled(o, 5, reference).size() == 1);  // still a semilattice: wrong, but convergent
  CHECK(running_of(reference, 2) == "1 cloud " + std::to_string(int(MergeRule::kLastWriterWins)));
}

TEST_CASE("Reconciler: the permutation test can fail: ordering by receipt gives a view per delivery order") {
  ReconciliationOptions o = opts();
  o.mode = ReconcileMode::kReceiptOrder;
  std::string first;
  CHECK(deliver_shuffled(o, 20, first, false).size() == 20);
}

TEST_CASE("Reconciler: repaired bounds cover the truth on 200 random boots whose declared bounds hold") {
  // Truth: τ = A + up·(1 + δ), |δ| ≤ 50 ppm (counter bound 100 ppm); stamps err within ±u.
  std::mt19937_64 rng(424242);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  int repaired = 0, covered = 0, anchor_moves = 0;
  for (std::uint32_t boot = 1; boot <= 200; ++boot) {
    Reconciler r(opts(), 1);
    const double A = 1e4 * boot, delta = 50e-6 * unit(rng);
    std::vector<double> truth(60);
    std::vector<Record> recs;
    for (std::uint64_t s = 0; s < 60; ++s) {
      const double up = 30.0 * static_cast<double>(s);
      truth[s] = A + up * (1 + delta);
      const float u = static_cast<float>(0.01 + 0.5 * (1 + unit(rng)));
      double t = truth[s] + u * 0.999 * unit(rng);
      if (s % 7 == 3) t = std::numeric_limits<double>::quiet_NaN();
      if (s % 11 == 5) t = -1.6e9;
      if (s % 13 == 6) t = truth[s] + 1e7;
      recs.push_back(rec(0, boot, s, t, 1.0, u, up));
    }
    std::shuffle(recs.begin(), recs.end(), rng);
    for (const Record& x : recs) r.on_record(x, true, A + 3600.0);
    CloudLog log;
    r.drain(log);
    Folded f;
    f.fold(log);
    for (const ViewChange& v : log.view) anchor_moves += v.kind == ViewChange::Kind::kRetract;
    for (const auto& [k, v] : f.view) {
      if (v.repair == TimeRepair::kNone) continue;
      ++repaired;
      covered += std::abs(v.event_time_s - truth[std::get<2>(k)]) <= v.uncertainty_s;
    }
  }
  CHECK(repaired > 3000);
  CHECK(covered == repaired);  // the bound is a bound: no exception on any seed
  CHECK(anchor_moves > 0);     // the anchor tightened as stamps arrived, and repairs were redone
}

TEST_CASE("Reconciler: a stamp from a clock far ahead does not drag the cloud clock") {
  Reconciler r(opts(), 1);
  Record ok = rec(0, 1, 0, 100.0);
  ok.hlc = HybridLogicalClock::pack(100000, 0);
  r.on_record(ok, true, 100.0);
  Record ahead = rec(0, 1, 1, 1e6);
  ahead.hlc = HybridLogicalClock::pack(1000000000, 0);  // 1e6 s: a clock a fortnight ahead
  r.on_record(ahead, true, 101.0);
  CloudCommand cmd{1, 0, CommandKind::kStop, 0.0, 0, {}};
  r.issue_command(cmd, 102.0);
  CHECK(HybridLogicalClock::physical_ms(cmd.hlc) == 102000);
  PipelineCounters c;
  r.counters(c);
  CHECK(c["reconciliation.hlc_ignored_future"] == 1);
}

TEST_CASE("Reconciler: a long run of stamps without time costs one change each, then one placement each") {
  // O(log n) per record: a stream of 50,000 null stamps without uptime must not walk itself.
  Reconciler r(opts(), 1);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  r.on_record(rec(0, 1, 0, 0.0), true, 1.0);
  for (std::uint64_t s = 1; s < 50000; ++s) r.on_record(rec(0, 1, s, nan), true, 1.0);
  CloudLog log;
  r.drain(log);
  CHECK(log.view.size() == 50000);  // one insert, 49,999 quarantines
  CHECK(std::count_if(log.view.begin(), log.view.end(),
                      [](const ViewChange& v) { return v.kind == ViewChange::Kind::kQuarantine; }) == 49999);
  log.clear();
  r.on_record(rec(0, 1, 50000, 50000.0), true, 60000.0);  // the right neighbour: all of them placed
  r.drain(log);
  CHECK(log.view.size() == 50000);
  Folded f;
  f.fold(log);
  const ViewChange& mid = at(f, 0, 1, 25000);
  CHECK(mid.repair == TimeRepair::kSequence);
  CHECK(mid.event_time_s == doctest::Approx(25000.0));
  CHECK(mid.uncertainty_s == doctest::Approx(25000.05));
}

TEST_CASE("Reconciler: a device-reported gap marks only what no mark covers yet; a repeat marks nothing") {
  Reconciler r(opts(), 1);
  r.on_record(rec(0, 1, 0, 1.0), true, 10.0);
  r.on_record(rec(0, 1, 10, 11.0), true, 10.0);  // [1, 10) open
  r.tick(200.0);                                 // timed out: [1, 10) marked kTimeout
  r.device_reported_gap(0, 1, 5, 15, 210.0);     // the notice arrives late: only [10, 15) is new
  r.device_reported_gap(0, 1, 5, 15, 211.0);     // the same notice again (a resent message)
  r.device_reported_gap(0, 1, 20, 25, 212.0);    // past what arrived: [15, 20) is a hole now
  r.device_reported_gap(0, 1, 18, 30, 213.0);    // overlaps [20, 25): [18, 20) and [25, 30) are new
  r.finish(300.0);
  CloudLog log;
  r.drain(log);
  std::vector<std::tuple<std::uint64_t, std::uint64_t, GapCause>> got;
  for (const GapMark& g : log.gaps) got.emplace_back(g.seq_from, g.seq_to, g.cause);
  const std::vector<std::tuple<std::uint64_t, std::uint64_t, GapCause>> want = {
      {1, 10, GapCause::kTimeout},         {10, 15, GapCause::kDeviceReported},
      {20, 25, GapCause::kDeviceReported}, {18, 20, GapCause::kDeviceReported},
      {25, 30, GapCause::kDeviceReported}, {15, 18, GapCause::kTimeout}};
  CHECK(got == want);
  // Disjoint: every seq in [1, 30) is marked exactly once.
  std::vector<int> times(30, 0);
  for (const GapMark& g : log.gaps)
    for (std::uint64_t q = g.seq_from; q < g.seq_to; ++q) ++times[q];
  for (std::uint64_t q = 1; q < 30; ++q) CHECK_MESSAGE(times[q] == 1, "seq " << q);
  PipelineCounters c;
  r.counters(c);
  CHECK(c["reconciliation.gaps.device_reported"] == 4);
  CHECK(c["reconciliation.gaps.seqs_marked"] == 29);
}

TEST_CASE("reference pipeline: the gap notices in a message header become kDeviceReported marks") {
  ReferencePipelineOptions o;
  o.reconciliation = opts();
  ReferencePipeline p(o);
  std::vector<SensorInfo> sensors(2);
  sensors[0].device_id = "a", sensors[1].device_id = "b";
  for (SensorInfo& s : sensors) s.range_lo = -1e9, s.range_hi = 1e9;
  const std::vector<std::string> devices = {"a", "b"};
  p.configure(sensors, devices);
  std::vector<AlertEvent> alerts;
  // Device 0 evicted seqs 0..4 of boot 1 and sends 5..7 with a notice; a tail it dropped after the
  // last record it will ever send (8..9) can only be known from the notice.
  const std::vector<GapNotice> notices = {{0, 1, 0, 5, GapNoticeCause::kBufferOverflow},
                                          {0, 1, 8, 10, GapNoticeCause::kBufferOverflow},
                                          {1, 1, 0, 3, GapNoticeCause::kBufferOverflow}};  // in b's name
  MessageInfo m;
  m.device = 0;
  m.gaps = notices;
  const std::vector<Record> records = {rec(0, 1, 5, 5.0), rec(0, 1, 6, 6.0), rec(0, 1, 7, 7.0)};
  p.ingest(m, records, 10.0, alerts);
  p.ingest(m, records, 11.0, alerts);  // a duplicate delivery: nothing marked twice
  p.finish(20.0, alerts);
  CloudLog log;
  REQUIRE(p.drain_log(log));
  REQUIRE(log.gaps.size() == 2);  // a notice about another device's stream is not believed
  for (const GapMark& g : log.gaps) {
    CHECK(g.device == 0);
    CHECK(g.boot == 1);
    CHECK(g.cause == GapCause::kDeviceReported);
  }
  CHECK(log.gaps[0].seq_from == 0);
  CHECK(log.gaps[0].seq_to == 5);
  CHECK(log.gaps[1].seq_from == 8);
  CHECK(log.gaps[1].seq_to == 10);
}

namespace {

/// One boot whose clock stepped back 600 s at seq 20 without the device noticing
/// (its declared bound stays 0.05 s) and was synced again at seq 30: the step is
/// visible only through the anchors (device time − uptime). Truth: τ = 1000 + up.
std::vector<Record> stepped_boot(std::vector<double>& truth) {
  std::vector<Record> recs;
  truth.clear();
  for (std::uint64_t s = 0; s < 50; ++s) {
    const double up = 10.0 * static_cast<double>(s);
    truth.push_back(1000.0 + up);
    const double t =
        truth.back() + 0.01 * std::sin(static_cast<double>(s)) - (s >= 20 && s < 30 ? 600.0 : 0.0);
    recs.push_back(rec(0, 1, s, t, 1.0 + static_cast<double>(s), 0.05f, up));
  }
  return recs;
}

}  // namespace

TEST_CASE("Reconciler: a backward step seen only through the anchors is repaired, in both delivery orders") {
  std::vector<double> truth;
  const std::vector<Record> recs = stepped_boot(truth);
  std::string dumps[2];
  for (int order = 0; order < 2; ++order) {
    CAPTURE(order);
    Reconciler r(opts(), 1);
    // Order 0: in seq order (the trusted anchor first). Order 1: the stepped stamps first,
    // so they are the anchor until the others outnumber them, and are then corrected.
    std::vector<Record> seq = recs;
    if (order == 1)
      std::stable_partition(seq.begin(), seq.end(),
                            [](const Record& x) { return x.seq >= 20 && x.seq < 30; });
    CloudLog log;
    double now = 2000.0;
    for (const Record& x : seq) {
      r.on_record(x, true, now);
      r.tick(now);
      now += 1.0;
    }
    r.finish(now);
    r.drain(log);
    Folded f;
    f.fold(log);
    dumps[order] = f.dump();
    double last = -1e9;
    for (std::uint64_t s = 0; s < 50; ++s) {
      CAPTURE(s);
      const ViewChange& v = at(f, 0, 1, s);
      const bool stepped = s >= 20 && s < 30;
      CHECK(v.repair == (stepped ? TimeRepair::kAnchor : TimeRepair::kNone));
      // The bound covers the truth, and for the repaired stamps it is the anchor's half-width
      // plus the counter's drift over the uptime, not the 600 s of the step.
      CHECK(std::abs(v.event_time_s - truth[s]) <= v.uncertainty_s);
      if (stepped) CHECK(v.uncertainty_s < 0.05 + 100e-6 * 10.0 * static_cast<double>(s) + 1e-9);
      CHECK(v.event_time_s >= last);  // (boot, seq) order without a backward raise
      last = v.event_time_s;
    }
    std::size_t retracted_trusted = 0;
    for (const ViewChange& v : log.view)
      if (v.kind == ViewChange::Kind::kRetract && (v.seq < 20 || v.seq >= 30)) ++retracted_trusted;
    if (order == 0) {
      // The step never held the anchor: the stepped stamps were repaired as they came.
      std::size_t inserts = 0;
      for (const ViewChange& v : log.view) inserts += v.kind == ViewChange::Kind::kInsert;
      CHECK(inserts == 50);
    } else {
      // The first trusted stamps disagreed with the stepped anchor and were repaired from it,
      // then corrected through the log when the majority turned.
      CHECK(retracted_trusted > 0);
    }
    PipelineCounters c;
    r.counters(c);
    CHECK(c["reconciliation.repaired.anchor"] == 10);
    CHECK(c["reconciliation.repaired.backwards"] == 0);
  }
  CHECK(dumps[0] == dumps[1]);
}

TEST_CASE("Reconciler: without the anchor check a stepped stamp would claim 0.05 s and be 600 s off") {
  // The limit of the rule: a boot whose every stamp is stepped (a step at boot, no later
  // sync) has one consistent anchor, and nothing in the data contradicts it.
  std::vector<double> truth;
  std::vector<Record> recs = stepped_boot(truth);
  for (Record& x : recs) x.device_time_s = truth[x.seq] - 600.0;
  Reconciler r(opts(), 1);
  for (const Record& x : recs) r.on_record(x, true, 2000.0);
  const Folded f = drain(r);
  const ViewChange& v = at(f, 0, 1, 25);
  CHECK(v.repair == TimeRepair::kNone);
  CHECK(std::abs(v.event_time_s - truth[25]) == doctest::Approx(600.0));
  CHECK(v.uncertainty_s < 0.1);
}

TEST_CASE("Reconciler: an open sequence hole holds its windows' finality until it fills or is marked") {
  // 10 s windows, 20 s lateness, 100 s gap timeout. Seq 0..4 at 1..5 s and seq 5 at 21 s, live;
  // seq 10..14 jump ahead to 100 s (a drain-limited device's live data before its backlog),
  // so the watermark passes [20, 30) by more than the lateness while seq 6..9 are missing.
  auto run = [](const std::string release) {
    CAPTURE(release);
    Reconciler r(opts(), 1);
    for (std::uint64_t s = 0; s < 5; ++s) r.on_record(rec(0, 1, s, 1.0 + s, 1.0), true, 1.0 + s);
    r.on_record(rec(0, 1, 5, 21.0, 1.0), true, 21.0);
    // Hole [6, 10): its lower neighbour (seq 5) is at 21 s.
    for (std::uint64_t s = 10; s < 15; ++s)
      r.on_record(rec(0, 1, s, 90.0 + s, 1.0), true, 90.0 + static_cast<double>(s));
    CloudLog log;
    r.drain(log);
    Folded f;
    f.fold(log);
    // [0, 10) ends before the hole's neighbour: final. [20, 30) holds seq 5 and could get the hole's data.
    REQUIRE(f.windows.count({0, 0.0}) == 1);
    CHECK(f.windows.at({0, 0.0}).final_);
    REQUIRE(f.windows.count({0, 20.0}) == 1);
    CHECK_FALSE(f.windows.at({0, 20.0}).final_);
    if (release == "fill") {
      for (std::uint64_t s = 6; s < 10; ++s)  // the backlog, into [20, 30): late, before final
        r.on_record(rec(0, 1, s, 10.0 + 2.0 * static_cast<double>(s), 2.0), true, 110.0);
      r.tick(110.0);
    } else if (release == "timeout") {
      r.tick(104.0);  // the hole opened at 100 s (seq 10's arrival): not yet due
      CloudLog early;
      r.drain(early);
      f.fold(early);
      CHECK_FALSE(f.windows.at({0, 20.0}).final_);
      CHECK(early.gaps.empty());
      r.tick(200.0);  // due: marked, and its windows released
    } else {
      r.device_reported_gap(0, 1, 6, 10, 105.0);
    }
    log.clear();
    r.drain(log);
    f.fold(log);
    CHECK(f.windows.at({0, 20.0}).final_);
    if (release == "fill") {
      CHECK(f.windows.at({0, 20.0}).count == 5);  // seq 5..9
    } else {
      CHECK(log.gaps.size() == 1);
    }
    PipelineCounters c;
    r.counters(c);
    CHECK(c["reconciliation.windows.revised_after_final"] == 0);
  };
  run("fill");
  run("timeout");
  run("reported");
}

TEST_CASE(
    "IntervalDepth: the deepest region of weighted intervals equals a brute-force sweep, whatever the "
    "insertion order") {
  // Brute force: every endpoint is a candidate; the weight of [x, next endpoint] by summing.
  struct Iv {
    double lo, hi;
    std::int64_t w;
  };
  auto brute = [](const std::vector<Iv>& iv) {
    IntervalDepth::Region best;
    std::vector<double> xs;
    for (const Iv& i : iv) xs.insert(xs.end(), {i.lo, i.hi});
    std::sort(xs.begin(), xs.end());
    for (const double x : xs) {
      std::int64_t depth = 0;
      double hi = std::numeric_limits<double>::infinity();
      for (const Iv& i : iv)
        if (i.lo <= x && x <= i.hi) {
          depth += i.w;
          hi = std::min(hi, i.hi);
        }
      if (depth > best.depth) best = {depth, x, hi};  // the leftmost of the deepest
    }
    return best;
  };
  std::mt19937_64 rng(99);
  int checked = 0;
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<Iv> iv;
    const int n = 1 + static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) {
      // Few distinct centres and integer ends: ties, touching and nested intervals are common.
      const double c = static_cast<double>(rng() % 5) * 10.0 + static_cast<double>(rng() % 7);
      const double w = static_cast<double>(rng() % 6);
      iv.push_back({c - w, c + w, trial % 2 ? 1 : 1 + static_cast<std::int64_t>(rng() % 4)});
    }
    for (int order = 0; order < 3; ++order) {
      if (order > 0) std::shuffle(iv.begin(), iv.end(), rng);
      IntervalDepth d;
      std::vector<Iv> prefix;
      for (const Iv& i : iv) {
        d.add(i.lo, i.hi, i.w);
        prefix.push_back(i);
        const IntervalDepth::Region want = brute(prefix);
        CHECK(d.deepest().depth == want.depth);
        CHECK(d.deepest().lo == want.lo);
        CHECK(d.deepest().hi == want.hi);
        ++checked;
      }
    }
  }
  CHECK(checked > 3000);
}

TEST_CASE(
    "Reconciler: freshly synced stamps outweigh more numerous stepped ones whose bound grew since sync") {
  // 20 stamps right after syncs (u = 0.05 s), then a 600 s step while no sync runs: 30 stamps
  // whose declared bound grows from 0.08 to 0.2 s (false: they are 600 s off). By count the step
  // would win; by precision (≈ 1/u) the synced stamps do, at every prefix of the seq-order delivery.
  Reconciler r(opts(), 1);
  CloudLog log;
  for (std::uint64_t s = 0; s < 50; ++s) {
    const double up = 10.0 * static_cast<double>(s), truth = 1000.0 + up;
    const bool stepped = s >= 20;
    const float u = stepped ? static_cast<float>(0.08 + 0.004 * static_cast<double>(s - 20)) : 0.05f;
    r.on_record(rec(0, 1, s, truth - (stepped ? 600.0 : 0.0), 1.0, u, up), true, 2000.0 + up);
  }
  r.drain(log);
  Folded f;
  f.fold(log);
  std::size_t retractions = 0;
  for (const ViewChange& v : log.view) retractions += v.kind == ViewChange::Kind::kRetract;
  CHECK(retractions == 0);  // the anchor never moved to the step
  for (std::uint64_t s = 0; s < 50; ++s) {
    CAPTURE(s);
    const ViewChange& v = at(f, 0, 1, s);
    CHECK(v.repair == (s >= 20 ? TimeRepair::kAnchor : TimeRepair::kNone));
    CHECK(std::abs(v.event_time_s - (1000.0 + 10.0 * static_cast<double>(s))) <= v.uncertainty_s);
  }
}
