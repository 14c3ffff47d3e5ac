// MultivariateStage: the in-the-loop multivariate detector of a cloud
// pipeline. It watches a group of registry sensors, assembles their records
// into rows, learns normal behaviour and scores each row with T², Q, D² and
// conformal p-values (MultivariateMonitor).
//
// Row assembly. A record of member j (its registry index in
// `options.sensors`) belongs to the row of bucket b = round(device_time_s /
// row_period_s); the row's time is b · row_period_s. The members must share a
// clock to well within row_period_s · max_row_lag (their devices' clocks
// decide the bucket; a skewed device lands in the wrong row). A row is
// *final* when
//   - every member has arrived: it is scored at once (complete), or
//   - the newest bucket seen has moved max_row_lag (≥ 1) buckets past it:
//     with IncompleteRows::kImpute its missing members take the training mean
//     (standardised value 0, never chosen as the top contributor) and it is
//     scored and counted in rows_incomplete; with kSkip it is dropped and
//     counted in rows_skipped, or
//   - more than pending_rows_max rows are open: the oldest is finalised as
//     above (the bound on memory; counted in rows_forced).
// Records that are not from a member, have a non-good status or a
// non-finite value are ignored (records_ignored, records_invalid); a second
// record of a member for the same open row keeps the first
// (records_duplicate); a record for a row already final is late
// (records_late). Rows are returned as they become final, so a complete row
// may be returned before an older incomplete one.
//
// Training. Either `training_rows` (recorded data, columns in `sensors`
// order, time order) is given and the stage is trained at construction, or
// rows whose time lies in [training_start_s, training_end_s) are collected
// (complete rows only, at most training_rows_max of them; rows before the
// window are dropped, rows_before_training)
// and the stage trains — learn, then freeze: it never learns again — once every
// bucket of the window is final; rows after the window that become final
// before that are held and scored right after training. If training fails
// (too few complete rows) training_error() says why and no row is ever scored
// (rows_untrained). No data makes the stage throw after construction; the
// constructor throws std::invalid_argument for inconsistent options.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pipeline/multivariate_monitor.hpp"
#include "pipeline/record.hpp"

namespace twinbed::pipeline {

enum class IncompleteRows { kImpute, kSkip };

struct MultivariateStageOptions {
  std::vector<std::uint32_t> sensors;  ///< registry indices of the group; row column j = sensors[j]
  double row_period_s = 1.0;
  int max_row_lag = 2;  ///< buckets the group may move past an open row before it is final
  IncompleteRows incomplete = IncompleteRows::kImpute;
  int pending_rows_max = 4096;     ///< open rows kept at most; beyond, the oldest is finalised
  int training_rows_max = 100000;  ///< window rows learned at most; later ones are dropped (rows_skipped)
  double training_start_s = 0;     ///< used when training_rows is empty
  double training_end_s = 0;
  Eigen::MatrixXd training_rows;  ///< recorded normal data; when non-empty, no training window
  MonitorOptions monitor;
};

/// One final, scored row.
struct MultivariateRow {
  std::int64_t bucket = 0;
  double time_s = 0;  ///< bucket · row_period_s (device time)
  int missing = 0;    ///< members imputed (0 = complete row)
  MonitorScore score;
  std::uint32_t top_sensor = 0;  ///< registry index of the largest contributor: the alert's `sensor`
  Record trigger;                ///< the latest-arriving member record of the row (alert identity)
};

struct MultivariateCounters {
  std::uint64_t records_used = 0, records_ignored = 0, records_invalid = 0, records_duplicate = 0,
                records_late = 0;
  std::uint64_t rows_training = 0, rows_before_training = 0, rows_scored = 0, rows_incomplete = 0,
                rows_skipped = 0, rows_forced = 0, rows_untrained = 0, rows_alarm = 0;
};

class MultivariateStage {
 public:
  explicit MultivariateStage(MultivariateStageOptions options);

  /// Takes one arriving record; returns the rows that became final and were scored.
  std::vector<MultivariateRow> add(const Record& record);
  /// End of stream: finalises every open row (and trains if still learning).
  std::vector<MultivariateRow> flush();

  bool trained() const { return monitor_.has_value(); }
  const std::string& training_error() const { return training_error_; }
  /// The trained monitor (limits, calibrators, claimed ε); nullptr before training.
  const MultivariateMonitor* monitor() const { return monitor_ ? &*monitor_ : nullptr; }
  const MultivariateCounters& counters() const { return counters_; }
  const MultivariateStageOptions& options() const { return options_; }

 private:
  struct OpenRow {
    Eigen::VectorXd values;
    std::vector<bool> have;
    int arrived = 0;
    Record trigger;
  };
  void finalise(std::int64_t bucket, OpenRow row, std::vector<MultivariateRow>& out);
  void advance_watermark(std::int64_t watermark, std::vector<MultivariateRow>& out);
  void handle_final(std::int64_t bucket, const OpenRow& row, std::vector<MultivariateRow>& out);
  void score_row(std::int64_t bucket, const OpenRow& row, std::vector<MultivariateRow>& out);
  void train_from_window(std::vector<MultivariateRow>& out);
  bool in_window(std::int64_t bucket) const;

  MultivariateStageOptions options_;
  std::map<std::uint32_t, int> column_of_;
  std::map<std::int64_t, OpenRow> open_;
  std::set<std::int64_t> final_above_watermark_;
  std::int64_t watermark_;  ///< every bucket ≤ this is final
  std::optional<std::int64_t> newest_;
  std::int64_t last_training_bucket_ = 0;
  std::map<std::int64_t, Eigen::VectorXd> training_;  ///< complete training rows by bucket
  std::map<std::int64_t, OpenRow> held_;              ///< final rows after the window, awaiting training
  bool learning_ = false;
  std::optional<MultivariateMonitor> monitor_;
  std::string training_error_;
  MultivariateCounters counters_;
};

}  // namespace twinbed::pipeline
