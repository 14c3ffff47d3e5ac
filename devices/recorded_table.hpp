// RecordedTable and RecordedSignal: plant data recorded elsewhere (a historian
// export, the Tennessee Eastman runs), replayed as the true values of sensors.
//
// Guarantees:
// - a RecordedTable holds named numeric columns over one time base of rows
//   whose times strictly increase (check_time_base() says where they do not);
//   it is read once and shared, read-only, by every sensor on it;
// - a RecordedSignal plays one column in simulated time: recording time τ
//   plays at simulated time τ + time_offset_s. Its value at τ is the last
//   row at or before τ ("hold") or the straight line between the rows around
//   τ ("linear"); before the first row, the first row's value; past the last
//   row, the last value ("hold_last") or nothing at all ("stop": the sensor
//   takes no sample). Times within kRowMatch_s of a row count as that row, so
//   a sample time k / rate computed in floating point lands on its row;
// - evaluation walks a cursor: O(1) amortised per sample for non-decreasing
//   times, no allocation; an earlier time than the last one is still right
//   (a binary search restarts the cursor).
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace twinbed::devices {

struct RecordedTable {
  std::string source;                        ///< where it was read from (for messages)
  std::vector<std::string> names;            ///< column names, in file order
  std::vector<double> time_s;                ///< row times in the recording's time base, strictly increasing
  std::vector<std::vector<double>> columns;  ///< columns[c][row]

  std::size_t rows() const { return time_s.size(); }
  /// Index of the column called `name`, if any.
  std::optional<std::size_t> column_index(const std::string& name) const;
  /// The first row (0-based) whose time is not above the previous row's, or
  /// not finite; nullopt when the time base is valid.
  std::optional<std::size_t> check_time_base() const;
  /// Smallest and largest value of column c.
  std::pair<double, double> column_range(std::size_t c) const;
};

enum class Interpolation { kHold, kLinear };
enum class PastEnd { kHoldLast, kStop };

struct PlaybackOptions {
  Interpolation interpolation = Interpolation::kHold;
  PastEnd end = PastEnd::kHoldLast;
  double time_offset_s = 0.0;  ///< recording time τ plays at simulated time τ + time_offset_s
};

class RecordedSignal {
 public:
  /// Times closer than this to a row's time count as that row's time.
  static constexpr double kRowMatch_s = 1e-6;

  RecordedSignal(std::shared_ptr<const RecordedTable> table, std::size_t column, PlaybackOptions options);

  /// The value at simulated time t_s; nullopt past the end of a stopped source.
  std::optional<double> value_at(double t_s);
  /// Values at each of `t_s` (non-decreasing: the cursor only moves forward)
  /// into `out` (resized to match). Returns how many leading times have a
  /// value: all of them, but for a stopped source those past its end.
  Eigen::Index evaluate(const Eigen::ArrayXd& t_s, Eigen::ArrayXd& out);
  /// Simulated time of the last row.
  double end_s() const;
  const PlaybackOptions& options() const { return options_; }

 private:
  std::shared_ptr<const RecordedTable> table_;
  const double* values_;
  const double* times_;
  std::size_t rows_;
  PlaybackOptions options_;
  std::size_t row_ = 0;  ///< cursor: the last row at or before the last time asked (0 before the first)
};

}  // namespace twinbed::devices
