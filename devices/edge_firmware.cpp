#include "devices/edge_firmware.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::devices {

EdgeFirmware::EdgeFirmware(FirmwareOptions options, std::vector<SensorChannel> sensors)
    : options_(options),
      sensors_(std::move(sensors)),
      buffer_(options.buffer_capacity_records, options.overflow),
      flash_(options.flash),
      alarm_open_(sensors_.size(), 0) {
  for (const SensorChannel& ch : sensors_) has_alarm_limits_ = has_alarm_limits_ || ch.alarm.any();
}

bool EdgeFirmware::alarm_tripped(const Reading& r) const {
  for (const SensorChannel& ch : sensors_)
    if (ch.sensor_index == r.record.sensor) return ch.alarm.tripped(r.record.value);
  return false;
}

void EdgeFirmware::track_alarm_state(const Reading& r) {
  const double v = r.record.value;
  for (std::size_t k = 0; k < sensors_.size(); ++k) {
    const SensorChannel& ch = sensors_[k];
    if (ch.sensor_index != r.record.sensor) continue;
    if (!ch.alarm.any()) return;
    // No hysteresis: a NaN reading is neither outside nor inside and changes nothing.
    const bool open = alarm_open_[k] != 0;
    const bool change = open ? std::isfinite(v) && !ch.alarm.tripped(v) : ch.alarm.tripped(v);
    if (!change) return;
    alarm_open_[k] = open ? 0 : 1;
    record_event(open ? pipeline::DeviceEventKind::kAlarmCleared : pipeline::DeviceEventKind::kAlarmRaised,
                 ch.sensor_index, r.truth.true_time_s);
    flush_events(r.truth.true_time_s);  // numbered right after the reading that changed the state
    return;
  }
}

void EdgeFirmware::form_reading(Reading& r, std::uint64_t seq) {
  r.record.device = options_.device_index;
  r.record.boot = options_.boot;
  r.record.seq = seq;
  r.truth.serial = serial_++;
  r.record.device_time_s = stamp(r.truth.true_time_s);
  if (options_.time_metadata) stamp_metadata(r.record, r.truth.true_time_s);
  ++generated_;
  if (on_generated_) on_generated_(r);
}

float EdgeFirmware::declared_uncertainty_s(double t_s) {
  const double u_s = options_.clock_declares_uncertainty && options_.device_clock
                         ? options_.device_clock->declared_uncertainty_s(t_s)
                         : options_.sync_bound_s;
  // Rounded up to a float: the wire's f32 still covers the bound.
  const auto f = static_cast<float>(u_s);
  return static_cast<double>(f) < u_s ? std::nextafter(f, std::numeric_limits<float>::infinity()) : f;
}

void EdgeFirmware::record_event(pipeline::DeviceEventKind kind, double value, double t_s,
                                std::uint64_t command_id, std::uint64_t cause_hlc) {
  HeldEvent e;
  e.event.kind = kind;
  e.event.value = value;
  e.event.command_id = command_id;
  e.event.cause_hlc = cause_hlc;
  e.truth.true_time_s = t_s;
  const auto at = std::upper_bound(pending_events_.begin(), pending_events_.end(), t_s,
                                   [](double t, const PendingEvent& p) { return t < p.at_s; });
  pending_events_.insert(at, {t_s, e});
  next_event_s_ = pending_events_.front().at_s;
}

void EdgeFirmware::flush_events(double t_s) {
  std::size_t n = 0;
  for (; n < pending_events_.size() && pending_events_[n].at_s <= t_s; ++n) {
    const double at_s = pending_events_[n].at_s;
    HeldEvent e = pending_events_[n].held;
    pipeline::DeviceEvent& ev = e.event;
    ev.device = options_.device_index;
    ev.boot = options_.boot;
    ev.seq = next_seq_++;
    ev.device_time_s = stamp(at_s);
    if (options_.time_metadata) {
      if (ev.cause_hlc != 0) hlc_.receive(ev.cause_hlc, ev.device_time_s);  // the command's message arrived
      stamp_metadata(ev, at_s);
    }
    e.truth.serial = event_serial_++;
    e.truth.persisted = flash_.params().enabled();  // an event journal beside the reading log
    if (on_event_) on_event_(e);
    keep_event(std::move(e));
  }
  pending_events_.erase(pending_events_.begin(), pending_events_.begin() + static_cast<std::ptrdiff_t>(n));
  next_event_s_ =
      pending_events_.empty() ? std::numeric_limits<double>::infinity() : pending_events_.front().at_s;
}

void EdgeFirmware::keep_event(HeldEvent e) {
  // Bounded like the alarm queue: the oldest goes when full.
  if (events_.size() >= std::max<std::size_t>(options_.alarm_capacity_records, 1)) {
    lose_event(events_.front(), LossCause::kBufferOverflow);
    events_.erase(events_.begin());
  }
  events_.push_back(std::move(e));
}

void EdgeFirmware::queue_alarm(Reading r) {
  ++alarms_raised_;
  r.truth.alarm = true;
  if (alarms_.size() >= options_.alarm_capacity_records) {
    if (options_.alarm_capacity_records == 0) {
      lose(r, LossCause::kBufferOverflow);
      return;
    }
    const Reading oldest = alarms_.front();
    alarms_.pop_front();
    lose(oldest, LossCause::kBufferOverflow);
  }
  alarms_.push_back(r);
}

namespace {
// Scratch space for sample_until, shared by every device on the thread: no
// allocation on the hot path, and memory that does not grow with the number
// of devices times the longest sampling gap (a per-device scratch held 2.6 GB
// for 10,000 devices publishing hourly). sample_until never yields, so one
// set per thread is enough.
struct SampleScratch {
  std::vector<Reading> readings;
  Eigen::ArrayXd times, values;
};
SampleScratch& scratch() {
  static thread_local SampleScratch s;
  return s;
}
}  // namespace

// Flattened: the asset evaluation and the sensor model are inlined into the
// sampling loop (they run once per channel and once per sample).
[[gnu::flatten]] void EdgeFirmware::take_samples(double t_s, std::vector<Reading>& readings) {
  SampleScratch& sc = scratch();
  Eigen::ArrayXd& times = sc.times;
  Eigen::ArrayXd& values = sc.values;
  for (SensorChannel& ch : sensors_) {
    // Sample k is due at k / rate; take every k with k / rate <= t_s.
    const auto last_k = static_cast<std::uint64_t>(std::floor(t_s * ch.params.rate_hz + 1e-9));
    if (last_k < ch.next_k) continue;
    const auto n = static_cast<Eigen::Index>(last_k - ch.next_k + 1);
    const double period_s = 1.0 / ch.params.rate_hz;
    times.resize(n);
    for (Eigen::Index i = 0; i < n; ++i)
      times(i) = static_cast<double>(ch.next_k + static_cast<std::uint64_t>(i)) / ch.params.rate_hz;
    Eigen::Index taken = n;  // a stopped recording takes none past its end
    if (ch.recorded)
      taken = ch.recorded->evaluate(times, values);
    else
      ch.asset->evaluate(ch.signal, times, values);
    for (Eigen::Index i = 0; i < taken; ++i) {
      const Measurement m = ch.measure(times(i), values(i), period_s);
      if (m.missing) {  // the sensor produced nothing: no reading, no sequence number
        ++missing_;
        continue;
      }
      Reading r;
      r.truth.true_time_s = times(i);
      r.truth.true_value = values(i);
      r.truth.fault_mask = m.fault_mask;
      r.record.value = m.value;
      r.record.sensor = ch.sensor_index;
      readings.push_back(r);
    }
    ch.next_k = last_k + 1;
  }
}

void EdgeFirmware::sample_until(double t_s) {
  std::vector<Reading>& readings = scratch().readings;
  readings.clear();
  take_samples(t_s, readings);
  if (readings.empty()) {
    if (t_s >= next_event_s_) flush_events(t_s);
    return;
  }
  // Sequence numbers follow physical time across sensors, as a sampling loop would.
  if (sensors_.size() > 1)
    std::stable_sort(readings.begin(), readings.end(), [](const Reading& a, const Reading& b) {
      return a.truth.true_time_s < b.truth.true_time_s;
    });
  if (on_transform_) {
    transform_and_store(readings);
    if (t_s >= next_event_s_) flush_events(t_s);
    return;
  }
  // Events due within the pass take their place among its readings (one test per pass when none is).
  const bool events_due = next_event_s_ <= readings.back().truth.true_time_s;
  for (Reading& r : readings) {
    if (events_due && r.truth.true_time_s >= next_event_s_) flush_events(r.truth.true_time_s);
    form_reading(r, next_seq_++);
    if (options_.alarm_events && has_alarm_limits_) track_alarm_state(r);
    if (has_alarm_limits_ && alarm_tripped(r)) {
      queue_alarm(r);
      continue;
    }
    store(r);
  }
  if (on_sampled_) on_sampled_(readings);
  report_merges();
  if (t_s >= next_event_s_) flush_events(t_s);  // and those the pass itself raised (an interlock trip)
}

void EdgeFirmware::report_merges() {
  if (!buffer_.thinned().empty()) {  // downsampling: what the buffer thinned, once per batch
    for (const Reading& t : buffer_.thinned()) lose(t, LossCause::kBufferOverflow);
    buffer_.thinned().clear();
  }
  if (!buffer_.merged().empty()) {  // aggregating: the readings merged into others
    for (const Reading& m : buffer_.merged()) lose(m, LossCause::kAggregated);
    buffer_.merged().clear();
  }
}

namespace {
struct TransformScratch {
  std::vector<pipeline::EdgeFate> fate;
  std::vector<Reading> derived, sent;
};
TransformScratch& transform_scratch() {
  static thread_local TransformScratch s;
  return s;
}
}  // namespace

void EdgeFirmware::transform_and_store(std::vector<Reading>& readings) {
  TransformScratch& sc = transform_scratch();
  // Sample numbers (the stages' view) count every sample of the boot epoch.
  // An event due within the pass is recorded in time order with the stamps
  // (its number comes before the numbers the pass's readings get below).
  for (Reading& r : readings) {
    if (r.truth.true_time_s >= next_event_s_) flush_events(r.truth.true_time_s);
    form_reading(r, next_sample_++);
    if (options_.alarm_events && has_alarm_limits_) track_alarm_state(r);
  }
  sc.fate.assign(readings.size(), pipeline::EdgeFate::kSend);
  sc.derived.clear();
  on_transform_(readings, sc.fate, sc.derived);
  sc.sent.clear();
  for (std::size_t i = 0; i < readings.size(); ++i) {
    switch (sc.fate[i]) {
      case pipeline::EdgeFate::kSend:
        sc.sent.push_back(readings[i]);
        break;
      case pipeline::EdgeFate::kSuppressed:
        if (has_alarm_limits_ && alarm_tripped(readings[i])) {  // an alarm is never suppressed
          sc.sent.push_back(readings[i]);
          break;
        }
        ++suppressed_;
        break;
      case pipeline::EdgeFate::kSummarised:
        ++summarised_;
        break;
    }
  }
  for (Reading& d : sc.derived) {
    d.record.device = options_.device_index;
    d.record.boot = options_.boot;
    d.truth.serial = serial_++;
    if (options_.time_metadata) stamp_metadata(d.record, d.truth.true_time_s);
    ++generated_;
    ++derived_;
    if (on_generated_) on_generated_(d);
    sc.sent.push_back(d);
  }
  for (Reading& r : sc.sent) {
    r.record.seq = next_seq_++;
    if (r.truth.alarm || (has_alarm_limits_ && alarm_tripped(r))) {
      queue_alarm(r);
      continue;
    }
    store(r);
  }
  if (on_sampled_) on_sampled_(sc.sent);
  report_merges();
}

void EdgeFirmware::store(const Reading& r) {
  const FlashParams& fp = flash_.params();
  if (!fp.enabled()) {
    if (auto lost = buffer_.push(r)) lose(*lost, LossCause::kBufferOverflow);
    return;
  }
  const double t_s = r.truth.true_time_s;
  if (fp.mode == FlashParams::Mode::kSpill && buffer_.size() >= options_.buffer_capacity_records)
    write_page(t_s);  // RAM is full: its oldest page goes to flash
  if (auto lost = buffer_.push(r)) lose(*lost, LossCause::kBufferOverflow);
  if (fp.mode == FlashParams::Mode::kPersist && buffer_.size() >= fp.page_records) write_page(t_s);
}

bool EdgeFirmware::write_page(double t_s) {
  const FlashParams& fp = flash_.params();
  if (buffer_.size() < fp.page_records) return false;
  if (options_.storage_full && options_.storage_full(t_s)) return false;  // the file system refuses
  if (!flash_.has_room()) {
    if (options_.overflow != OverflowPolicy::kDropOldest || flash_.empty()) return false;
    // Drop oldest: the oldest page makes room (whole pages, as a log erases blocks).
    for (const Reading& lost : flash_.evict_oldest_page()) lose(lost, LossCause::kBufferOverflow);
    ++flash_evictions_;
  }
  std::vector<Reading> page;
  page.reserve(fp.page_records);
  buffer_.take_readings(fp.page_records, page);
  if (on_persisted_) on_persisted_(page, t_s);
  flash_.write_page(std::move(page), t_s);
  return true;
}

void EdgeFirmware::skip_before(double t_s) {
  // Events while the firmware was not running are recorded when it is back.
  for (PendingEvent& p : pending_events_) p.at_s = std::max(p.at_s, t_s);
  if (!pending_events_.empty()) next_event_s_ = pending_events_.front().at_s;
  for (SensorChannel& ch : sensors_) {
    // Samples k with k / rate < t_s are not taken.
    const double k_end = std::ceil(t_s * ch.params.rate_hz - 1e-9);  // first k at or after t_s
    const auto first_kept = static_cast<std::uint64_t>(std::max(1.0, k_end));
    if (first_kept > ch.next_k) {
      missing_down_ += first_kept - ch.next_k;
      ch.next_k = first_kept;
    }
  }
}

void EdgeFirmware::reboot(const RebootSemantics& semantics, double t_s, bool tear_last_page) {
  // Gap notices: the list and the outbox are in RAM (lost), unless the device
  // has flash, which journals them beside its event journal (kept, and those
  // in flight put back to be sent again).
  if (flash_.params().enabled()) {
    for (const InFlight& m : outbox_)
      for (const pipeline::GapNotice& g : m.batch->gaps) note_range(g.boot, g.seq_from, g.seq_to, g.cause);
  } else {
    notices_lost_reboot_ += notices_.size();
    for (const InFlight& m : outbox_) notices_lost_reboot_ += m.batch->gaps.size();
    notices_.clear();
  }
  // Flash survives, but for a page still programming (or the last one, when the crash tore it):
  // the recovery finds the torn page, and the new boot reports it (a notice of the old boot).
  for (const Reading& torn : flash_.power_loss(t_s, tear_last_page)) lose(torn, LossCause::kTornWrite);
  std::vector<pipeline::Record> records;
  std::vector<ReadingTruth> truth;
  buffer_.take_into(buffer_.size(), records, truth);
  for (const Reading& a : alarms_) {
    records.push_back(a.record);
    truth.push_back(a.truth);
  }
  alarms_.clear();
  backlog_ = 0;
  if (on_loss_) {
    for (std::size_t i = 0; i < records.size(); ++i)
      on_loss_(Reading{records[i], truth[i]}, LossCause::kReboot);
  }
  // Messages not yet acknowledged: what came from RAM is lost; what came
  // from flash is still there at the boot (put back newest message first).
  for (const InFlight& m : outbox_) {
    const Batch& b = *m.batch;
    for (std::size_t i = 0; i < b.records.size(); ++i)
      if ((i < m.flash_begin || i >= m.flash_end) && on_loss_)
        on_loss_(Reading{b.records[i], b.truth[i]}, LossCause::kRebootInflight);
  }
  for (auto m = outbox_.rbegin(); m != outbox_.rend(); ++m) {
    std::vector<Reading> kept;
    for (std::size_t i = m->flash_begin; i < m->flash_end; ++i)
      kept.push_back({m->batch->records[i], m->batch->truth[i]});
    flash_.restore(std::move(kept));
  }
  // Events: the RAM queue is lost, the flash journal kept; in flight, the
  // same by where each came from (the journal's go back, oldest first).
  std::vector<HeldEvent> kept_events;
  for (const InFlight& m : outbox_) {
    const Batch& b = *m.batch;
    for (std::size_t i = 0; i < b.events.size(); ++i) {
      if (b.event_truth[i].persisted)
        kept_events.push_back({b.events[i], b.event_truth[i]});
      else if (on_event_loss_)
        on_event_loss_({b.events[i], b.event_truth[i]}, LossCause::kRebootInflight);
    }
  }
  for (HeldEvent& e : events_) {
    if (e.truth.persisted)
      kept_events.push_back(std::move(e));
    else if (on_event_loss_)
      on_event_loss_(e, LossCause::kReboot);
  }
  events_ = std::move(kept_events);
  outbox_.clear();
  options_.boot = semantics.persist_boot_epoch ? options_.boot + 1 : 1;
  if (!options_.persist_message_counter) counter_base_ = next_message_id_ - 1;
  if (!semantics.persist_sequence) next_seq_ = next_sample_ = 0;
  hlc_ = pipeline::HybridLogicalClock{};  // RAM: the next stamp starts from the device clock
  boot_time_s_ = t_s;                     // the uptime counter starts at the reset
}

double EdgeFirmware::tokens_at(double t_s) const {
  const auto cap = static_cast<double>(options_.max_batch_records);
  return std::min(cap, tokens_ + std::max(0.0, t_s - tokens_at_s_) * options_.drain_records_per_s);
}

void EdgeFirmware::begin_drain(double t_s) {
  if (!drain_limited() || (buffer_.empty() && flash_.empty())) return;
  backlog_ = buffer_.size() + flash_.size();
  live_from_serial_ = serial_;
  tokens_ = static_cast<double>(options_.max_batch_records);
  tokens_at_s_ = t_s;
}

double EdgeFirmware::next_drain_s(double t_s) const {
  if (!draining()) return std::numeric_limits<double>::infinity();
  const auto need = static_cast<double>(std::min(options_.max_batch_records, backlog_));
  const double have = tokens_at(t_s);
  return have >= need ? t_s : t_s + (need - have) / options_.drain_records_per_s;
}

bool EdgeFirmware::has_due(double woke_s, double t_s) const {
  if (!alarms_.empty() || !events_.empty() || !notices_.empty()) return true;
  if (!draining()) return has_backlog_due(woke_s);
  const std::size_t live = buffer_.count_tail_from(live_from_serial_);
  if (live > 0 && buffer_.at(buffer_.size() - live).truth.true_time_s <= woke_s) return true;
  return next_drain_s(t_s) <= t_s;
}

InFlight* EdgeFirmware::form_message(double t_s) {
  if ((buffer_.empty() && alarms_.empty() && flash_.empty() && events_.empty() && notices_.empty()) ||
      window_full())
    return nullptr;
  auto batch = std::make_shared<Batch>();
  batch->message_id = next_message_id_++;
  batch->device = options_.device_index;
  batch->message_counter = batch->message_id - counter_base_;
  batch->auth_bytes = options_.auth_wire_bytes;
  batch->time_metadata = options_.time_metadata;
  InFlight outbox_entry;
  std::size_t room = options_.max_batch_records;
  const std::size_t n_events = std::min(room, events_.size());  // events first: few, and they matter
  for (std::size_t i = 0; i < n_events; ++i) {
    batch->events.push_back(events_[i].event);
    batch->event_truth.push_back(events_[i].truth);
  }
  events_.erase(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(n_events));
  room -= n_events;
  for (; room > 0 && !alarms_.empty(); --room) {  // alarms first
    batch->records.push_back(alarms_.front().record);
    batch->truth.push_back(alarms_.front().truth);
    alarms_.pop_front();
  }
  bool ends_backlog = false;
  if (draining()) {
    // Losses (overflow, downsampling) may have taken backlog readings: what
    // is not live is backlog.
    const std::size_t live = buffer_.count_tail_from(live_from_serial_);
    const std::size_t ram_backlog = buffer_.size() - live;
    backlog_ = flash_.size() + ram_backlog;
    const std::size_t live_taken = std::min(room, live);
    buffer_.take_range_into(ram_backlog, live_taken, batch->records, batch->truth);
    room -= live_taken;
    const double tokens = tokens_at(t_s);
    const std::size_t n = std::min({room, backlog_, static_cast<std::size_t>(tokens)});
    take_oldest(n, *batch, outbox_entry);
    tokens_ = tokens - static_cast<double>(n);
    tokens_at_s_ = t_s;
    backlog_ -= n;
    ends_backlog = backlog_ == 0;
  } else {
    take_oldest(room, *batch, outbox_entry);
  }
  if (options_.overflow == OverflowPolicy::kAggregate)
    for (const pipeline::Record& r : batch->records) batch->aggregates += r.count > 1;
  if (batch->records.empty() && batch->events.empty() && notices_.empty()) {  // nothing the bucket allows yet
    --next_message_id_;
    return nullptr;
  }
  // Every pending gap notice rides in the header (the list is bounded: so is the header).
  notices_sent_ += notices_.size();
  batch->gaps = std::move(notices_);
  notices_.clear();
  outbox_entry.batch = std::move(batch);
  outbox_entry.ends_backlog = ends_backlog;
  outbox_.push_back(std::move(outbox_entry));
  return &outbox_.back();
}

void EdgeFirmware::take_oldest(std::size_t n, Batch& batch, InFlight& entry) {
  entry.flash_begin = batch.records.size();
  const std::size_t from_flash = flash_.take_into(n, batch.records, batch.truth);
  entry.flash_end = entry.flash_begin + from_flash;
  buffer_.take_into(n - from_flash, batch.records, batch.truth);
}

void EdgeFirmware::lose(const Reading& r, LossCause cause) {
  note_loss(r.record.boot, r.record.seq, cause);
  if (on_loss_) on_loss_(r, cause);
}

void EdgeFirmware::lose_event(const HeldEvent& e, LossCause cause) {
  note_loss(e.event.boot, e.event.seq, cause);
  if (on_event_loss_) on_event_loss_(e, cause);
}

void EdgeFirmware::note_loss(std::uint32_t boot, std::uint64_t seq, LossCause cause) {
  if (!options_.gap_notices) return;
  using C = pipeline::GapNoticeCause;
  C c{};
  switch (cause) {
    case LossCause::kBufferOverflow:
      c = C::kBufferOverflow;
      break;
    case LossCause::kAggregated:
      c = C::kAggregated;
      break;
    case LossCause::kTornWrite:
      c = C::kTornWrite;
      break;
    case LossCause::kRetriesExhausted:
      c = C::kRetriesExhausted;
      break;
    case LossCause::kSessionDiscarded:
      c = C::kSessionDiscarded;
      break;
    case LossCause::kReboot:              // the RAM that knew is gone
    case LossCause::kRebootInflight:      // likewise
    case LossCause::kSentUnacknowledged:  // the device never learns of it
      return;
  }
  note_range(boot, seq, seq + 1, c);
}

void EdgeFirmware::note_range(std::uint32_t boot, std::uint64_t from, std::uint64_t to,
                              pipeline::GapNoticeCause cause) {
  if (!options_.gap_notices || to <= from) return;
  const auto key = [](const pipeline::GapNotice& g) { return std::make_pair(g.boot, g.seq_from); };
  // The list is sorted by (boot, seq_from); ranges never overlap.
  auto next = std::upper_bound(notices_.begin(), notices_.end(), std::make_pair(boot, from),
                               [&](const auto& k, const pipeline::GapNotice& g) { return k < key(g); });
  const auto joins = [&](const pipeline::GapNotice& g) { return g.boot == boot && g.cause == cause; };
  if (next != notices_.begin()) {
    pipeline::GapNotice& prev = *std::prev(next);
    if (prev.boot == boot && prev.seq_to > from) {  // already noted (in part): keep the rest only
      if (prev.seq_to >= to) return;
      from = prev.seq_to;
    }
    if (joins(prev) && prev.seq_to == from) {  // extends the range before it
      prev.seq_to = to;
      if (next != notices_.end() && joins(*next) && next->seq_from <= to) {
        prev.seq_to = std::max(prev.seq_to, next->seq_to);
        notices_.erase(next);
      }
      return;
    }
  }
  if (next != notices_.end() && next->boot == boot && next->seq_from < to) {
    if (joins(*next)) {  // overlaps or touches the range after it: they become one
      next->seq_from = std::min(next->seq_from, from);
      next->seq_to = std::max(next->seq_to, to);
      return;
    }
    to = next->seq_from;  // another cause's range holds the rest
  }
  if (next != notices_.end() && joins(*next) && next->seq_from == to) {
    next->seq_from = from;
    return;
  }
  notices_.insert(next, pipeline::GapNotice{options_.device_index, boot, from, to, cause});
  if (notices_.size() > std::max<std::size_t>(options_.gap_notice_capacity, 1)) {
    // Full: the oldest range goes (counted). Later data of its boot has usually
    // reached the cloud by then, so the cloud sees a hole there and marks it by
    // timeout; the newest ranges (a boot's tail) are the ones only the device can tell.
    notices_.erase(notices_.begin());
    ++notices_dropped_;
  }
}

std::vector<InFlight>::iterator EdgeFirmware::find(std::uint64_t message_id) {
  return std::find_if(outbox_.begin(), outbox_.end(),
                      [message_id](const InFlight& m) { return m.batch->message_id == message_id; });
}

void EdgeFirmware::report(const Batch& b, LossCause cause) {
  for (std::size_t i = 0; i < b.records.size(); ++i) lose(Reading{b.records[i], b.truth[i]}, cause);
  for (std::size_t i = 0; i < b.events.size(); ++i) lose_event({b.events[i], b.event_truth[i]}, cause);
  // The message never arrived: the notices it carried are due again, if the device knows (a
  // fire-and-forget message lost on the way takes them with it).
  if (cause != LossCause::kSentUnacknowledged)
    for (const pipeline::GapNotice& g : b.gaps) note_range(g.boot, g.seq_from, g.seq_to, g.cause);
}

void EdgeFirmware::acknowledged(std::uint64_t message_id) {
  if (const auto it = find(message_id); it != outbox_.end()) outbox_.erase(it);
}

void EdgeFirmware::acknowledge_arrived(double t_s) {
  std::erase_if(outbox_, [t_s](const InFlight& m) { return m.ack_at_s <= t_s; });
}

void EdgeFirmware::drop_inflight(std::uint64_t message_id, LossCause cause) {
  const auto it = find(message_id);
  if (it == outbox_.end()) return;
  report(*it->batch, cause);
  outbox_.erase(it);
}

void EdgeFirmware::drop_all_inflight(LossCause cause) {
  for (const InFlight& m : outbox_) report(*m.batch, cause);
  outbox_.clear();
}

bool EdgeFirmware::attempt_failed(std::uint64_t message_id) {
  const auto it = find(message_id);
  if (it == outbox_.end()) return true;
  ++it->failed_attempts;
  if (options_.max_attempts == 0 || it->failed_attempts < options_.max_attempts) return false;
  report(*it->batch, LossCause::kRetriesExhausted);
  outbox_.erase(it);
  return true;
}

}  // namespace twinbed::devices
