#include "pipeline/multivariate_stage.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace twinbed::pipeline {

MultivariateStage::MultivariateStage(MultivariateStageOptions options)
    : options_(std::move(options)), watermark_(std::numeric_limits<std::int64_t>::min()) {
  const auto m = static_cast<int>(options_.sensors.size());
  if (m < 2) throw std::invalid_argument("MultivariateStage: a group needs at least 2 sensors");
  for (int j = 0; j < m; ++j) {
    if (!column_of_.emplace(options_.sensors[static_cast<std::size_t>(j)], j).second) {
      throw std::invalid_argument("MultivariateStage: sensor " +
                                  std::to_string(options_.sensors[static_cast<std::size_t>(j)]) +
                                  " listed twice in the group");
    }
  }
  if (!(options_.row_period_s > 0) || options_.max_row_lag < 1 || options_.pending_rows_max < 1 ||
      options_.training_rows_max < 1) {
    throw std::invalid_argument(
        "MultivariateStage: needs row_period_s > 0, max_row_lag >= 1, pending_rows_max >= 1, "
        "training_rows_max >= 1");
  }
  if (options_.training_rows.size() > 0) {
    if (options_.training_rows.cols() != m) {
      throw std::invalid_argument("MultivariateStage: training_rows has " +
                                  std::to_string(options_.training_rows.cols()) + " columns for " +
                                  std::to_string(m) + " sensors");
    }
    monitor_ = MultivariateMonitor::fit(options_.training_rows, options_.monitor);
    options_.training_rows.resize(0, 0);  // learned; no need to keep it
  } else {
    if (!(options_.training_end_s > options_.training_start_s)) {
      throw std::invalid_argument("MultivariateStage: training_end_s must be after training_start_s");
    }
    learning_ = true;
    last_training_bucket_ =
        static_cast<std::int64_t>(std::ceil(options_.training_end_s / options_.row_period_s - 1e-9)) - 1;
  }
}

bool MultivariateStage::in_window(std::int64_t bucket) const {
  const double t = static_cast<double>(bucket) * options_.row_period_s;
  return t >= options_.training_start_s && t < options_.training_end_s;
}

std::vector<MultivariateRow> MultivariateStage::add(const Record& record) {
  std::vector<MultivariateRow> out;
  const auto column = column_of_.find(record.sensor);
  if (column == column_of_.end()) {
    ++counters_.records_ignored;
    return out;
  }
  if (record.status != DeviceStatus::kGood || !std::isfinite(record.value) ||
      !std::isfinite(record.device_time_s)) {
    ++counters_.records_invalid;
    return out;
  }
  const auto bucket = static_cast<std::int64_t>(std::llround(record.device_time_s / options_.row_period_s));
  if (bucket <= watermark_ || final_above_watermark_.contains(bucket)) {
    ++counters_.records_late;
    return out;
  }
  const auto m = static_cast<Eigen::Index>(options_.sensors.size());
  auto [it, inserted] = open_.try_emplace(bucket);
  OpenRow& row = it->second;
  if (inserted) {
    row.values = Eigen::VectorXd::Zero(m);
    row.have.assign(static_cast<std::size_t>(m), false);
  }
  const auto j = static_cast<std::size_t>(column->second);
  if (row.have[j]) {
    ++counters_.records_duplicate;
    return out;
  }
  row.have[j] = true;
  row.values(static_cast<Eigen::Index>(j)) = record.value;
  row.trigger = record;
  ++row.arrived;
  ++counters_.records_used;
  if (row.arrived == m) {
    OpenRow complete = std::move(row);
    open_.erase(it);
    final_above_watermark_.insert(bucket);
    handle_final(bucket, complete, out);
  }
  newest_ = newest_ ? std::max(*newest_, bucket) : bucket;
  advance_watermark(*newest_ - options_.max_row_lag, out);
  while (static_cast<int>(open_.size()) > options_.pending_rows_max) {
    auto oldest = open_.begin();
    const std::int64_t b = oldest->first;
    OpenRow forced = std::move(oldest->second);
    open_.erase(oldest);
    final_above_watermark_.insert(b);
    ++counters_.rows_forced;
    handle_final(b, forced, out);
  }
  if (learning_ && watermark_ >= last_training_bucket_) train_from_window(out);
  return out;
}

std::vector<MultivariateRow> MultivariateStage::flush() {
  std::vector<MultivariateRow> out;
  if (!open_.empty()) advance_watermark(open_.rbegin()->first, out);
  if (learning_) train_from_window(out);
  return out;
}

void MultivariateStage::advance_watermark(std::int64_t watermark, std::vector<MultivariateRow>& out) {
  if (watermark <= watermark_) return;
  while (!open_.empty() && open_.begin()->first <= watermark) {
    const std::int64_t b = open_.begin()->first;
    OpenRow row = std::move(open_.begin()->second);
    open_.erase(open_.begin());
    handle_final(b, row, out);
  }
  watermark_ = watermark;
  final_above_watermark_.erase(final_above_watermark_.begin(), final_above_watermark_.upper_bound(watermark));
}

void MultivariateStage::handle_final(std::int64_t bucket, const OpenRow& row,
                                     std::vector<MultivariateRow>& out) {
  const bool complete = row.arrived == static_cast<int>(options_.sensors.size());
  if (learning_) {
    if (static_cast<double>(bucket) * options_.row_period_s < options_.training_start_s) {
      ++counters_.rows_before_training;
    } else if (in_window(bucket)) {
      if (complete && static_cast<int>(training_.size()) < options_.training_rows_max) {
        training_.emplace(bucket, row.values);
        ++counters_.rows_training;
      } else {
        ++counters_.rows_skipped;  // an incomplete row is never learned, nor one past the bound
      }
    } else {
      held_.emplace(bucket, row);
    }
    return;
  }
  if (!monitor_) {
    ++counters_.rows_untrained;
    return;
  }
  score_row(bucket, row, out);
}

void MultivariateStage::score_row(std::int64_t bucket, const OpenRow& row,
                                  std::vector<MultivariateRow>& out) {
  const auto m = static_cast<int>(options_.sensors.size());
  const int missing = m - row.arrived;
  if (missing > 0 && options_.incomplete == IncompleteRows::kSkip) {
    ++counters_.rows_skipped;
    return;
  }
  Eigen::VectorXd x = row.values;
  std::vector<bool> imputed(static_cast<std::size_t>(m), false);
  for (int j = 0; j < m; ++j) {
    if (!row.have[static_cast<std::size_t>(j)]) {
      x(j) = monitor_->training_mean()(j);
      imputed[static_cast<std::size_t>(j)] = true;
    }
  }
  MultivariateRow result;
  result.bucket = bucket;
  result.time_s = static_cast<double>(bucket) * options_.row_period_s;
  result.missing = missing;
  result.score = monitor_->score(x, imputed);
  result.top_sensor = options_.sensors[static_cast<std::size_t>(result.score.top_variable)];
  result.trigger = row.trigger;
  ++counters_.rows_scored;
  if (missing > 0) ++counters_.rows_incomplete;
  if (result.score.alarm) ++counters_.rows_alarm;
  out.push_back(std::move(result));
}

void MultivariateStage::train_from_window(std::vector<MultivariateRow>& out) {
  learning_ = false;
  Eigen::MatrixXd rows(static_cast<Eigen::Index>(training_.size()),
                       static_cast<Eigen::Index>(options_.sensors.size()));
  Eigen::Index i = 0;
  for (const auto& [bucket, values] : training_) rows.row(i++) = values.transpose();
  training_.clear();
  try {
    monitor_ = MultivariateMonitor::fit(rows, options_.monitor);
  } catch (const std::invalid_argument& e) {
    training_error_ = e.what();
  }
  auto held = std::move(held_);
  held_.clear();
  for (const auto& [bucket, row] : held) handle_final(bucket, row, out);
}

}  // namespace twinbed::pipeline
