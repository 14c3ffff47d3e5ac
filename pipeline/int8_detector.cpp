#include "pipeline/int8_detector.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>

namespace twinbed::pipeline {

std::int8_t quantise_int8(double x, double scale) {
  const double q = std::round(x / scale);  // std::round: half away from zero
  return static_cast<std::int8_t>(std::clamp(q, -127.0, 127.0));
}

double int8_scale(double max_abs) {
  return max_abs > 0 ? max_abs / 127.0 : 1.0;
}

Int8Mahalanobis::Int8Mahalanobis(const MahalanobisModel& model, double input_range_sigma) {
  const Eigen::MatrixXd& cov = model.covariance();
  mean_ = model.mean();
  std_ = cov.diagonal().cwiseMax(1e-300).cwiseSqrt();
  const Eigen::MatrixXd corr = std_.cwiseInverse().asDiagonal() * cov * std_.cwiseInverse().asDiagonal();
  const Eigen::LLT<Eigen::MatrixXd> llt(corr);
  if (llt.info() != Eigen::Success) return;  // not positive definite: no int8 model (valid() false)
  d_ = cov.rows();
  const Eigen::MatrixXd l = llt.matrixL();
  w_ = l.triangularView<Eigen::Lower>().solve(Eigen::MatrixXd::Identity(d_, d_));
  s_in_ = int8_scale(input_range_sigma);
  s_w_ = int8_scale(w_.cwiseAbs().maxCoeff());
  q_.resize(static_cast<std::size_t>(d_ * d_));
  for (Eigen::Index j = 0; j < d_; ++j)
    for (Eigen::Index i = 0; i < d_; ++i)
      q_[static_cast<std::size_t>(j * d_ + i)] = quantise_int8(w_(j, i), s_w_);
}

double Int8Mahalanobis::score(const Eigen::VectorXd& x) const {
  const Eigen::VectorXd z = ((x - mean_).array() / std_.array()).matrix();
  std::vector<std::int8_t> q(static_cast<std::size_t>(d_));
  for (Eigen::Index i = 0; i < d_; ++i) q[static_cast<std::size_t>(i)] = quantise_int8(z(i), s_in_);
  std::int64_t sum_sq = 0;
  for (Eigen::Index j = 0; j < d_; ++j) {
    std::int32_t acc = 0;
    for (Eigen::Index i = 0; i < d_; ++i)
      acc += static_cast<std::int32_t>(q_[static_cast<std::size_t>(j * d_ + i)]) *
             static_cast<std::int32_t>(q[static_cast<std::size_t>(i)]);
    sum_sq += static_cast<std::int64_t>(acc) * acc;
  }
  const double s = s_w_ * s_in_;
  return s * s * static_cast<double>(sum_sq);
}

Int8Detector::Int8Detector(Options options) : options_(std::move(options)) {
  x_ = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(options_.channels.size()));
  fresh_.assign(options_.channels.size(), false);
}

void Int8Detector::process(std::span<const Record> readings, const EdgeContext& context,
                           std::vector<EdgeDecision>& decisions) {
  for (const Record& r : readings) {
    for (std::size_t k = 0; k < options_.channels.size(); ++k) {
      if (options_.channels[k] != r.sensor) continue;
      if (r.status != DeviceStatus::kGood || !std::isfinite(r.value)) break;
      x_(static_cast<Eigen::Index>(k)) = r.value;
      fresh_[k] = true;
      if (std::all_of(fresh_.begin(), fresh_.end(), [](bool f) { return f; })) {
        std::fill(fresh_.begin(), fresh_.end(), false);
        complete(r, context, decisions);
      }
      break;
    }
  }
}

void Int8Detector::complete(const Record& last, const EdgeContext& context,
                            std::vector<EdgeDecision>& decisions) {
  const double t_s = last.device_time_s;
  if (t_s < options_.train_from_s) return;
  const auto d = static_cast<Eigen::Index>(options_.channels.size());
  if (t_s < options_.train_until_s) {
    training_.insert(training_.end(), x_.data(), x_.data() + d);
    ++stats_.training_vectors;
    return;
  }
  if (!stats_.trained) {
    if (training_.empty() && stats_.training_vectors == 0) return;  // nothing to learn from: never scores
    const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> m(
        training_.data(), static_cast<Eigen::Index>(training_.size()) / d, d);
    if (m.rows() < d + 2) {  // too few to learn from: never scores
      training_.clear();
      stats_.training_vectors = 0;
      return;
    }
    float_ = MahalanobisModel::fit(m, MahalanobisOptions{});
    int8_ = Int8Mahalanobis(float_, options_.input_range_sigma);
    training_.clear();
    training_.shrink_to_fit();
    if (!int8_.valid()) {  // a failed fit never scores
      stats_.training_vectors = 0;
      return;
    }
    stats_.trained = true;
  }
  const double s_int8 = int8_.score(x_);
  const double s_float = float_.distance2(x_);
  ++stats_.evaluations;
  const bool a_int8 = s_int8 > options_.threshold, a_float = s_float > options_.threshold;
  stats_.alarms_int8 += a_int8;
  stats_.alarms_float += a_float;
  stats_.disagreements += a_int8 != a_float;
  const double rel = std::abs(s_int8 - s_float) / std::max(s_float, 1.0);
  stats_.rel_error_max = std::max(stats_.rel_error_max, rel);
  stats_.rel_error_sum += rel;
  stats_.score_max_int8 = std::max(stats_.score_max_int8, s_int8);
  stats_.score_max_float = std::max(stats_.score_max_float, s_float);
  run_ = a_int8 ? run_ + 1 : 0;
  if (!options_.decide || tripped_ || run_ < options_.debounce) return;
  if (options_.offline_only && context.cloud_reachable) return;
  tripped_ = true;
  ++stats_.trips;
  decisions.push_back({options_.channels.front(), last.boot, last.seq, last.device_time_s, s_int8});
}

void Int8Detector::reset(std::uint32_t sensor) {
  if (options_.channels.empty() || sensor != options_.channels.front()) return;
  tripped_ = false;
  run_ = 0;
}

}  // namespace twinbed::pipeline
