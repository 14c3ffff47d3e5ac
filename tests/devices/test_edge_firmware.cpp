#include <doctest/doctest.h>

#include <algorithm>

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
