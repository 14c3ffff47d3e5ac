#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "devices/edge_firmware.hpp"

using namespace twinbed::devices;
using twinbed::faults::RandomStream;

namespace {
SensorChannel channel(std::uint32_t index, const PumpModel* pump, PumpSignal signal, SensorParams params,
                      const char* name) {
  SensorChannel c;
  c.sensor_index = index;
  c.asset = pump;
  c.signal = signal;
  c.params = params;
  c.noise = RandomStream(1, name, "noise");
  return c;
}

/// One vibration sensor sampled at rate_hz.
std::vector<SensorChannel> one_sensor(const PumpModel* pump, double rate_hz) {
  std::vector<SensorChannel> s;
  s.push_back(channel(0, pump, PumpSignal::kVibrationRms, {rate_hz, 0.0, 0.0, 0.0, 50.0}, "a"));
  return s;
}

std::vector<SensorChannel> two_sensors(const PumpModel* pump) {
  std::vector<SensorChannel> s;
  s.push_back(channel(0, pump, PumpSignal::kVibrationRms, {1.0, 0.0, 0.0, 0.0, 50.0}, "a"));
  s.push_back(channel(1, pump, PumpSignal::kBearingTemp, {2.0, 0.0, 0.0, -20.0, 150.0}, "b"));
  return s;
}
}  // namespace

TEST_CASE("firmware: readings are stamped by the local clock, sequenced in physical time order") {
  PumpModel pump(PumpParams{}, 1, "p");
  FirmwareOptions o;
  o.clock = {0.5, 100.0};  // +0.5 s offset, 100 ppm fast
  EdgeFirmware fw(o, two_sensors(&pump));
  fw.sample_until(10.0);
  CHECK(fw.generated() == 10 + 20);
  REQUIRE(fw.form_message());
  auto batch = fw.outbox().front().batch;
  for (std::size_t i = 1; i < batch->records.size(); ++i) {
    CHECK(batch->records[i].seq == batch->records[i - 1].seq + 1);
    CHECK(batch->truth[i].true_time_s >= batch->truth[i - 1].true_time_s);
  }
  const auto& last = batch->records.back();
  CHECK(last.device_time_s == doctest::Approx(10.0 + 0.5 + 100e-6 * 10.0));
}

TEST_CASE("firmware: QoS 1 in-flight window of one, retried until acknowledged or dropped") {
  PumpModel pump(PumpParams{}, 1, "p");
  FirmwareOptions o;
  o.max_batch_records = 8;
  o.max_attempts = 3;
  EdgeFirmware fw(o, two_sensors(&pump));
  std::size_t lost = 0;
  fw.on_loss([&](const Reading&, LossCause cause) { lost += cause == LossCause::kRetriesExhausted; });
  fw.sample_until(10.0);  // 30 readings
  const auto first = fw.form_message()->batch;
  CHECK(first->records.size() == 8);
  CHECK(fw.window_full());
  CHECK(fw.form_message() == nullptr);  // one in flight at most: a retry resends `first` (DUP)
  CHECK_FALSE(fw.attempt_failed(first->message_id));
  CHECK_FALSE(fw.attempt_failed(first->message_id));
  CHECK(fw.attempt_failed(first->message_id));  // third failure: dropped
  CHECK(lost == 8);
  const auto second = fw.form_message()->batch;
  CHECK(second->message_id == first->message_id + 1);
  fw.acknowledged(second->message_id);
  CHECK_FALSE(fw.has_inflight());
  CHECK(fw.messages_formed() == 2);
  CHECK(fw.buffer().size() == 30 - 16);
}

TEST_CASE("firmware: a window of several messages; acknowledgements and losses in any order") {
  PumpModel pump(PumpParams{}, 1, "p");
  FirmwareOptions o;
  o.max_batch_records = 5;
  o.max_inflight = 3;
  EdgeFirmware fw(o, two_sensors(&pump));
  std::vector<LossCause> causes;
  fw.on_loss([&](const Reading&, LossCause c) { causes.push_back(c); });
  fw.sample_until(10.0);  // 30 readings
  std::vector<std::uint64_t> ids;
  while (InFlight* m = fw.form_message()) ids.push_back(m->batch->message_id);
  REQUIRE(ids.size() == 3);  // the window is full
  CHECK(fw.buffer().size() == 30 - 15);
  fw.outbox()[1].ack_at_s = 12.0;  // the middle one's acknowledgement arrives first
  fw.acknowledge_arrived(11.0);
  CHECK(fw.outbox().size() == 3);
  fw.acknowledge_arrived(12.0);
  REQUIRE(fw.outbox().size() == 2);
  CHECK(fw.outbox()[0].batch->message_id == ids[0]);  // send order kept
  CHECK(fw.outbox()[1].batch->message_id == ids[2]);
  REQUIRE(fw.form_message() != nullptr);               // a slot is free again
  fw.drop_all_inflight(LossCause::kSessionDiscarded);  // a clean session discards the window
  CHECK(causes.size() == 15);
  CHECK(std::count(causes.begin(), causes.end(), LossCause::kSessionDiscarded) == 15);
  CHECK_FALSE(fw.has_inflight());
}

TEST_CASE("firmware: a reboot loses RAM, moves the boot epoch, and restarts the sequence unless persisted") {
  PumpModel pump(PumpParams{}, 1, "p");
  EdgeFirmware fw(FirmwareOptions{}, one_sensor(&pump, 1.0));
  std::vector<LossCause> causes;
  fw.on_loss([&](const Reading&, LossCause c) { causes.push_back(c); });
  fw.sample_until(10);
  REQUIRE(fw.form_message());  // 10 readings in flight, none left in the buffer
  fw.sample_until(15);         // 5 more in RAM
  fw.reboot({});               // defaults: boot epoch persisted, sequence not
  CHECK(std::count(causes.begin(), causes.end(), LossCause::kReboot) == 5);
  CHECK(std::count(causes.begin(), causes.end(), LossCause::kRebootInflight) == 10);
  CHECK_FALSE(fw.has_inflight());
  CHECK(fw.boot() == 2);
  fw.skip_before(20);  // down until t = 20: samples 16..19 are not taken
  CHECK(fw.missing_down() == 4);
  fw.sample_until(22);
  const auto after = fw.form_message()->batch;
  REQUIRE(after->records.size() == 3);
  CHECK(after->records[0].seq == 0);  // restarted
  CHECK(after->records[0].boot == 2);
  CHECK(after->truth[0].serial == 15);  // ground truth's count never restarts
  CHECK(after->truth[0].true_time_s == 20.0);
  fw.acknowledged(after->message_id);
  // Nothing persisted: the device reuses (boot 1, seq 0, ...) — ids repeat.
  fw.reboot({false, false});
  fw.sample_until(23);
  const auto reused = fw.form_message()->batch;
  CHECK(reused->records[0].boot == 1);
  CHECK(reused->records[0].seq == 0);
  fw.acknowledged(reused->message_id);
  fw.reboot({true, true});  // both persisted: the sequence goes on
  fw.sample_until(24);
  CHECK(fw.form_message()->batch->records[0].seq == 1);
}

TEST_CASE("firmware: alarm readings go out ahead of the buffer, and are lost with RAM at a reboot") {
  PumpModel pump(PumpParams{}, 1, "p");
  FirmwareOptions o;
  o.max_batch_records = 10;
  o.alarm_capacity_records = 3;
  auto sensors = two_sensors(&pump);
  sensors[1].alarm.above = -100.0;  // every bearing temperature reading is an alarm (2 Hz)
  EdgeFirmware fw(o, std::move(sensors));
  std::size_t overflow = 0, reboot = 0;
  fw.on_loss([&](const Reading& r, LossCause cause) {
    overflow += r.truth.alarm && cause == LossCause::kBufferOverflow;
    reboot += r.truth.alarm && cause == LossCause::kReboot;
  });
  fw.sample_until(4.0);  // 4 vibration readings in the buffer, 8 alarms: the 5 oldest dropped
  CHECK(fw.alarms_raised() == 8);
  CHECK(fw.alarms_waiting() == 3);
  CHECK(overflow == 5);
  const auto batch = fw.form_message(4.0)->batch;
  REQUIRE(batch->records.size() == 7);
  for (std::size_t i = 0; i < 3; ++i) {  // the three newest alarms first, oldest first
    CHECK(batch->records[i].sensor == 1);
    CHECK(batch->truth[i].alarm);
    CHECK(batch->truth[i].true_time_s == doctest::Approx(3.0 + 0.5 * static_cast<double>(i)));
  }
  for (std::size_t i = 3; i < 7; ++i) CHECK_FALSE(batch->truth[i].alarm);
  fw.acknowledged(batch->message_id);
  fw.sample_until(5.0);
  CHECK(fw.alarms_waiting() == 2);
  fw.reboot({});
  CHECK(reboot == 2);  // RAM, alarms included, is lost (the vibration reading too)
  CHECK(fw.alarms_waiting() == 0);
}

TEST_CASE("firmware: a drain-rate limit lets live readings past a backlog, which drains at the rate") {
  PumpModel pump(PumpParams{}, 1, "p");
  FirmwareOptions o;
  o.max_batch_records = 100;
  o.max_inflight = 100;
  o.drain_records_per_s = 20.0;
  EdgeFirmware fw(o, one_sensor(&pump, 10.0));
  fw.sample_until(100.0);  // 1000 readings held when the link comes back
  fw.begin_drain(100.0);
  CHECK(fw.draining());
  CHECK(fw.has_due(100.0, 100.0));
  const auto first = fw.form_message(100.0)->batch;  // the bucket starts full: one message at once
  CHECK(first->records.size() == 100);
  CHECK(first->truth.front().true_time_s == doctest::Approx(0.1));
  CHECK_FALSE(fw.has_due(100.0, 100.0));
  CHECK(fw.next_drain_s(100.0) == doctest::Approx(105.0));  // 100 tokens at 20 per second
  // Two seconds later: 20 live readings (taken since the reconnection) and 40 tokens.
  fw.sample_until(102.0);
  CHECK(fw.has_due(102.0, 102.0));  // live readings are due whatever the bucket holds
  const auto second = fw.form_message(102.0)->batch;
  REQUIRE(second->records.size() == 60);
  for (std::size_t i = 0; i < 20; ++i) CHECK(second->truth[i].true_time_s > 100.0);  // live first
  CHECK(second->truth[20].true_time_s == doctest::Approx(10.1));  // then the backlog's head
  // The backlog (1000 − 100 − 40 = 860 readings) drains at 20 per second.
  double t_s = 102.0;
  std::size_t backlog_sent = 0;
  bool ended = false;
  while (fw.draining()) {
    t_s = fw.next_drain_s(t_s);
    fw.sample_until(t_s);
    InFlight* m = fw.form_message(t_s);
    REQUIRE(m);
    for (const auto& tr : m->batch->truth) backlog_sent += tr.true_time_s <= 100.0;
    ended = m->ends_backlog;
  }
  CHECK(ended);
  CHECK(backlog_sent == 860);
  CHECK(t_s == doctest::Approx(102.0 + 860.0 / 20.0));
  CHECK(fw.next_drain_s(t_s) == std::numeric_limits<double>::infinity());
}

TEST_CASE("firmware: without a drain-rate limit the buffer drains first in, first out") {
  PumpModel pump(PumpParams{}, 1, "p");
  FirmwareOptions o;
  o.max_batch_records = 100;
  o.max_inflight = 100;
  EdgeFirmware fw(o, two_sensors(&pump));
  fw.sample_until(100.0);
  fw.begin_drain(100.0);
  CHECK_FALSE(fw.draining());
  fw.sample_until(101.0);
  std::vector<double> times;
  while (InFlight* m = fw.form_message(101.0))
    for (const auto& tr : m->batch->truth) times.push_back(tr.true_time_s);
  CHECK(times.size() == 303);
  CHECK(std::is_sorted(times.begin(), times.end()));
}

TEST_CASE("firmware: flash keeps what RAM spilled across a reboot; in-flight flash readings come back") {
  PumpModel pump(PumpParams{}, 1, "p");
  FirmwareOptions o;
  o.buffer_capacity_records = 10;
  o.max_batch_records = 8;
  o.flash = FlashParams{100, 4, 0.005, FlashParams::Mode::kSpill};
  EdgeFirmware fw(o, one_sensor(&pump, 1.0));
  std::size_t reboot_lost = 0, inflight_lost = 0;
  fw.on_loss([&](const Reading&, LossCause c) {
    reboot_lost += c == LossCause::kReboot;
    inflight_lost += c == LossCause::kRebootInflight;
  });
  fw.sample_until(30.0);  // 30 readings: RAM spilled 5 pages (20 readings) to flash, holds 10
  CHECK(fw.flash().size() == 20);
  CHECK(fw.flash().pages_written() == 5);
  CHECK(fw.buffer().size() == 10);
  const auto m = fw.form_message(30.0)->batch;  // the 8 oldest: all from flash
  CHECK(m->truth.front().true_time_s == doctest::Approx(1.0));
  CHECK(fw.flash().size() == 12);
  fw.reboot({}, 30.5);
  CHECK(reboot_lost == 10);   // RAM
  CHECK(inflight_lost == 0);  // the message's readings were in flash: back at its head
  CHECK(fw.flash().size() == 20);
  CHECK(fw.held() == 20);
  fw.sample_until(31.0);
  const auto again = fw.form_message(31.0)->batch;
  CHECK(again->records.front().seq ==
        m->records.front().seq);  // resent with their ids (a duplicate if delivered)
  CHECK(again->truth.front().serial == m->truth.front().serial);
}

TEST_CASE("firmware: persist mode loses at most a partial page; a brown-out tears the page being written") {
  PumpModel pump(PumpParams{}, 1, "p");
  FirmwareOptions o;
  o.buffer_capacity_records = 100;
  o.flash = FlashParams{1000, 8, 0.5, FlashParams::Mode::kPersist};
  EdgeFirmware fw(o, one_sensor(&pump, 1.0));
  std::size_t lost = 0, torn = 0;
  fw.on_loss([&](const Reading&, LossCause c) {
    lost += c == LossCause::kReboot;
    torn += c == LossCause::kTornWrite;
  });
  fw.sample_until(43.0);  // 5 pages written (the last began at t = 40 s), 3 readings in RAM
  CHECK(fw.flash().size() == 40);
  fw.reboot({}, 40.2);  // inside the last page's 0.5 s programming time
  CHECK(lost == 3);
  CHECK(torn == 8);
  CHECK(fw.flash().size() == 32);
  fw.sample_until(60.0);  // readings 44..60 (17): two more pages, one in RAM
  fw.reboot({}, 100.0, /*tear_last_page=*/true);
  CHECK(torn == 16);
  CHECK(fw.flash().torn_pages() == 2);
  fw.reboot({}, 200.0);  // long after: nothing torn
  CHECK(torn == 16);
}

TEST_CASE("firmware: storage full refuses flash writes; RAM's overflow policy takes over") {
  PumpModel pump(PumpParams{}, 1, "p");
  FirmwareOptions o;
  o.buffer_capacity_records = 8;
  o.flash = FlashParams{1000, 4, 0.0, FlashParams::Mode::kSpill};
  o.storage_full = [](double t_s) { return t_s >= 20.0 && t_s < 40.0; };
  EdgeFirmware fw(o, one_sensor(&pump, 1.0));
  std::size_t overflow = 0;
  fw.on_loss([&](const Reading&, LossCause c) { overflow += c == LossCause::kBufferOverflow; });
  fw.sample_until(60.0);
  // Readings 20..39 come while flash refuses; at 20 RAM had one free slot
  // (it holds 5 to 8 between spills of 4), so 19 are dropped (the oldest).
  CHECK(overflow == 19);
  CHECK(fw.held() == 60 - 19);
}

// ---- time metadata and device events (docs/firmware.md) ----------------------

namespace {
using twinbed::faults::ClockParams;
using twinbed::faults::ClockSync;
using twinbed::faults::DeviceClock;
using twinbed::faults::SyncPath;
using twinbed::pipeline::DeviceEventKind;
using twinbed::pipeline::HybridLogicalClock;

/// Every record the device sends, in sequence order (one message at a time, acknowledged).
std::vector<twinbed::pipeline::Record> drain(EdgeFirmware& fw) {
  std::vector<twinbed::pipeline::Record> out;
  while (InFlight* m = fw.form_message()) {
    out.insert(out.end(), m->batch->records.begin(), m->batch->records.end());
    fw.acknowledged(m->batch->message_id);
  }
  return out;
}
}  // namespace

TEST_CASE("time metadata: the HLC strictly increases by sequence across a backward clock step") {
  PumpModel pump(PumpParams{}, 1, "p");
  ClockParams cp;
  cp.steps.push_back({"back", 30.25, -40.0});  // the clock goes 40 s back at t = 30.25
  FirmwareOptions o;
  o.device_clock = std::make_shared<DeviceClock>(cp, 1, "d");
  o.time_metadata = true;
  EdgeFirmware fw(o, one_sensor(&pump, 2.0));
  fw.sample_until(60);
  const auto records = drain(fw);
  REQUIRE(records.size() >= 100);
  bool stepped_back = false;
  for (std::size_t i = 1; i < records.size(); ++i) {
    CHECK(records[i].seq == records[i - 1].seq + 1);
    CHECK(records[i].hlc > records[i - 1].hlc);
    stepped_back = stepped_back || records[i].device_time_s < records[i - 1].device_time_s;
  }
  CHECK(stepped_back);  // the stamps did go backwards, the HLC did not
  // Behind the step the HLC holds its physical part and counts (l stays at the pre-step maximum).
  const auto& last = records.back();
  CHECK(HybridLogicalClock::physical_ms(last.hlc) == HybridLogicalClock::to_ms(30.0));
  CHECK(HybridLogicalClock::counter(last.hlc) == 60);  // the 60 stamps from t = 30.5 to 60, all behind
  // Without the option nothing is sent: the defaults (no stamp, unknown, NaN).
  FirmwareOptions plain;
  EdgeFirmware off(plain, one_sensor(&pump, 2.0));
  off.sample_until(5);
  for (const auto& r : drain(off)) {
    CHECK(r.hlc == 0);
    CHECK(std::isinf(r.time_uncertainty_s));
    CHECK(std::isnan(r.uptime_s));
  }
}

TEST_CASE(
    "time metadata: the declared uncertainty is +inf before the first sync and covers the error after") {
  PumpModel pump(PumpParams{}, 1, "p");
  ClockParams cp;
  cp.offset_s = 0.8;
  cp.skew_ppm = 12;  // within the assumed 15 ppm tolerance
  cp.sync = ClockSync::kSntp;
  cp.poll_s = 64;
  FirmwareOptions o;
  // An asymmetric path (10 ms up, 40 ms down): the measured offset is off by 15 ms, δ/2 = 25 ms covers it.
  o.device_clock = std::make_shared<DeviceClock>(cp, 1, "d", [](double) {
    return SyncPath{true, 0.01, 0.04, 0.0};
  });
  o.time_metadata = true;
  o.clock_declares_uncertainty = true;
  EdgeFirmware fw(o, one_sensor(&pump, 1.0));
  std::vector<std::pair<double, twinbed::pipeline::Record>> seen;  // true time, record
  fw.on_generated([&](const Reading& r) { seen.emplace_back(r.truth.true_time_s, r.record); });
  fw.sample_until(3 * 3600);
  REQUIRE(seen.size() > 10000);
  std::size_t unknown = 0, covered = 0;
  double worst_ratio = 0;
  for (const auto& [t, r] : seen) {
    if (std::isinf(r.time_uncertainty_s)) {
      CHECK(covered == 0);  // unknown only before the first sync, never after
      CHECK(t < 64.1);
      ++unknown;
      continue;
    }
    const double error_s = std::fabs(r.device_time_s - t);
    CHECK(error_s <= r.time_uncertainty_s);
    worst_ratio = std::max(worst_ratio, error_s / r.time_uncertainty_s);
    ++covered;
  }
  CHECK(unknown >= 60);  // t = 1 .. 64: before the first response
  CHECK(covered > 10000);
  CHECK(worst_ratio > 0.3);  // a bound that is not vacuous
  // Without a sync model the device declares the scenario's bound (or nothing).
  FirmwareOptions bound;
  bound.time_metadata = true;
  bound.sync_bound_s = 0.25;
  EdgeFirmware b(bound, one_sensor(&pump, 1.0));
  b.sample_until(3);
  for (const auto& r : drain(b)) CHECK(r.time_uncertainty_s == 0.25f);
}

TEST_CASE("time metadata: uptime counts from the reset, at the counter's rate; the HLC restarts with RAM") {
  PumpModel pump(PumpParams{}, 1, "p");
  FirmwareOptions o;
  o.time_metadata = true;
  o.monotonic_error_ppm = 200;
  o.clock = {100.0, 0.0};  // the device clock is 100 s ahead
  EdgeFirmware fw(o, one_sensor(&pump, 1.0));
  fw.sample_until(10);
  const auto before = drain(fw);
  REQUIRE(!before.empty());
  CHECK(before.back().uptime_s == doctest::Approx(10.0 * (1 + 200e-6)).epsilon(1e-12));
  CHECK(HybridLogicalClock::physical_ms(before.back().hlc) == 110000);
  fw.reboot({}, 15.0);
  fw.skip_before(20);  // back at t = 20
  fw.sample_until(22);
  const auto after = drain(fw);
  REQUIRE(after.size() == 3);
  CHECK(after.front().boot == 2);
  CHECK(after.front().uptime_s == doctest::Approx(5.0 * (1 + 200e-6)).epsilon(1e-12));  // 20 − 15
  // A fresh HLC: its first stamp is the device clock with counter 0 (RAM did not keep the old one).
  CHECK(after.front().hlc == HybridLogicalClock::pack(120000, 0));
}

TEST_CASE("device events: numbered in the readings' sequence, in time order, sent first; RAM or flash") {
  PumpModel pump(PumpParams{}, 1, "p");
  FirmwareOptions o;
  o.time_metadata = true;
  EdgeFirmware fw(o, one_sensor(&pump, 1.0));
  std::vector<HeldEvent> recorded;
  fw.on_event([&](const HeldEvent& e) { recorded.push_back(e); });
  fw.record_event(DeviceEventKind::kSetpointChange, 0.8, 5.5);
  fw.sample_until(10);
  REQUIRE(recorded.size() == 1);
  InFlight* m = fw.form_message();
  REQUIRE(m);
  const Batch& b = *m->batch;
  REQUIRE(b.events.size() == 1);
  const auto& ev = b.events.front();
  CHECK(ev.kind == DeviceEventKind::kSetpointChange);
  CHECK(ev.value == 0.8);
  CHECK(ev.device_time_s == 5.5);
  CHECK(b.event_truth.front().true_time_s == 5.5);
  // One sequence space: readings before 5.5 below the event's number, after it above; no number shared.
  std::vector<std::uint64_t> seqs{ev.seq};
  for (std::size_t i = 0; i < b.records.size(); ++i) {
    seqs.push_back(b.records[i].seq);
    CHECK((b.truth[i].true_time_s < 5.5) == (b.records[i].seq < ev.seq));
    CHECK((b.truth[i].true_time_s < 5.5) == (b.records[i].hlc < ev.hlc));
  }
  std::sort(seqs.begin(), seqs.end());
  for (std::size_t i = 0; i < seqs.size(); ++i) CHECK(seqs[i] == i);
  CHECK(b.wire_bytes() == kPublishHeaderBytes +
                              (kRecordWireBytes + kTimeMetadataWireBytes) * b.records.size() +
                              kEventWireBytes + kTimeMetadataWireBytes);
  fw.acknowledged(b.message_id);

  // A command's stamp is merged into the device HLC: the event's stamp follows it even from the future.
  const std::uint64_t cloud_stamp = HybridLogicalClock::pack(HybridLogicalClock::to_ms(500.0), 7);
  fw.record_event(DeviceEventKind::kCommandApplied, 0.0, 12.0, 42, cloud_stamp);
  fw.sample_until(13);
  const auto cmd = fw.form_message()->batch;
  REQUIRE(cmd->events.size() == 1);
  CHECK(cmd->events[0].command_id == 42);
  CHECK(cmd->events[0].cause_hlc == cloud_stamp);
  CHECK(cmd->events[0].hlc > cloud_stamp);
  CHECK(cmd->records.back().hlc > cmd->events[0].hlc);  // and so does every stamp after it
  fw.acknowledged(cmd->message_id);

  // Without flash an event waiting in RAM is lost at a reboot; with flash (a journal) it is kept.
  std::vector<LossCause> lost;
  fw.on_event_loss([&](const HeldEvent&, LossCause c) { lost.push_back(c); });
  fw.record_event(DeviceEventKind::kInterlockTrip, 0.0, 14.0);
  fw.sample_until(14.5);
  CHECK(fw.events_held() == 1);
  fw.reboot({}, 15.0);
  CHECK(fw.events_held() == 0);
  REQUIRE(lost.size() == 1);
  CHECK(lost[0] == LossCause::kReboot);

  FirmwareOptions f = o;
  f.flash.capacity_records = 640;
  EdgeFirmware with_flash(f, one_sensor(&pump, 1.0));
  with_flash.record_event(DeviceEventKind::kInterlockTrip, 0.0, 3.0);
  with_flash.record_event(DeviceEventKind::kAssetRestart, 1.0, 30.0);  // the device is down then
  with_flash.sample_until(4);
  REQUIRE(with_flash.form_message());  // the trip goes out, unacknowledged
  with_flash.reboot({}, 5.0);          // comes back from the journal
  CHECK(with_flash.events_held() == 1);
  with_flash.skip_before(40);  // down until 40: the restart is recorded when it is back
  with_flash.sample_until(41);
  const auto again = with_flash.form_message()->batch;
  REQUIRE(again->events.size() == 2);
  CHECK(again->events[0].kind == DeviceEventKind::kInterlockTrip);
  CHECK(again->events[0].boot == 1);  // its identity from the boot it was recorded in
  CHECK(again->events[1].kind == DeviceEventKind::kAssetRestart);
  CHECK(again->events[1].boot == 2);
  CHECK(again->events[1].seq == 0);  // the first number of the new boot, before the readings at 40, 41
  CHECK(again->event_truth[1].true_time_s == 30.0);
  CHECK(again->events[1].device_time_s == 40.0);  // stamped when the firmware saw it
  CHECK(again->events[1].uptime_s == doctest::Approx(35.0));
}

// ---- gap notices (firmware `gap_notices`, docs/firmware.md) ----------------

namespace {
using twinbed::pipeline::GapNotice;
using twinbed::pipeline::GapNoticeCause;
/// The seqs a list of notices covers, in order.
std::vector<std::uint64_t> seqs_of(const std::vector<GapNotice>& notices) {
  std::vector<std::uint64_t> s;
  for (const GapNotice& g : notices)
    for (std::uint64_t q = g.seq_from; q < g.seq_to; ++q) s.push_back(q);
  return s;
}
}  // namespace

TEST_CASE("gap notices: off by default; on, drop-oldest evictions coalesce into one range per run") {
  PumpModel pump(PumpParams{}, 1, "p");
  FirmwareOptions o;
  o.device_index = 3;
  o.buffer_capacity_records = 10;
  {
    EdgeFirmware off(o, one_sensor(&pump, 1.0));
    off.sample_until(30.0);  // 30 readings, 20 evicted
    CHECK(off.gap_notices().empty());
    CHECK(off.form_message()->batch->gaps.empty());
  }
  o.gap_notices = true;
  EdgeFirmware fw(o, two_sensors(&pump));  // two sensors: one sequence in time order across them
  std::vector<std::uint64_t> evicted;
  fw.on_loss([&](const Reading& r, LossCause c) {
    if (c == LossCause::kBufferOverflow) evicted.push_back(r.record.seq);
  });
  fw.sample_until(30.0);  // 30 + 60 readings
  REQUIRE(evicted.size() == 90 - 10);
  REQUIRE(fw.gap_notices().size() == 1);  // consecutive seqs: one range
  const GapNotice g = fw.gap_notices().front();
  CHECK(g.device == 3);
  CHECK(g.boot == 1);
  CHECK(g.cause == GapNoticeCause::kBufferOverflow);
  CHECK(seqs_of(fw.gap_notices()) == evicted);
  // The next message carries them all in its header, and its wire size counts them.
  const auto m = fw.form_message(30.0)->batch;
  CHECK(m->gaps.size() == 1);
  CHECK(m->extra_wire_bytes() == kGapNoticeWireBytes);
  CHECK(fw.gap_notices().empty());
  CHECK(fw.gap_notices_sent() == 1);
}

TEST_CASE("gap notices: drop-newest and downsampling make separate ranges; a full list drops its oldest") {
  PumpModel pump(PumpParams{}, 1, "p");
  FirmwareOptions o;
  o.gap_notices = true;
  o.buffer_capacity_records = 8;
  o.overflow = OverflowPolicy::kDownsample;
  o.gap_notice_capacity = 4;
  EdgeFirmware fw(o, one_sensor(&pump, 1.0));
  std::vector<std::uint64_t> thinned;
  fw.on_loss([&](const Reading& r, LossCause) { thinned.push_back(r.record.seq); });
  fw.sample_until(12.0);  // 12 readings into 8 slots: every second one thinned, not adjacent
  std::sort(thinned.begin(), thinned.end());
  REQUIRE(thinned.size() >= 5);
  CHECK(fw.gap_notices().size() == 4);  // one range per thinned seq, the list full at 4
  CHECK(fw.gap_notices_dropped() == thinned.size() - 4);
  // What is kept is the newest ranges: the oldest went.
  const std::vector<std::uint64_t> newest(thinned.end() - 4, thinned.end());
  CHECK(seqs_of(fw.gap_notices()) == newest);
  for (std::size_t i = 1; i < fw.gap_notices().size(); ++i)  // sorted and disjoint
    CHECK(fw.gap_notices()[i - 1].seq_to < fw.gap_notices()[i].seq_from);

  FirmwareOptions n;
  n.gap_notices = true;
  n.buffer_capacity_records = 5;
  n.overflow = OverflowPolicy::kDropNewest;
  EdgeFirmware newest_fw(n, one_sensor(&pump, 1.0));
  newest_fw.sample_until(20.0);  // seqs 5..19 refused: one range
  REQUIRE(newest_fw.gap_notices().size() == 1);
  CHECK(newest_fw.gap_notices().front().seq_from == 5);
  CHECK(newest_fw.gap_notices().front().seq_to == 20);
}

TEST_CASE(
    "gap notices: resent with their message after a failed attempt; back in the list when it is dropped") {
  PumpModel pump(PumpParams{}, 1, "p");
  FirmwareOptions o;
  o.gap_notices = true;
  o.buffer_capacity_records = 10;
  o.max_batch_records = 4;
  o.max_attempts = 2;
  EdgeFirmware fw(o, one_sensor(&pump, 1.0));
  fw.sample_until(20.0);  // seqs 0..9 evicted
  const auto m = fw.form_message(20.0)->batch;
  REQUIRE(m->gaps.size() == 1);
  CHECK(m->gaps.front().seq_from == 0);
  CHECK(m->gaps.front().seq_to == 10);
  CHECK_FALSE(fw.attempt_failed(m->message_id));  // a resend is the same batch: the notice rides again
  CHECK(fw.inflight(m->message_id)->batch->gaps.size() == 1);
  CHECK(fw.gap_notices().empty());
  CHECK(fw.attempt_failed(m->message_id));  // given up: its 4 readings (seqs 10..13) are lost too
  // The dropped message's notice is due again, beside one for the readings it carried (adjacent,
  // but another cause: not coalesced).
  REQUIRE(fw.gap_notices().size() == 2);
  CHECK(fw.gap_notices().front().seq_from == 0);
  CHECK(fw.gap_notices().front().seq_to == 10);
  const auto next = fw.form_message(20.0)->batch;
  REQUIRE(next->gaps.size() == 2);
  CHECK(next->gaps[1].cause == GapNoticeCause::kRetriesExhausted);
  CHECK(next->gaps[1].seq_from == 10);
  CHECK(next->gaps[1].seq_to == 14);
  fw.acknowledged(next->message_id);  // delivered: gone for good
  CHECK(fw.gap_notices().empty());
  CHECK(fw.gap_notices_sent() == 1 + 2);
}

TEST_CASE("gap notices: a reboot loses those in RAM; with flash they are journaled and survive") {
  PumpModel pump(PumpParams{}, 1, "p");
  FirmwareOptions o;
  o.gap_notices = true;
  o.buffer_capacity_records = 10;
  o.max_batch_records = 4;
  {
    EdgeFirmware ram(o, one_sensor(&pump, 1.0));
    ram.sample_until(20.0);  // 0..9 evicted
    ram.form_message(20.0);  // in flight with the notice
    ram.sample_until(30.0);  // 10 more arrive at a full buffer: 10..19 evicted... some were sent
    REQUIRE(ram.gap_notices().size() == 1);
    ram.reboot({}, 30.5);
    CHECK(ram.gap_notices().empty());
    CHECK(ram.gap_notices_lost_reboot() == 2);  // the list's and the one in flight
    ram.sample_until(40.0);
    CHECK(ram.form_message(40.0)->batch->gaps.empty());  // readings lost with RAM are not noticed
  }
  o.flash = FlashParams{8, 4, 0.005, FlashParams::Mode::kSpill};
  EdgeFirmware fw(o, one_sensor(&pump, 1.0));
  std::vector<std::uint64_t> evicted;
  fw.on_loss([&](const Reading& r, LossCause c) {
    if (c == LossCause::kBufferOverflow) evicted.push_back(r.record.seq);
  });
  fw.sample_until(40.0);  // flash full (8), RAM full (10): the oldest flash pages evicted
  REQUIRE_FALSE(evicted.empty());
  std::sort(evicted.begin(), evicted.end());
  const auto in_flight = fw.form_message(40.0)->batch;
  CHECK(seqs_of(in_flight->gaps) == evicted);
  fw.reboot({}, 40.5);
  // The journaled notices are back (the in-flight message's included), for the old boot.
  CHECK(seqs_of(fw.gap_notices()) == evicted);
  CHECK(fw.gap_notices().front().boot == 1);
  CHECK(fw.boot() == 2);
  CHECK(fw.gap_notices_lost_reboot() == 0);
}

TEST_CASE("gap notices: a torn flash page is noticed by the new boot, for the old one") {
  PumpModel pump(PumpParams{}, 1, "p");
  FirmwareOptions o;
  o.gap_notices = true;
  o.buffer_capacity_records = 100;
  o.flash = FlashParams{1000, 8, 0.5, FlashParams::Mode::kPersist};
  EdgeFirmware fw(o, one_sensor(&pump, 1.0));
  std::vector<std::uint64_t> torn;
  fw.on_loss([&](const Reading& r, LossCause c) {
    if (c == LossCause::kTornWrite) torn.push_back(r.record.seq);
  });
  fw.sample_until(43.0);
  fw.reboot({}, 40.2);  // inside the last page's programming time
  REQUIRE(torn.size() == 8);
  REQUIRE(fw.gap_notices().size() == 1);
  CHECK(fw.gap_notices().front().cause == GapNoticeCause::kTornWrite);
  CHECK(fw.gap_notices().front().boot == 1);
  CHECK(seqs_of(fw.gap_notices()) == torn);
}

TEST_CASE("gap notices: a fire-and-forget message lost on the way takes its notices with it") {
  PumpModel pump(PumpParams{}, 1, "p");
  FirmwareOptions o;
  o.gap_notices = true;
  o.buffer_capacity_records = 10;
  o.max_batch_records = 4;
  EdgeFirmware fw(o, one_sensor(&pump, 1.0));
  fw.sample_until(20.0);  // seqs 0..9 evicted
  const auto m = fw.form_message(20.0)->batch;
  REQUIRE(m->gaps.size() == 1);
  fw.drop_inflight(m->message_id, LossCause::kSentUnacknowledged);  // the device never knew
  CHECK(fw.gap_notices().empty());
  const auto given_up = fw.form_message(20.0)->batch;  // a message the device itself gives up on
  REQUIRE(given_up->gaps.empty());
  fw.drop_inflight(given_up->message_id, LossCause::kSessionDiscarded);
  REQUIRE(fw.gap_notices().size() == 1);  // its readings, noticed
  CHECK(fw.gap_notices().front().cause == GapNoticeCause::kSessionDiscarded);
  CHECK(fw.gap_notices().front().seq_from == 14);
  CHECK(fw.gap_notices().front().seq_to == 18);
}

TEST_CASE("alarm events: a raise at the first reading over the limit, a clear at the first back inside") {
  PumpModel pump(PumpParams{}, 1, "p");
  FirmwareOptions o;
  o.time_metadata = true;
  o.max_batch_records = 100000;
  // A noisy vibration channel (sensor 3, 5 Hz); first without limits: the readings the alarm state follows.
  auto noisy = [&pump] {
    std::vector<SensorChannel> s;
    s.push_back(channel(3, &pump, PumpSignal::kVibrationRms, {5.0, 0.2, 0.0, 0.0, 50.0}, "a"));
    return s;
  };
  EdgeFirmware plain(o, noisy());
  plain.sample_until(120);
  const auto values = drain(plain);
  REQUIRE(values.size() > 500);
  std::vector<double> sorted;
  for (const auto& r : values) sorted.push_back(r.value);
  std::sort(sorted.begin(), sorted.end());
  const double limit = sorted[sorted.size() * 3 / 4];  // a quarter of the readings are over it

  // The expected transitions, by definition (no hysteresis): reading index and kind.
  std::vector<std::pair<std::size_t, DeviceEventKind>> want;
  bool open = false;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const bool over = values[i].value > limit;
    if (over != open)
      want.push_back({i, over ? DeviceEventKind::kAlarmRaised : DeviceEventKind::kAlarmCleared});
    open = over;
  }
  REQUIRE(want.size() >= 20);

  o.alarm_events = true;
  auto sensors = noisy();
  sensors[0].alarm.above = limit;
  EdgeFirmware fw(o, std::move(sensors));
  std::vector<HeldEvent> recorded;
  fw.on_event([&](const HeldEvent& e) { recorded.push_back(e); });
  for (double t = 7.3; t < 120; t += 7.3) fw.sample_until(t);  // passes that split the transitions
  fw.sample_until(120);
  REQUIRE(recorded.size() == want.size());
  // Readings and events share one sequence: event k sits right after its reading, so the reading's
  // sequence number is its index plus the events before it.
  for (std::size_t k = 0; k < want.size(); ++k) {
    const auto& ev = recorded[k].event;
    CHECK(ev.kind == want[k].second);
    CHECK(ev.value == 3.0);
    CHECK(ev.seq == want[k].first + k + 1);
    CHECK(recorded[k].truth.true_time_s == values[want[k].first].device_time_s);  // an ideal clock
    if (k > 0) CHECK(ev.hlc > recorded[k - 1].event.hlc);
  }
  // Off (the default): the same limits record no event.
  o.alarm_events = false;
  auto quiet_sensors = noisy();
  quiet_sensors[0].alarm.above = limit;
  EdgeFirmware quiet(o, std::move(quiet_sensors));
  quiet.sample_until(120);
  CHECK(quiet.events_recorded() == 0);
  CHECK(quiet.alarms_raised() > 0);
}
