#include "pipeline/reconciler.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <iterator>
#include <string>

namespace twinbed::pipeline {

namespace {
bool same(const RepairedTime& a, const RepairedTime& b) {
  return std::bit_cast<std::uint64_t>(a.time_s) == std::bit_cast<std::uint64_t>(b.time_s) &&
         std::bit_cast<std::uint64_t>(a.uncertainty_s) == std::bit_cast<std::uint64_t>(b.uncertainty_s) &&
         a.repair == b.repair;
}
}  // namespace

Reconciler::Reconciler(ReconciliationOptions options, std::size_t sensors)
    : options_(options),
      sensors_(sensors),
      windows_(options.windows, sensors),
      state_(options.mode != ReconcileMode::kPlainLastWriter) {}

void Reconciler::on_record(const Record& r, bool valid, double now_s) {
  ++records_in_;
  if (r.sensor >= sensors_) return;  // not in the registry: nothing to place, no clock to follow
  receive_stamp(r.hlc, r.time_uncertainty_s, now_s);
  if (options_.mode == ReconcileMode::kDedupByDeviceTime &&
      !seen_by_time_.insert({r.device, r.sensor, std::bit_cast<std::uint64_t>(r.device_time_s)}).second) {
    ++duplicates_;
    return;
  }
  Entry e;
  e.valid = valid;
  e.sensor = r.sensor;
  e.count = r.count;
  e.value = r.value;
  e.device_time_s = r.device_time_s;
  e.uncertainty_s = r.time_uncertainty_s;
  e.uptime_s = r.uptime_s;
  e.first_receipt_s = now_s;
  if (device_sensors_[r.device].insert(r.sensor).second) {  // a new sensor: the device's limit holds it too
    const auto lim = final_limit_s_.find(r.device);
    if (lim != final_limit_s_.end()) windows_.set_final_limit(r.sensor, lim->second, log_.windows);
  }
  if (!admit(r.device, r.boot, r.seq, e, now_s)) return;
  if (!valid) ++invalid_;
}

void Reconciler::on_event(const DeviceEvent& ev, double now_s) {
  ++events_in_;
  receive_stamp(ev.hlc, ev.time_uncertainty_s, now_s);
  const std::uint32_t sensor = event_sensor(ev.kind);
  if (options_.mode == ReconcileMode::kDedupByDeviceTime &&
      !seen_by_time_.insert({ev.device, sensor, std::bit_cast<std::uint64_t>(ev.device_time_s)}).second) {
    ++duplicates_;
    return;
  }
  Entry e;
  e.is_event = true;
  e.sensor = sensor;
  e.count = 0;
  e.value = ev.value;
  e.device_time_s = ev.device_time_s;
  e.uncertainty_s = ev.time_uncertainty_s;
  e.uptime_s = ev.uptime_s;
  e.first_receipt_s = now_s;
  if (ev.kind == DeviceEventKind::kCommandApplied) {
    // Causal order (R4): the effect is placed no earlier than its command.
    const auto it = commands_.find(ev.command_id);
    if (it != commands_.end())
      e.floor_s = it->second.issued_s;
    else if (ev.cause_hlc != 0)
      e.floor_s = static_cast<double>(HybridLogicalClock::physical_ms(ev.cause_hlc)) / 1000.0;
  }
  if (!admit(ev.device, ev.boot, ev.seq, e, now_s)) return;
  state_write_for_event(ev);
}

void Reconciler::receive_stamp(std::uint64_t hlc, double uncertainty_s, double now_s) {
  if (hlc == 0) return;
  // A stamp from a clock running ahead (the future rule) would drag the cloud's
  // clock, and every command it stamps, ahead with it: not followed, counted.
  const double ahead_s = static_cast<double>(HybridLogicalClock::physical_ms(hlc)) / 1000.0 - now_s;
  const double allowed_s =
      (std::isfinite(uncertainty_s) ? uncertainty_s : 0.0) + options_.timestamps.future_tolerance_s;
  if (ahead_s > allowed_s) {
    ++hlc_ignored_;
    return;
  }
  clock_.receive(hlc, now_s);
}

void Reconciler::state_write_for_event(const DeviceEvent& ev) {
  RegisterWrite w;
  w.value = ev.value;
  w.hlc = ev.hlc;
  w.writer = ev.device;
  w.origin = WriteOrigin::kEdgeEvent;
  w.boot = ev.boot;
  w.seq = ev.seq;
  StateKey key = StateKey::kRunning;
  std::uint32_t sensor = 0;
  switch (ev.kind) {
    case DeviceEventKind::kInterlockTrip:
      w.value = 0;
      w.origin = WriteOrigin::kEdgeInterlock;
      break;
    case DeviceEventKind::kAssetRestart:
      w.value = 1;
      break;
    case DeviceEventKind::kSetpointChange:
      key = StateKey::kSetpoint;
      break;
    case DeviceEventKind::kCommandApplied: {
      const auto it = commands_.find(ev.command_id);
      if (it != commands_.end() && it->second.kind == CommandKind::kSetpoint) key = StateKey::kSetpoint;
      break;
    }
    case DeviceEventKind::kAlarmRaised:
    case DeviceEventKind::kAlarmCleared:
      // One register per (device, sensor), written by the device alone (no command acknowledges an alarm).
      if (!(ev.value >= 0 && ev.value < static_cast<double>(kDeviceEventSensorBase))) return;
      key = StateKey::kAlarmOpen;
      sensor = static_cast<std::uint32_t>(ev.value);
      w.value = ev.kind == DeviceEventKind::kAlarmRaised ? 1.0 : 0.0;
      break;
  }
  state_.write(ev.device, key, sensor, w, log_.state);
}

void Reconciler::issue_command(CloudCommand& command, double now_s) {
  command.hlc = clock_.tick(now_s);
  command.context = received_.context(command.device);
  commands_[command.command_id] = {command.hlc, now_s, command.kind};
  RegisterWrite w;
  w.hlc = command.hlc;
  w.writer = kCloudWriter;
  w.origin = WriteOrigin::kCloudCommand;
  w.context = command.context;
  StateKey key = StateKey::kRunning;
  if (command.kind == CommandKind::kSetpoint) {
    key = StateKey::kSetpoint;
    w.value = command.value;
  } else {
    w.value = command.kind == CommandKind::kStart ? 1.0 : 0.0;
  }
  state_.write(command.device, key, 0, w, log_.state);
}

bool Reconciler::admit(std::uint32_t device, std::uint32_t boot, std::uint64_t seq, Entry e, double now_s) {
  Stream& s = streams_[{device, boot}];
  SeqKey key{seq, 0};
  if (options_.mode == ReconcileMode::kDedupByDeviceTime) {
    // The wrong identity let it through: it takes the next copy slot of its seq.
    auto it = s.entries.lower_bound({seq, 0});
    while (it != s.entries.end() && it->first.first == seq) {
      key.second = it->first.second + 1;
      ++it;
    }
  } else if (s.entries.count(key)) {
    ++duplicates_;
    return false;
  }
  // A later boot's data: the older boots' holes will never be filled.
  const auto lb = latest_boot_.find(device);
  if (lb == latest_boot_.end() || boot > lb->second) {
    if (lb != latest_boot_.end()) close_older_boots(device, boot);
    latest_boot_[device] = boot;
  }
  cover(device, boot, s, seq, seq + 1, now_s, true);
  received_.add(device, boot, seq);  // the cloud now knows of it (commands' causal contexts)
  // Before the placement (a hole this record opens holds the windows it could
  // land in before the watermark moves), and after it (its time may release them).
  update_final_limit(device, true);
  place_admitted(device, boot, s, key, s.entries.emplace(key, e).first->second, now_s);
  update_final_limit(device);
  return true;
}

void Reconciler::place_admitted(std::uint32_t device, std::uint32_t boot, Stream& s, const SeqKey& key,
                                Entry& x, double now_s) {
  if (options_.mode == ReconcileMode::kReceiptOrder) {
    // Wrong on purpose: the receipt time is the event time, claimed exact (the cloud's own clock).
    if (x.valid) set_placement(device, boot, key, x, Entry::Where::kView, {now_s, 0.0, TimeRepair::kNone});
    return;
  }
  if (!x.valid) return;
  x.trusted =
      trusted_stamp(x.device_time_s, x.uncertainty_s, x.uptime_s, x.first_receipt_s, options_.timestamps);
  SeqKey from = key, until = key;
  const bool unsynced =
      !std::isfinite(x.uncertainty_s) && std::isfinite(x.device_time_s) && std::isfinite(x.uptime_s);
  if (unsynced) s.unsynced.emplace(x.device_time_s - x.uptime_s, key);
  const double threshold_before = epoch_threshold(s);
  const BootAnchor::Change change = x.trusted ? s.anchor.add(x.device_time_s, x.uncertainty_s, x.uptime_s,
                                                             options_.timestamps.counter_drift_ppm)
                                              : BootAnchor::Change::kNone;
  if (change != BootAnchor::Change::kNone) {
    // The anchor narrowed: the repaired stamps are repaired again, and the
    // unsynced stamps whose epoch test the move flips are judged again. It
    // moved (another region won): every stamp is judged again, since which
    // trusted stamps agree with it may have changed (rare: O(stream)).
    std::vector<SeqKey> again;
    if (change == BootAnchor::Change::kMoved) {
      for (const auto& [k, e] : s.entries)
        if (e.valid) again.push_back(k);
    } else {
      again.assign(s.repaired.begin(), s.repaired.end());
      const double threshold_after = epoch_threshold(s);
      const auto lo = s.unsynced.lower_bound(std::min(threshold_before, threshold_after));
      const auto hi = s.unsynced.upper_bound(std::max(threshold_before, threshold_after));
      for (auto it = lo; it != hi; ++it) again.push_back(it->second);
    }
    for (const SeqKey& k : again) {
      if (k == key) continue;
      compute_base(s, k, s.entries.at(k));
      from = std::min(from, k);
      until = std::max(until, k);
    }
  }
  compute_base(s, key, x);
  replace_from(device, boot, s, from, until, key);
}

double Reconciler::epoch_threshold(const Stream& s) const {
  // An unsynced stamp d at uptime up is an epoch stamp when d − up < anchor_lo − epoch_before_s.
  return s.anchor.known() ? s.anchor.lo_s() - options_.timestamps.epoch_before_s
                          : -std::numeric_limits<double>::infinity();
}

void Reconciler::compute_base(Stream& s, const SeqKey& k, Entry& e) {
  const StampClass c = classify_stamp(e.device_time_s, e.uncertainty_s, e.uptime_s, e.first_receipt_s,
                                      s.anchor, options_.timestamps);
  if (c == StampClass::kOk)
    s.repaired.erase(k);
  else
    s.repaired.insert(k);
  e.timed = true;
  s.timed.insert(k);
  if (c == StampClass::kOk) {
    e.base = {e.device_time_s, e.uncertainty_s, TimeRepair::kNone};
  } else if (!repair_from_anchor(c, e.uptime_s, s.anchor, options_.timestamps.counter_drift_ppm, e.base)) {
    e.timed = false;  // sequence placement, or quarantine
    s.timed.erase(k);
    e.base = {};
    return;
  }
  if (e.base.time_s < e.floor_s) {  // before its cause: raised to it
    e.base.uncertainty_s += e.floor_s - e.base.time_s;
    e.base.time_s = e.floor_s;
    e.base.repair = TimeRepair::kBackwards;
  }
}

void Reconciler::replace_untimed(std::uint32_t device, std::uint32_t boot, Stream& s,
                                 std::map<SeqKey, Entry>::iterator lo, std::map<SeqKey, Entry>::iterator hi) {
  // Entries strictly between two timed entries lo and hi (lo or hi == end: no neighbour on that side).
  auto it = lo == s.entries.end() ? s.entries.begin() : std::next(lo);
  for (; it != hi && it != s.entries.end(); ++it) {
    Entry& e = it->second;
    if (!e.valid || e.timed) continue;
    if (lo == s.entries.end() || hi == s.entries.end())
      set_placement(device, boot, it->first, e, Entry::Where::kQuarantine, {});
    else
      set_placement(device, boot, it->first, e, Entry::Where::kView,
                    place_between(it->first.first, lo->first.first, lo->second.placed, hi->first.first,
                                  hi->second.placed));
  }
}

void Reconciler::replace_from(std::uint32_t device, std::uint32_t boot, Stream& s, SeqKey from, SeqKey until,
                              SeqKey fresh) {
  // The running maximum runs over the timed entries only (the index), so an
  // untimed entry costs O(log n) and a stream of them never walks itself.
  auto ti = s.timed.lower_bound(from);
  auto prev = ti == s.timed.begin() ? s.entries.end() : s.entries.find(*std::prev(ti));
  bool prev_changed = false;
  double running_max =
      prev != s.entries.end() ? prev->second.placed.time_s : -std::numeric_limits<double>::infinity();
  for (; ti != s.timed.end(); ++ti) {
    const auto cur = s.entries.find(*ti);
    Entry& e = cur->second;
    RepairedTime t = e.base;
    if (t.time_s < running_max) {  // behind an earlier seq of this boot: raised, bound widened by the raise
      t.uncertainty_s += running_max - t.time_s;
      t.time_s = running_max;
      t.repair = TimeRepair::kBackwards;
    }
    running_max = t.time_s;
    const bool unchanged = e.where == Entry::Where::kView && same(e.placed, t);
    set_placement(device, boot, cur->first, e, Entry::Where::kView, t);
    // The untimed entries between two timed ones move when either of them did.
    if (prev_changed || !unchanged) replace_untimed(device, boot, s, prev, cur);
    prev = cur;
    prev_changed = !unchanged;
    if (unchanged && cur->first > until) break;  // everything after it is as it was
  }
  // A new untimed entry: between its timed neighbours, or quarantined.
  const auto f = s.entries.find(fresh);
  if (f != s.entries.end() && f->second.valid && !f->second.timed) {
    const auto next = s.timed.upper_bound(fresh);
    if (next == s.timed.begin() || next == s.timed.end()) {
      set_placement(device, boot, fresh, f->second, Entry::Where::kQuarantine, {});
    } else {
      const auto lo = s.entries.find(*std::prev(next)), hi = s.entries.find(*next);
      set_placement(
          device, boot, fresh, f->second, Entry::Where::kView,
          place_between(fresh.first, lo->first.first, lo->second.placed, hi->first.first, hi->second.placed));
    }
  }
}

void Reconciler::set_placement(std::uint32_t device, std::uint32_t boot, const SeqKey& k, Entry& e,
                               Entry::Where where, const RepairedTime& t) {
  if (e.where == where && (where != Entry::Where::kView || same(e.placed, t))) return;
  auto change = [&](ViewChange::Kind kind, const RepairedTime& at) {
    log_.view.push_back(ViewChange{kind, device, boot, k.first, e.sensor, e.value, e.count, at.time_s,
                                   at.uncertainty_s, at.repair});
  };
  if (e.where == Entry::Where::kView) {
    change(ViewChange::Kind::kRetract, e.placed);
    ++retractions_;
    if (!e.is_event) windows_.remove(e.sensor, e.placed.time_s, e.value, e.count, log_.windows);
  }
  if (where == Entry::Where::kView) {
    change(ViewChange::Kind::kInsert, t);
    if (!e.is_event) windows_.add(e.sensor, t.time_s, e.value, e.count, log_.windows);
  } else if (where == Entry::Where::kQuarantine) {
    // It claims nothing: the stamp as sent (0 when null), an infinite bound.
    change(ViewChange::Kind::kQuarantine, {std::isfinite(e.device_time_s) ? e.device_time_s : 0.0,
                                           std::numeric_limits<double>::infinity(), TimeRepair::kNone});
  }
  e.where = where;
  e.placed = t;
}

void Reconciler::cover(std::uint32_t device, std::uint32_t boot, Stream& s, std::uint64_t from,
                       std::uint64_t to, double now_s, bool arrival) {
  if (!s.started) {
    s.started = true;
    s.covered_to = options_.sequence_starts_at_zero ? 0 : from;
  }
  // Arriving inside a gap already marked: kept, and counted (the mark was premature).
  if (arrival && !s.marked.empty()) {
    auto m = s.marked.upper_bound(from);
    if (m != s.marked.begin() && std::prev(m)->second > from) ++arrived_in_gap_;
  }
  if (from >= s.covered_to) {
    if (from > s.covered_to) {
      const double deadline = now_s + options_.gap_timeout_s;
      s.holes[s.covered_to] = {from, deadline};
      timeouts_.push({deadline, device, boot, s.covered_to});
    }
    s.covered_to = to;
    return;
  }
  if (to > s.covered_to) {
    const std::uint64_t old = s.covered_to;
    s.covered_to = to;
    to = old;
  }
  auto it = s.holes.upper_bound(from);
  if (it != s.holes.begin()) --it;
  while (it != s.holes.end() && it->first < to) {
    const std::uint64_t h = it->first;
    const Hole hole = it->second;
    if (hole.to <= from) {
      ++it;
      continue;
    }
    it = s.holes.erase(it);
    if (h < from) s.holes[h] = {from, hole.deadline_s};
    if (to < hole.to) {
      s.holes[to] = {hole.to, hole.deadline_s};
      timeouts_.push({hole.deadline_s, device, boot, to});
    }
  }
}

void Reconciler::update_final_limit(std::uint32_t device, bool lower_only) {
  if (options_.mode == ReconcileMode::kReceiptOrder) return;  // data is placed at arrival: never behind
  double limit_s = std::numeric_limits<double>::infinity();
  for (auto it = streams_.lower_bound({device, 0}); it != streams_.end() && it->first.first == device; ++it) {
    const Stream& s = it->second;
    if (s.holes.empty()) continue;
    // Placed times never decrease with seq (the running maximum): the first hole's neighbour is the earliest.
    const auto below = s.timed.lower_bound({s.holes.begin()->first, 0});
    limit_s = below == s.timed.begin() ? -std::numeric_limits<double>::infinity()
                                       : std::min(limit_s, s.entries.at(*std::prev(below)).placed.time_s);
  }
  const auto [it, inserted] = final_limit_s_.try_emplace(device, limit_s);
  if (lower_only && !inserted) limit_s = std::min(limit_s, it->second);
  if (!inserted && std::bit_cast<std::uint64_t>(it->second) == std::bit_cast<std::uint64_t>(limit_s)) return;
  it->second = limit_s;
  const auto sensors = device_sensors_.find(device);
  if (sensors == device_sensors_.end()) return;
  for (const std::uint32_t sensor : sensors->second) windows_.set_final_limit(sensor, limit_s, log_.windows);
}

void Reconciler::mark(std::uint32_t device, std::uint32_t boot, std::uint64_t from, std::uint64_t to,
                      GapCause cause) {
  log_.gaps.push_back(GapMark{device, boot, from, to, cause});
  ++gaps_marked_[static_cast<int>(cause)];
  gap_seqs_[static_cast<int>(cause)] += to - from;
  streams_[{device, boot}].marked[from] = to;
}

void Reconciler::close_older_boots(std::uint32_t device, std::uint32_t boot) {
  for (auto it = streams_.lower_bound({device, 0});
       it != streams_.end() && it->first.first == device && it->first.second < boot; ++it) {
    Stream& s = it->second;
    for (const auto& [from, hole] : s.holes) mark(device, it->first.second, from, hole.to, GapCause::kReboot);
    s.holes.clear();
  }
  // The limit rises after the new boot's record is placed (admit).
}

void Reconciler::tick(double now_s) {
  while (!timeouts_.empty() && std::get<0>(timeouts_.top()) <= now_s) {
    const auto [deadline, device, boot, from] = timeouts_.top();
    timeouts_.pop();
    const auto sit = streams_.find({device, boot});
    if (sit == streams_.end()) continue;
    Stream& s = sit->second;
    const auto h = s.holes.find(from);
    if (h == s.holes.end() || h->second.deadline_s != deadline) continue;  // filled or split meanwhile
    const std::uint64_t to = h->second.to;
    s.holes.erase(h);
    mark(device, boot, from, to, GapCause::kTimeout);
    update_final_limit(device);
  }
}

void Reconciler::device_reported_gap(std::uint32_t device, std::uint32_t boot, std::uint64_t seq_from,
                                     std::uint64_t seq_to, double now_s) {
  if (seq_to <= seq_from) return;
  Stream& s = streams_[{device, boot}];
  cover(device, boot, s, seq_from, seq_to, now_s, false);
  // Only what no mark covers yet: a notice repeated (a resent message) or
  // arriving after a timeout or reboot mark adds nothing; marks stay disjoint.
  std::uint64_t at = seq_from;
  auto m = s.marked.upper_bound(at);
  if (m != s.marked.begin()) --m;
  while (at < seq_to) {
    while (m != s.marked.end() && m->second <= at) ++m;
    const std::uint64_t free_to = m == s.marked.end() ? seq_to : std::min(seq_to, m->first);
    if (free_to > at) mark(device, boot, at, free_to, GapCause::kDeviceReported);  // inserts before m
    if (m == s.marked.end() || m->first >= seq_to) break;
    at = std::max(at, m->second);
    ++m;
  }
  update_final_limit(device);
}

void Reconciler::finish(double now_s) {
  tick(now_s);
  for (auto& [key, s] : streams_) {
    for (const auto& [from, hole] : s.holes) mark(key.first, key.second, from, hole.to, GapCause::kTimeout);
    s.holes.clear();
  }
  windows_.close(log_.windows);
}

void Reconciler::drain(CloudLog& out) {
  out.view.insert(out.view.end(), log_.view.begin(), log_.view.end());
  out.gaps.insert(out.gaps.end(), log_.gaps.begin(), log_.gaps.end());
  out.windows.insert(out.windows.end(), log_.windows.begin(), log_.windows.end());
  out.state.insert(out.state.end(), log_.state.begin(), log_.state.end());
  log_.clear();
}

void Reconciler::counters(PipelineCounters& c) const {
  std::uint64_t in_view = 0, events = 0, quarantined = 0, repaired[7] = {};
  for (const auto& [key, s] : streams_)
    for (const auto& [k, e] : s.entries) {
      if (e.where == Entry::Where::kQuarantine) ++quarantined;
      if (e.where != Entry::Where::kView) continue;
      (e.is_event ? events : in_view)++;
      ++repaired[static_cast<int>(e.placed.repair)];
    }
  const std::string p = "reconciliation.";
  c[p + "records_in"] = records_in_;
  c[p + "events_in"] = events_in_;
  c[p + "duplicates"] = duplicates_;
  c[p + "invalid_values"] = invalid_;
  c[p + "view.records"] = in_view;
  c[p + "view.events"] = events;
  c[p + "quarantined"] = quarantined;
  c[p + "retractions"] = retractions_;
  c[p + "hlc_ignored_future"] = hlc_ignored_;
  c[p + "repaired.null"] = repaired[static_cast<int>(TimeRepair::kNull)];
  c[p + "repaired.epoch"] = repaired[static_cast<int>(TimeRepair::kEpoch)];
  c[p + "repaired.future"] = repaired[static_cast<int>(TimeRepair::kFuture)];
  c[p + "repaired.backwards"] = repaired[static_cast<int>(TimeRepair::kBackwards)];
  c[p + "repaired.sequence"] = repaired[static_cast<int>(TimeRepair::kSequence)];
  c[p + "repaired.anchor"] = repaired[static_cast<int>(TimeRepair::kAnchor)];
  c[p + "gaps.device_reported"] = gaps_marked_[static_cast<int>(GapCause::kDeviceReported)];
  c[p + "gaps.reboot"] = gaps_marked_[static_cast<int>(GapCause::kReboot)];
  c[p + "gaps.timeout"] = gaps_marked_[static_cast<int>(GapCause::kTimeout)];
  c[p + "gaps.seqs_marked"] = gap_seqs_[0] + gap_seqs_[1] + gap_seqs_[2];
  c[p + "gaps.arrived_after_mark"] = arrived_in_gap_;
  c[p + "windows.late_revisions"] = windows_.late_revisions();
  c[p + "windows.revised_after_final"] = windows_.revisions_after_final();
}

}  // namespace twinbed::pipeline
