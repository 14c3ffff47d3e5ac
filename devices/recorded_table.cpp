#include "devices/recorded_table.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace twinbed::devices {

std::optional<std::size_t> RecordedTable::column_index(const std::string& name) const {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) return std::nullopt;
  return static_cast<std::size_t>(it - names.begin());
}

std::optional<std::size_t> RecordedTable::check_time_base() const {
  for (std::size_t r = 0; r < time_s.size(); ++r) {
    if (!std::isfinite(time_s[r])) return r;
    if (r > 0 && !(time_s[r] > time_s[r - 1])) return r;
  }
  return std::nullopt;
}

std::pair<double, double> RecordedTable::column_range(std::size_t c) const {
  const auto [lo, hi] = std::minmax_element(columns.at(c).begin(), columns.at(c).end());
  return {*lo, *hi};
}

RecordedSignal::RecordedSignal(std::shared_ptr<const RecordedTable> table, std::size_t column,
                               PlaybackOptions options)
    : table_(std::move(table)), options_(options) {
  if (!table_ || table_->rows() == 0) throw std::invalid_argument("RecordedSignal: an empty recording");
  if (column >= table_->columns.size() || table_->columns[column].size() != table_->rows())
    throw std::invalid_argument("RecordedSignal: no such column in " + table_->source);
  values_ = table_->columns[column].data();
  times_ = table_->time_s.data();
  rows_ = table_->rows();
}

double RecordedSignal::end_s() const {
  return times_[rows_ - 1] + options_.time_offset_s;
}

std::optional<double> RecordedSignal::value_at(double t_s) {
  const double tau = t_s - options_.time_offset_s;
  const double reach = tau + kRowMatch_s;  // rows at or before this count as reached
  if (tau > times_[rows_ - 1] + kRowMatch_s) {
    if (options_.end == PastEnd::kStop) return std::nullopt;
    row_ = rows_ - 1;
    return values_[row_];
  }
  if (reach < times_[row_]) {  // earlier than the cursor: search again
    const double* at = std::upper_bound(times_, times_ + rows_, reach);
    row_ = at == times_ ? 0 : static_cast<std::size_t>(at - times_) - 1;
  }
  while (row_ + 1 < rows_ && times_[row_ + 1] <= reach) ++row_;
  if (options_.interpolation == Interpolation::kHold || row_ + 1 >= rows_ || reach < times_[row_] ||
      std::abs(tau - times_[row_]) <= kRowMatch_s)
    return values_[row_];  // hold, the last row, before the first row, or on a row
  const double t0 = times_[row_], t1 = times_[row_ + 1];
  const double fraction = std::clamp((tau - t0) / (t1 - t0), 0.0, 1.0);
  return values_[row_] + fraction * (values_[row_ + 1] - values_[row_]);
}

Eigen::Index RecordedSignal::evaluate(const Eigen::ArrayXd& t_s, Eigen::ArrayXd& out) {
  out.resize(t_s.size());
  for (Eigen::Index i = 0; i < t_s.size(); ++i) {
    const std::optional<double> v = value_at(t_s(i));
    if (!v) return i;  // times do not decrease: every later one is past the end too
    out(i) = *v;
  }
  return t_s.size();
}

}  // namespace twinbed::devices
