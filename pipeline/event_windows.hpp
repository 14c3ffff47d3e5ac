// EventWindows: tumbling event-time window aggregates per sensor over the
// reconciled view, with revisions for late data (docs/reconciliation.md,
// "Windows and watermarks").
//
// Guarantees:
// - A window [k·W, (k+1)·W) of a sensor holds exactly the readings in the
//   view whose reconciled event time falls in it (an insert adds, a retract
//   removes); count/mean/min/max are computed from that multiset in sorted
//   order, so equal contents give bit-identical results whatever the order
//   the readings came in.
// - The watermark is per sensor: the largest event time ever placed on it.
//   A window's first result (revision 0, provisional) is emitted when the
//   watermark reaches its end; it is final when the watermark reaches its
//   end + allowed_lateness_s and its end is at or below the sensor's final
//   limit (set by the caller: the earliest time data still missing from the
//   sensor's stream could take), or at close().
// - Every change to a window already emitted emits a new revision (late
//   data is never dropped silently). A change after final is still emitted
//   (final again) and counted: the promise was broken, visibly.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "pipeline/cloud_log.hpp"

namespace twinbed::pipeline {

struct WindowOptions {
  double window_s = 60.0;
  double allowed_lateness_s = 300.0;
};

class EventWindows {
 public:
  EventWindows() = default;
  EventWindows(WindowOptions options, std::size_t sensors) : options_(options), sensors_(sensors) {}

  /// A reading joins (sign +1) or leaves (−1) the view at `time_s`.
  void add(std::uint32_t sensor, double time_s, double value, std::uint32_t count,
           std::vector<WindowResult>& out);
  void remove(std::uint32_t sensor, double time_s, double value, std::uint32_t count,
              std::vector<WindowResult>& out);
  /// No window of `sensor` ending after `limit_s` becomes final until the
  /// limit rises past it (+∞: no limit, the default). A rise makes final the
  /// windows it releases that the watermark has passed by the lateness.
  void set_final_limit(std::uint32_t sensor, double limit_s, std::vector<WindowResult>& out);
  double final_limit_s(std::uint32_t sensor) const { return sensors_[sensor].final_limit_s; }
  /// End of stream: every emitted or non-empty window not yet final becomes final.
  void close(std::vector<WindowResult>& out);

  std::uint64_t revisions_after_final() const { return after_final_; }
  std::uint64_t late_revisions() const { return late_revisions_; }
  double watermark_s(std::uint32_t sensor) const { return sensors_[sensor].watermark_s; }

 private:
  struct Window {
    std::multiset<std::pair<double, std::uint32_t>> items;  ///< (value, count)
    bool emitted = false, final_ = false;
    std::uint32_t next_revision = 0;
  };
  struct Sensor {
    double watermark_s = -std::numeric_limits<double>::infinity();
    double final_limit_s = std::numeric_limits<double>::infinity();
    std::map<std::int64_t, Window> windows;
  };
  std::int64_t index_of(double time_s) const;
  /// The smallest k with (k+1)·W > t (the first window ending after t).
  std::int64_t first_ending_after(double t_s) const;
  void emit(std::uint32_t sensor, std::int64_t k, Window& w, std::vector<WindowResult>& out);
  /// A window changed: re-emit if it was emitted, or emit late if already behind the watermark.
  void changed(std::uint32_t sensor, std::int64_t k, Window& w, std::vector<WindowResult>& out);
  void advance(std::uint32_t sensor, double time_s, std::vector<WindowResult>& out);

  WindowOptions options_;
  std::vector<Sensor> sensors_;
  std::uint64_t after_final_ = 0, late_revisions_ = 0;
};

}  // namespace twinbed::pipeline
