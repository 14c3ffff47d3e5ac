// Int8 edge detector: a Mahalanobis-distance detector on a device's channels,
// trained on the device's own readings, quantised to int8 and run on the
// device with its float version beside it (a shadow) so the report can state
// what the quantisation costs.
//
// Float model: the pipeline's MahalanobisModel (pipeline/mahalanobis.hpp),
// s = (x - mean)' S^-1 (x - mean) on the training mean and covariance S.
//
// Int8 model (Int8Mahalanobis): the same distance written for integer
// arithmetic. Standardise z = (x - mean) / std (std = sqrt(diag S)); whiten
// with W = L^-1, L the Cholesky factor of the correlation D^-1 S D^-1, so that
// |W z|^2 = s exactly in real arithmetic; then per-tensor symmetric quantisation:
//   inputs:  s_in = input_range / 127 (input_range in standard deviations,
//            default 8); q_i = sat127(round(z_i / s_in))
//   weights: s_w = max|W| / 127; Q_ji = sat127(round(W_ji / s_w))
//   accumulate in int32: a_j = sum_i Q_ji q_i; score = (s_w s_in)^2 sum_j a_j^2 (int64 sum)
// round(): half away from zero; sat127: clamp to [-127, 127] (symmetric, -128
// unused). |dequantised - x| <= scale / 2 for |x| <= 127 scale: the stated
// bound. Inputs beyond input_range saturate (the score then saturates too,
// far above any sensible threshold).
//
// Int8Detector (the stage): watches `channels` (sensors or derived channels)
// in process(); a vector is complete when every channel has a new good value
// since the last; vectors whose device time falls in [train_from_s,
// train_until_s) train it; the first complete vector after the window fits
// both models (at least d + 2 vectors; otherwise it never scores). Then
// every vector is scored by both; the int8 score decides: `debounce`
// consecutive scores above `threshold` stop the asset of the first channel
// (offline only, or always), latched until reset(). The float score decides
// nothing; its alarms are counted beside the int8 ones.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "pipeline/edge_stage.hpp"
#include "pipeline/mahalanobis.hpp"

namespace twinbed::pipeline {

/// Symmetric int8 quantisation (round half away from zero, saturate to ±127).
std::int8_t quantise_int8(double x, double scale);
/// Scale that maps [-max_abs, max_abs] onto [-127, 127] (1 when max_abs is 0).
double int8_scale(double max_abs);

class Int8Mahalanobis {
 public:
  Int8Mahalanobis() = default;
  /// Quantises the float model: its mean, standard deviations and whitening.
  Int8Mahalanobis(const MahalanobisModel& model, double input_range_sigma);
  double score(const Eigen::VectorXd& x) const;
  double input_scale() const { return s_in_; }
  double weight_scale() const { return s_w_; }
  const std::vector<std::int8_t>& weights() const { return q_; }
  /// The float whitening W = L^-1 of the training correlation (what `weights` quantise).
  const Eigen::MatrixXd& whitening() const { return w_; }
  bool valid() const { return d_ > 0; }

 private:
  Eigen::VectorXd mean_, std_;  ///< standardisation (a multiply-add per input, before quantising)
  Eigen::MatrixXd w_;
  Eigen::Index d_ = 0;
  std::vector<std::int8_t> q_;  ///< row-major d x d
  double s_in_ = 1, s_w_ = 1;
};

class Int8Detector : public EdgeStage {
 public:
  struct Options {
    std::vector<std::uint32_t> channels;
    double train_from_s = 0, train_until_s = 3600;
    double threshold = 30;
    int debounce = 3;
    bool offline_only = true;
    bool decide = true;  ///< take decisions (false: score and report only)
    double input_range_sigma = 8;
  };
  /// What the shadow comparison found.
  struct Stats {
    std::uint64_t training_vectors = 0;
    bool trained = false;
    std::uint64_t evaluations = 0;
    std::uint64_t alarms_int8 = 0, alarms_float = 0;  ///< scores above threshold
    std::uint64_t disagreements = 0;                  ///< evaluations where the two alarm states differ
    double rel_error_max = 0, rel_error_sum = 0;      ///< |s_int8 - s_float| / max(s_float, 1)
    double score_max_int8 = 0, score_max_float = 0;
    std::uint64_t trips = 0;
  };
  explicit Int8Detector(Options options);

  void process(std::span<const Record> readings, const EdgeContext& context,
               std::vector<EdgeDecision>& decisions) override;
  void reset(std::uint32_t sensor) override;
  const Stats& stats() const { return stats_; }
  const Options& options() const { return options_; }

 private:
  void complete(const Record& last, const EdgeContext& context, std::vector<EdgeDecision>& decisions);
  Options options_;
  Stats stats_;
  Eigen::VectorXd x_;
  std::vector<bool> fresh_;
  std::vector<double> training_;  ///< row-major vectors
  MahalanobisModel float_;        ///< the shadow (pipeline/mahalanobis.hpp)
  Int8Mahalanobis int8_;
  int run_ = 0;
  bool tripped_ = false;
};

}  // namespace twinbed::pipeline
