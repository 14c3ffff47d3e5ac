// EdgeFirmware: what runs on an edge device, independent of how time passes.
//
// The simulator's device actor drives it; the story reads: sample, stamp,
// buffer, publish, wait for the acknowledgement.
// - sample_until(t): takes every sample due up to true time t on every sensor,
//   stamps it with the LOCAL clock, gives it the device id, boot epoch and the
//   next sequence number (in time order across sensors), and queues it in the
//   bounded buffer (overflow policy applies, losses are reported).
// - The client's outbox: a window of up to `max_inflight` messages sent and
//   not yet acknowledged (MQTT's in-flight window; 1 for CoAP NSTART and
//   LoRaWAN). form_message() forms a new message from the buffer head into
//   the window; a resend sends the same message again (a DUP);
//   acknowledged(id) releases it; attempt_failed(id) counts a failed attempt
//   and, past `max_attempts` (0 = unlimited), drops it. Messages leave the
//   window only by acknowledgement or loss, in any order.
// - Priorities (docs/firmware.md): a reading over its sensor's alarm limits
//   goes to the alarm queue, and every new message takes the alarm queue
//   first. With a drain-rate limit, a backlog (what the device held when it
//   reconnected) leaves at no more than `drain_records_per_s` (a token
//   bucket one message deep) while readings taken since go out as they
//   would without an outage: a flushing backlog does not starve live data.
// - Time metadata (option `time_metadata`, docs/firmware.md): every record
//   and event formed carries a hybrid-logical-clock stamp (the HLC lives in
//   RAM: a reboot restarts it from the device clock), the uncertainty the
//   device declares on its timestamp, and its uptime (seconds since the
//   reset, by a monotonic counter with its own rate error).
// - Device events (record_event): each takes the next sequence number of the
//   readings' counter, in physical-time order with the readings (an event
//   due at t is numbered before the readings taken after t); events wait in
//   their own queue, sent ahead of alarms; journaled in flash when the
//   device has flash (a reboot keeps them), else in RAM (a reboot loses them).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <vector>

#include "devices/device_event.hpp"
#include "devices/flash_log.hpp"
#include "devices/local_clock.hpp"
#include "devices/reading_buffer.hpp"
#include "devices/sensor.hpp"
#include "faults/device_clock.hpp"
#include "pipeline/edge_stage.hpp"
#include "pipeline/hlc.hpp"

namespace twinbed::devices {

struct FirmwareOptions {
  std::uint32_t device_index = 0;
  std::uint32_t boot = 1;
  LocalClock clock;
  /// The full clock model with its faults and discipline; null: `clock` alone.
  std::shared_ptr<faults::DeviceClock> device_clock;
  std::size_t buffer_capacity_records = 10000;
  OverflowPolicy overflow = OverflowPolicy::kDropOldest;
  std::size_t max_batch_records = 600;
  int max_attempts = 0;          ///< 0 = retry forever (persistent session)
  std::size_t max_inflight = 1;  ///< messages sent and not yet acknowledged, at most
  /// Alarm readings waiting to be sent, at most (RAM; the oldest is dropped when full).
  std::size_t alarm_capacity_records = 256;
  /// A backlog drains at no more than this many readings per second (0: no
  /// limit; the buffer drains first in, first out).
  double drain_records_per_s = 0.0;
  /// The flash store behind the RAM buffer (disabled by default); see FlashLog.
  FlashParams flash;
  /// Flash refuses writes at t_s (a storage_full fault); null: never.
  std::function<bool(double)> storage_full;
  /// Message authentication (scenario `security`): bytes each message's MAC
  /// and counter add on the wire (0: unsigned), and whether the message
  /// counter survives a reboot (kept in flash) or restarts at 1.
  std::uint32_t auth_wire_bytes = 0;
  bool persist_message_counter = true;
  /// Records and events carry an HLC stamp, a declared uncertainty and the uptime.
  bool time_metadata = false;
  /// The declared uncertainty comes from `device_clock` (it has a sync
  /// model); false: it is `sync_bound_s` (+inf: the device claims nothing).
  bool clock_declares_uncertainty = false;
  double sync_bound_s = std::numeric_limits<double>::infinity();
  /// The uptime counter's rate error (uptime = (1 + ppm·1e-6) × true time since the reset).
  double monotonic_error_ppm = 0.0;
  /// Gap notices (docs/firmware.md): the device keeps the (boot, seq range,
  /// cause) its own policy dropped, adjacent ranges of one cause coalesced,
  /// at most `gap_notice_capacity` ranges (the oldest goes when full), and
  /// sends them all in the header of its next message.
  bool gap_notices = false;
  std::size_t gap_notice_capacity = 16;
  /// Alarm events (docs/firmware.md): when a sensor's alarm state changes —
  /// a reading outside its alarm limits while closed, or a finite reading
  /// back inside them while open — the device records kAlarmRaised /
  /// kAlarmCleared (value: the sensor index) at that reading's time.
  bool alarm_events = false;
};

/// A message in the outbox, with its delivery state as the device actor sets it.
struct InFlight {
  BatchPtr batch;
  int failed_attempts = 0;
  double ack_at_s =
      std::numeric_limits<double>::infinity();  ///< its acknowledgement arrives then (inf: none coming)
  double retry_due_s = 0.0;                     ///< resent then when no acknowledgement is coming
  bool ends_backlog = false;                    ///< it carries the last reading of a rate-limited backlog
  /// Records [flash_begin, flash_end) came from flash: a reboot puts them back.
  std::size_t flash_begin = 0, flash_end = 0;
  bool awaiting_ack() const { return ack_at_s == std::numeric_limits<double>::infinity(); }
};

/// Why a reading never left the device.
/// kRebootInflight: the in-flight message was in RAM when the device rebooted;
/// a copy may still have reached the broker (its PUBACK was outstanding).
/// kSentUnacknowledged: sent once without acknowledgement (MQTT QoS 0, CoAP
/// NON, LoRaWAN unconfirmed) and lost on the way; the device never knew.
/// kSessionDiscarded: in flight when the client reconnected with a clean
/// session, which discards it; a copy may have reached the broker.
enum class LossCause {
  kBufferOverflow,
  kRetriesExhausted,
  kReboot,
  kRebootInflight,
  kSentUnacknowledged,
  kSessionDiscarded,
  kAggregated,  ///< merged into an earlier reading's aggregate (not lost: summarised)
  kTornWrite    ///< in a flash page being written when the power went
};

/// What survives a reboot (docs/faults.md). The RAM buffer and the in-flight
/// message never do.
struct RebootSemantics {
  bool persist_boot_epoch = true;  ///< false: the boot epoch restarts at 1 (ids repeat)
  bool persist_sequence = false;   ///< false: the sequence counter restarts at 0
};

class EdgeFirmware {
 public:
  using LossHook = std::function<void(const Reading&, LossCause)>;
  using GeneratedHook = std::function<void(const Reading&)>;
  using EventHook = std::function<void(const HeldEvent&)>;
  using EventLossHook = std::function<void(const HeldEvent&, LossCause)>;

  EdgeFirmware(FirmwareOptions options, std::vector<SensorChannel> sensors);

  void on_loss(LossHook hook) { on_loss_ = std::move(hook); }
  /// Called for each event as the device records it (identity, stamp and metadata given).
  void on_event(EventHook hook) { on_event_ = std::move(hook); }
  /// Called for each event that never leaves the device (causes as for readings).
  void on_event_loss(EventLossHook hook) { on_event_loss_ = std::move(hook); }
  /// Optional: called with each page of readings as it is written to flash, and the write's time.
  using PersistedHook = std::function<void(const std::vector<Reading>&, double)>;
  void on_persisted(PersistedHook hook) { on_persisted_ = std::move(hook); }

  /// Something happened at true time t_s that the device reports: it is
  /// recorded (numbered, stamped, queued) by the sampling pass that reaches
  /// t_s, in time order with the readings; if the device is down at t_s, when
  /// it is back (skip_before). A command's stamp `cause_hlc` is merged into
  /// the device's HLC (receive) before the event is stamped.
  void record_event(pipeline::DeviceEventKind kind, double value, double t_s, std::uint64_t command_id = 0,
                    std::uint64_t cause_hlc = 0);
  /// Events waiting to be sent (RAM queue or flash journal; not the outbox).
  std::size_t events_held() const { return events_.size(); }
  /// Events recorded so far.
  std::uint64_t events_recorded() const { return event_serial_; }
  /// The device's HLC's last stamp (0: none since the boot).
  std::uint64_t hlc_now() const { return hlc_.now(); }
  /// Optional: called for every reading generated (full traces only: it costs).
  void on_generated(GeneratedHook hook) { on_generated_ = std::move(hook); }
  /// Optional: called once per sample_until with the readings it took, in
  /// sequence order (the edge stages' hook).
  using SampledHook = std::function<void(const std::vector<Reading>&)>;
  void on_sampled(SampledHook hook) { on_sampled_ = std::move(hook); }
  /// Optional: transforming edge stages (devices/edge_chain.hpp). Called once
  /// per sample_until, before anything is buffered, with the readings taken
  /// (identity: the device's sample number in `seq`), their fates (all kSend)
  /// and an empty list for derived readings (with their truth). The firmware
  /// then counts what was suppressed or summarised, gives each derived
  /// reading the device, boot epoch and a serial, and numbers everything
  /// sent (readings kept, then derived) with its sequence numbers, so the
  /// cloud sees no gap where a policy dropped a reading. A reading over its
  /// sensor's alarm limits is sent even if a stage suppressed it (alarms are
  /// never suppressed; a summarised one is, its window carries it). Without a transform
  /// the sample number is the sequence number, as before.
  using TransformHook =
      std::function<void(std::vector<Reading>&, std::vector<pipeline::EdgeFate>&, std::vector<Reading>&)>;
  void on_transform(TransformHook hook) { on_transform_ = std::move(hook); }
  /// Readings a deadband suppressed (report by exception), waveform samples
  /// summarised into features, records the stages derived (counted in generated()).
  std::uint64_t suppressed() const { return suppressed_; }
  std::uint64_t summarised() const { return summarised_; }
  std::uint64_t derived() const { return derived_; }

  /// Samples every sensor up to and including true time t_s.
  void sample_until(double t_s);
  /// The firmware is not running before t_s (down or stalled): every sample due
  /// before t_s is not taken (counted in missing_down()).
  void skip_before(double t_s);
  /// The device reboots at t_s: the RAM buffer and alarm queue are lost, and
  /// so are the in-flight messages' readings that came from RAM; those that
  /// came from flash go back to its head (they are deleted only on
  /// acknowledgement). A flash page still programming at t_s is torn (or the
  /// last page, when `tear_last_page`). The boot epoch and sequence follow
  /// `semantics`. Losses go to the loss hook.
  void reboot(const RebootSemantics& semantics, double t_s = 0.0, bool tear_last_page = false);

  /// A new message, added to the outbox: the alarm queue first, then the
  /// buffer head (with a drain-rate limit while a backlog drains: readings
  /// taken since the reconnection, then as much backlog as the bucket holds
  /// at `t_s`). nullptr when there is nothing to send or the window is full.
  InFlight* form_message(double t_s = 0.0);
  /// The device reconnected at t_s: what the buffer holds now is a backlog.
  /// With a drain-rate limit it drains at that rate from here on (the bucket
  /// starts full: one message at once); without one, nothing changes.
  void begin_drain(double t_s);
  /// A rate-limited backlog is draining.
  bool draining() const { return backlog_ > 0; }
  bool drain_limited() const { return options_.drain_records_per_s > 0; }
  /// When the bucket next holds a full backlog message (t_s: now; +inf: no
  /// backlog draining).
  double next_drain_s(double t_s) const;
  /// Something is due to be sent at t_s, for a wake-up at `woke_s`: an
  /// alarm, or a reading taken by `woke_s` (while a rate-limited backlog
  /// drains: a reading taken since the reconnection, or a backlog message
  /// the bucket allows).
  bool has_due(double woke_s, double t_s) const;
  /// The message's acknowledgement arrived: it leaves the outbox.
  void acknowledged(std::uint64_t message_id);
  /// Every message whose acknowledgement has arrived by t_s leaves the outbox.
  void acknowledge_arrived(double t_s);
  /// An attempt got no acknowledgement. Returns true if the message was dropped (max_attempts).
  bool attempt_failed(std::uint64_t message_id);
  /// The message is gone for good: its readings are reported with `cause`.
  void drop_inflight(std::uint64_t message_id, LossCause cause);
  /// Every message in the outbox is gone (a clean session discards them).
  void drop_all_inflight(LossCause cause);

  bool has_inflight() const { return !outbox_.empty(); }
  bool window_full() const { return outbox_.size() >= options_.max_inflight; }
  std::vector<InFlight>& outbox() { return outbox_; }
  /// The outbox entry of a message (null when it has left). Valid until the outbox changes.
  InFlight* inflight(std::uint64_t message_id) {
    const auto it = find(message_id);
    return it == outbox_.end() ? nullptr : &*it;
  }
  const std::vector<InFlight>& outbox() const { return outbox_; }
  std::size_t max_batch_records() const { return options_.max_batch_records; }
  std::size_t alarms_waiting() const { return alarms_.size(); }
  std::uint64_t alarms_raised() const { return alarms_raised_; }
  /// True when the buffer holds a reading taken at or before `t_s` (due for publishing).
  bool has_backlog_due(double t_s) const {
    if (!flash_.empty()) return flash_.oldest().truth.true_time_s <= t_s;  // flash holds the older readings
    return !buffer_.empty() && buffer_.oldest_true_time_s() <= t_s;
  }
  const FlashLog& flash() const { return flash_; }
  std::uint64_t flash_evictions() const { return flash_evictions_; }
  /// Readings held on the device: RAM buffer, alarm queue and flash (not the outbox).
  std::size_t held() const { return buffer_.size() + alarms_.size() + flash_.size(); }
  std::uint64_t messages_formed() const { return next_message_id_ - 1; }
  const ReadingBuffer& buffer() const { return buffer_; }
  std::uint64_t generated() const { return generated_; }
  /// Samples the sensors did not produce (dropout faults): never readings.
  std::uint64_t missing() const { return missing_; }
  /// Samples not taken because the firmware was down or stalled.
  std::uint64_t missing_down() const { return missing_down_; }
  std::uint32_t boot() const { return options_.boot; }
  std::vector<SensorChannel>& sensors() { return sensors_; }
  /// Gap notices waiting for the next message, sorted by (boot, seq_from), disjoint.
  const std::vector<pipeline::GapNotice>& gap_notices() const { return notices_; }
  /// Notices put in messages (a notice put back after a failed send and sent again counts again),
  /// dropped because the list was full, and lost with RAM at a reboot (no flash).
  std::uint64_t gap_notices_sent() const { return notices_sent_; }
  std::uint64_t gap_notices_dropped() const { return notices_dropped_; }
  std::uint64_t gap_notices_lost_reboot() const { return notices_lost_reboot_; }

 private:
  /// A sampled reading becomes a reading of this device: identity (boot, `seq`), serial, device
  /// stamp; counted as generated.
  void form_reading(Reading& r, std::uint64_t seq);
  /// Time metadata of a record or event formed at true time t_s with stamp device_time_s.
  template <typename R>
  void stamp_metadata(R& r, double t_s) {
    r.hlc = hlc_.tick(r.device_time_s);
    r.time_uncertainty_s = declared_uncertainty_s(t_s);
    r.uptime_s = (t_s - boot_time_s_) * (1.0 + options_.monotonic_error_ppm * 1e-6);
  }
  float declared_uncertainty_s(double t_s);
  double stamp(double t_s) {
    return options_.device_clock ? options_.device_clock->stamp(t_s) : options_.clock.stamp(t_s);
  }
  /// Records every pending event due at or before t_s.
  void flush_events(double t_s);
  void keep_event(HeldEvent e);
  /// Every sample due up to t_s on every sensor, appended in sensor order
  /// (the hot loop: kept apart so that the sensor path inlines into it).
  void take_samples(double t_s, std::vector<Reading>& readings);
  FirmwareOptions options_;
  std::vector<SensorChannel> sensors_;
  ReadingBuffer buffer_;
  FlashLog flash_;
  std::vector<std::uint8_t> alarm_open_;  ///< per channel of sensors_: its alarm is open (alarm_events)
  std::uint64_t flash_evictions_ = 0;
  LossHook on_loss_;
  GeneratedHook on_generated_;
  SampledHook on_sampled_;
  TransformHook on_transform_;
  std::uint64_t next_sample_ = 0;  ///< transforming devices: the next sample number (the stages' seq)
  std::uint64_t suppressed_ = 0, summarised_ = 0, derived_ = 0;
  void transform_and_store(std::vector<Reading>& readings);
  void report_merges();  ///< what the buffer thinned or merged in this pass, to the loss hook
  std::uint64_t next_seq_ = 0;
  std::uint64_t next_message_id_ = 1;
  std::uint64_t counter_base_ = 0;  ///< message ids formed before the counter last restarted
  std::uint64_t generated_ = 0;
  std::uint64_t missing_ = 0;
  std::uint64_t missing_down_ = 0;
  std::uint64_t serial_ = 0;
  pipeline::HybridLogicalClock hlc_;  ///< in RAM: restarts at a reboot
  double boot_time_s_ = 0.0;          ///< the last reset (the uptime counter's zero)
  struct PendingEvent {
    double at_s;  ///< when the device records it (its true time, or its return from a reboot)
    HeldEvent held;
  };
  std::vector<PendingEvent> pending_events_;                       ///< by at_s
  double next_event_s_ = std::numeric_limits<double>::infinity();  ///< the first pending at_s
  /// Recorded, not yet in a message, oldest first (a vector: no allocation for a device without events).
  std::vector<HeldEvent> events_;
  std::uint64_t event_serial_ = 0;
  EventHook on_event_;
  EventLossHook on_event_loss_;
  PersistedHook on_persisted_;
  std::vector<InFlight> outbox_;  ///< in send order
  std::deque<Reading> alarms_;    ///< alarm readings not yet in a message, oldest first
  std::uint64_t alarms_raised_ = 0;
  bool has_alarm_limits_ = false;
  std::size_t backlog_ = 0;             ///< readings of a rate-limited backlog still held (0: none draining)
  std::uint64_t live_from_serial_ = 0;  ///< readings from this serial on were taken after the reconnection
  double tokens_ = 0.0, tokens_at_s_ = 0.0;  ///< the drain bucket's readings, as of tokens_at_s_

  double tokens_at(double t_s) const;
  bool alarm_tripped(const Reading& r) const;
  void queue_alarm(Reading r);
  /// alarm_events: records a raise or clear when r changes its sensor's alarm state.
  void track_alarm_state(const Reading& r);
  void store(const Reading& r);
  bool write_page(double t_s);
  /// The n oldest readings (flash first, then RAM) into the batch; records where flash's went.
  void take_oldest(std::size_t n, Batch& batch, InFlight& entry);

  void report(const Batch& b, LossCause cause);
  /// A reading or event is lost: noted for a gap notice (a cause the device knows), then reported.
  void lose(const Reading& r, LossCause cause);
  void lose_event(const HeldEvent& e, LossCause cause);
  void note_loss(std::uint32_t boot, std::uint64_t seq, LossCause cause);
  /// Adds [from, to) of `boot` to the notices (coalesced; the oldest dropped when full).
  void note_range(std::uint32_t boot, std::uint64_t from, std::uint64_t to, pipeline::GapNoticeCause cause);
  std::vector<pipeline::GapNotice> notices_;
  std::uint64_t notices_sent_ = 0, notices_dropped_ = 0, notices_lost_reboot_ = 0;
  std::vector<InFlight>::iterator find(std::uint64_t message_id);
};

}  // namespace twinbed::devices
