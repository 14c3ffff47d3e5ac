// Reconciler: the cloud's materialised history of the plant, rebuilt from
// messages that arrive late, twice, out of order and with wrong stamps
// (docs/reconciliation.md, "The reconciler (pipeline side)").
//
// Takes every arriving record and device event (in arrival order, duplicates
// and all) and reports every change to its view as a CloudLog. Guarantees
// (mode kCorrect):
// - identity is (device, boot, seq): a transport duplicate is counted and
//   never enters the view twice;
// - within a (device, boot) stream, event times never decrease with seq
//   (kBackwards raises a stamp behind an earlier seq, widening its bound by
//   the raise, so it still covers the truth when the device's own bound did);
// - event times come from the device's stamp, repaired (null, epoch, future)
//   from the boot anchor and the uptime counter, else placed between
//   sequence neighbours, else quarantined: never from the receipt time;
// - the final view, window results and plant state are functions of the set
//   of messages received, not of their order or duplication;
// - a trusted stamp whose boot anchor (device time − uptime) disagrees with
//   the anchor most of its boot's trusted stamps agree on is repaired from
//   that anchor (kAnchor), its bound widened by the counter's drift;
// - holes in a stream's sequence are marked as gaps when a later boot's data
//   arrives (kReboot), after `gap_timeout_s` of cloud time (kTimeout), at
//   finish (kTimeout), or when the device reports them (kDeviceReported);
// - a window of a device's sensor is not final while one of the device's
//   streams has an open hole whose lower timed neighbour lies before the
//   window's end (the missing data could land in it); the hole's mark (at
//   the latest `gap_timeout_s` after it opened) releases it;
// - per-record work is O(log n) (amortised; a repair of the boot anchor
//   revisits the records that depend on it).
// - a command carries its causal context; an interlock trip beats every
//   command whose context does not include it (plant_state.hpp);
// - a device's alarm raised / cleared events write its open-alarm register
//   of that sensor (StateKey::kAlarmOpen, 1 / 0), the device the only writer.
// Modes kReceiptOrder, kDedupByDeviceTime and kPlainLastWriter are
// deliberately wrong (negative controls for the checker): each changes
// exactly what it names.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <queue>
#include <set>
#include <span>
#include <tuple>
#include <utility>
#include <vector>

#include "pipeline/causal_context.hpp"
#include "pipeline/cloud_log.hpp"
#include "pipeline/cloud_pipeline.hpp"
#include "pipeline/event_windows.hpp"
#include "pipeline/hlc.hpp"
#include "pipeline/plant_state.hpp"
#include "pipeline/timestamp_repair.hpp"

namespace twinbed::pipeline {

enum class ReconcileMode : std::uint8_t {
  kCorrect = 0,
  kReceiptOrder = 1,       ///< wrong on purpose: event time = receipt time (order by arrival)
  kDedupByDeviceTime = 2,  ///< wrong on purpose: identity = (device, sensor, device_time_s)
  kPlainLastWriter = 3,    ///< wrong on purpose: registers by last writer (HLC), commands' contexts ignored
};

struct ReconciliationOptions {
  bool enabled = false;
  ReconcileMode mode = ReconcileMode::kCorrect;
  WindowOptions windows;
  TimestampRepairOptions timestamps;
  double gap_timeout_s = 3600.0;        ///< a hole open this long in cloud time: a gap
  bool sequence_starts_at_zero = true;  ///< a boot's seq starts at 0: a hole before the first seen counts
};

class Reconciler {
 public:
  Reconciler() = default;
  Reconciler(ReconciliationOptions options, std::size_t sensors);

  /// One arriving record at cloud time `now_s`. `valid`: its value passed
  /// validation (an invalid one covers its seq but stays out of the view).
  void on_record(const Record& r, bool valid, double now_s);
  void on_event(const DeviceEvent& e, double now_s);
  /// After each message: gap timeouts due by `now_s`.
  void tick(double now_s);
  /// The device says [seq_from, seq_to) of (device, boot) will never come (its
  /// buffer policy; a gap notice). The range is accounted for (no hole left
  /// open over it) and what no earlier mark covers is marked kDeviceReported:
  /// a repeated notice marks nothing twice.
  void device_reported_gap(std::uint32_t device, std::uint32_t boot, std::uint64_t seq_from,
                           std::uint64_t seq_to, double now_s);
  /// Stamps the command with the cloud clock and its causal context (what the
  /// cloud has received from its device) and enters its write into the state.
  void issue_command(CloudCommand& command, double now_s);
  /// End of stream: open holes become gaps, every window final.
  void finish(double now_s);
  /// Moves the pending changes into `out`.
  void drain(CloudLog& out);

  void counters(PipelineCounters& c) const;
  const PlantState& state() const { return state_; }
  std::uint64_t cloud_hlc() const { return clock_.now(); }

  /// Sensor index of a device event's kind in the view (its ViewChange.sensor).
  static constexpr std::uint32_t event_sensor(DeviceEventKind k) {
    return kDeviceEventSensorBase + static_cast<std::uint32_t>(k);
  }

 private:
  using SeqKey =
      std::pair<std::uint64_t, std::uint32_t>;  ///< (seq, copy): copy > 0 only in kDedupByDeviceTime
  struct Entry {
    bool is_event = false, valid = true;
    std::uint32_t sensor = 0;
    std::uint32_t count = 1;
    double value = 0;
    double device_time_s = 0, uncertainty_s = 0, uptime_s = 0, first_receipt_s = 0;
    double floor_s =
        -std::numeric_limits<double>::infinity();  ///< causal lower bound (a command's issue time)
    bool trusted = false;
    // Placement.
    bool timed = false;  ///< has a base time (own stamp or anchor repair)
    RepairedTime base;
    enum class Where : std::uint8_t { kNowhere, kView, kQuarantine } where = Where::kNowhere;
    RepairedTime placed;
  };
  struct Hole {
    std::uint64_t to = 0;
    double deadline_s = 0;
  };
  struct Stream {
    BootAnchor anchor;
    std::map<SeqKey, Entry> entries;
    std::set<SeqKey> timed;     ///< valid entries with a base time (own stamp or anchor repair)
    std::set<SeqKey> repaired;  ///< entries whose stamp needs repair (their time depends on the anchor)
    /// Unsynced stamps (unknown uncertainty) by device time − uptime: the
    /// relative epoch test flips for those between the old and new threshold.
    std::multimap<double, SeqKey> unsynced;
    std::map<std::uint64_t, Hole> holes;  ///< from -> hole
    bool started = false;
    std::uint64_t covered_to = 0;                   ///< every seq >= this is unseen
    std::map<std::uint64_t, std::uint64_t> marked;  ///< gaps marked: from -> to
  };
  using StreamKey = std::pair<std::uint32_t, std::uint32_t>;

  /// Common path of records and events after the identity check.
  /// False: a duplicate (by (device, boot, seq); in kDedupByDeviceTime the caller decided).
  bool admit(std::uint32_t device, std::uint32_t boot, std::uint64_t seq, Entry e, double now_s);
  /// Classifies and places a newly admitted entry (and re-places what its stamp moved).
  void place_admitted(std::uint32_t device, std::uint32_t boot, Stream& s, const SeqKey& key, Entry& x,
                      double now_s);
  void compute_base(Stream& s, const SeqKey& k, Entry& e);
  double epoch_threshold(const Stream& s) const;
  /// The cloud clock follows a device's HLC stamp unless it runs ahead (the future rule).
  void receive_stamp(std::uint64_t hlc, double uncertainty_s, double now_s);
  /// Re-places the timed entries from `from` on (running maximum), and the
  /// untimed ones between any that moved, until placements stop changing
  /// past `until`; then places `fresh` if it is untimed.
  void replace_from(std::uint32_t device, std::uint32_t boot, Stream& s, SeqKey from, SeqKey until,
                    SeqKey fresh);
  /// The untimed entries strictly between timed entries lo and hi (end: no neighbour on that side).
  void replace_untimed(std::uint32_t device, std::uint32_t boot, Stream& s,
                       std::map<SeqKey, Entry>::iterator lo, std::map<SeqKey, Entry>::iterator hi);
  void set_placement(std::uint32_t device, std::uint32_t boot, const SeqKey& k, Entry& e, Entry::Where where,
                     const RepairedTime& t);
  /// Sequence numbers [from, to) are accounted for: holes open below, close over them.
  /// `arrival`: a record or event (not a device's report), counted if it lands in a marked gap.
  void cover(std::uint32_t device, std::uint32_t boot, Stream& s, std::uint64_t from, std::uint64_t to,
             double now_s, bool arrival);
  /// A later boot of `device` sent data: the older boots' open holes are lost with its RAM.
  void close_older_boots(std::uint32_t device, std::uint32_t boot);
  void mark(std::uint32_t device, std::uint32_t boot, std::uint64_t from, std::uint64_t to, GapCause cause);
  void state_write_for_event(const DeviceEvent& e);
  /// The earliest event time the device's missing data could take: the placed
  /// time of the timed entry below each stream's first open hole (−∞ without
  /// one, +∞ without holes); applied to the device's sensors' windows.
  /// `lower_only`: before a record's placement, the limit may only fall (a hole
  /// it opens); a rise waits until the record is in its window.
  void update_final_limit(std::uint32_t device, bool lower_only = false);

  ReconciliationOptions options_;
  std::size_t sensors_ = 0;
  std::map<StreamKey, Stream> streams_;
  std::map<std::uint32_t, std::uint32_t> latest_boot_;               ///< per device
  std::map<std::uint32_t, std::set<std::uint32_t>> device_sensors_;  ///< sensors seen per device
  std::map<std::uint32_t, double> final_limit_s_;                    ///< per device (absent: +∞)
  std::set<std::tuple<std::uint32_t, std::uint32_t, std::uint64_t>> seen_by_time_;  ///< kDedupByDeviceTime
  /// Gap timeouts: (deadline, device, boot, hole start), checked lazily.
  std::priority_queue<std::tuple<double, std::uint32_t, std::uint32_t, std::uint64_t>,
                      std::vector<std::tuple<double, std::uint32_t, std::uint32_t, std::uint64_t>>,
                      std::greater<>>
      timeouts_;
  struct IssuedCommand {
    std::uint64_t hlc = 0;
    double issued_s = 0;
    CommandKind kind = CommandKind::kStop;
  };
  std::map<std::uint64_t, IssuedCommand> commands_;
  HybridLogicalClock clock_;
  ReceivedRanges received_;  ///< every (device, boot, seq) admitted: commands' causal contexts
  EventWindows windows_;
  PlantState state_;
  CloudLog log_;
  std::uint64_t records_in_ = 0, events_in_ = 0, duplicates_ = 0, invalid_ = 0, gaps_marked_[3] = {},
                gap_seqs_[3] = {}, arrived_in_gap_ = 0, retractions_ = 0, hlc_ignored_ = 0;
};

}  // namespace twinbed::pipeline
