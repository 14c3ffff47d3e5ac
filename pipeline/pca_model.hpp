// PcaModel: principal component monitoring with Hotelling's T² and the Q
// (squared prediction error) statistic.
//
// Guarantees:
// - fit() standardises the training matrix (rows = observations; see
//   Standardiser), takes the correlation matrix R = ZᵀZ / (n - 1) and its
//   eigen-decomposition (Eigen::SelfAdjointEigenSolver), eigenvalues sorted
//   from largest to smallest (tiny negative round-off clamped to 0).
// - The number of retained components a comes from a stated rule
//   (ComponentRule): fixed, cumulative variance ≥ a fraction, Kaiser
//   (eigenvalue ≥ 1 on the correlation matrix), or Horn's parallel analysis
//   (keep the leading components whose eigenvalue exceeds the mean — or a
//   chosen percentile — of the eigenvalues of the same rank from
//   `parallel_replicates` correlation matrices of n × m
//   independent standard normal data; draws from a seeded splitmix64 stream
//   with Box–Muller, so the choice is deterministic). 1 ≤ a ≤ m - 1 always:
//   with no residual space Q would be identically zero.
// - For a new observation x (raw units), z = standardised x, t = Pᵀz:
//   T² = Σ t_i² / λ_i with the limit a(n−1)(n+1) / (n(n−a)) · F_{a,n−a}(confidence);
//   Q = ‖z − PPᵀz‖² with the Jackson–Mudholkar limit
//   Q_α = θ1 [c_α √(2θ2h0²)/θ1 + 1 + θ2h0(h0−1)/θ1²]^{1/h0},
//   θ_k = Σ_{j>a} λ_j^k, h0 = 1 − 2θ1θ3/(3θ2²), c_α the standard normal
//   quantile (Boost.Math). When h0 ≤ 0 (a residual spectrum too skewed for
//   the approximation) the limit falls back to Box's g·χ²_h, g = θ2/θ1,
//   h = θ1²/θ2; q_limit_rule() says which was used.
// - Contributions (for attribution): q_contributions(x)_j = e_j², e the
//   residual, sums exactly to Q; t2_contributions(x)_j = z_j (P Λ⁻¹ Pᵀ z)_j
//   (the complete decomposition, Alcala & Qin 2009), sums exactly to T² but a
//   single term may be negative.
// - fit() throws std::invalid_argument for fewer than 3 rows, fewer than 2
//   columns, or an option out of range.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/standardiser.hpp"

namespace twinbed::pipeline {

enum class ComponentRule { kFixed, kCumulativeVariance, kKaiser, kParallelAnalysis };

/// "fixed", "cumulative_variance", "kaiser", "parallel_analysis".
std::string to_string(ComponentRule rule);

struct PcaOptions {
  ComponentRule rule = ComponentRule::kParallelAnalysis;
  int fixed_components = 1;        ///< used by kFixed
  double variance_fraction = 0.9;  ///< used by kCumulativeVariance: smallest a with Σλ_1..a / m ≥ this
  int parallel_replicates = 100;   ///< used by kParallelAnalysis
  std::uint64_t parallel_seed = 20001;  ///< used by kParallelAnalysis
  /// used by kParallelAnalysis: 0 compares with the mean random eigenvalue (Horn 1965); p in (0, 1)
  /// with their p-quantile over the replicates (Glorfeld 1995: 0.95 keeps fewer chance components)
  double parallel_percentile = 0;
  double confidence = 0.99;  ///< for t2_limit() and q_limit()
};

class PcaModel {
 public:
  PcaModel() = default;
  /// Fits on raw training rows (standardised inside). Throws std::invalid_argument on bad input.
  static PcaModel fit(const Eigen::MatrixXd& training, const PcaOptions& options);

  int components() const { return components_; }
  int variables() const { return static_cast<int>(eigenvalues_.size()); }
  int training_rows() const { return rows_; }
  ComponentRule rule() const { return rule_; }
  double confidence() const { return confidence_; }
  /// All eigenvalues of the training correlation matrix, largest first.
  const Eigen::VectorXd& eigenvalues() const { return eigenvalues_; }
  /// Mean random eigenvalues of parallel analysis (empty for other rules).
  const Eigen::VectorXd& parallel_reference() const { return parallel_reference_; }
  /// m × a loadings.
  const Eigen::MatrixXd& loadings() const { return loadings_; }
  const Standardiser& standardiser() const { return standardiser_; }

  double t2(const Eigen::VectorXd& x) const;
  double q(const Eigen::VectorXd& x) const;
  Eigen::VectorXd t2_contributions(const Eigen::VectorXd& x) const;
  Eigen::VectorXd q_contributions(const Eigen::VectorXd& x) const;

  double t2_limit() const { return t2_limit_; }
  double q_limit() const { return q_limit_; }
  /// The limits at another confidence level (same model).
  double t2_limit_at(double confidence) const;
  double q_limit_at(double confidence) const;
  /// "jackson_mudholkar" or "box_chi2" (see above).
  const char* q_limit_rule() const;

 private:
  Standardiser standardiser_;
  Eigen::VectorXd eigenvalues_, parallel_reference_;
  Eigen::MatrixXd loadings_;
  Eigen::VectorXd inverse_retained_;  ///< 1 / λ_i, i < a
  int components_ = 0, rows_ = 0;
  ComponentRule rule_ = ComponentRule::kFixed;
  double confidence_ = 0.99;
  double theta1_ = 0, theta2_ = 0, theta3_ = 0, h0_ = 0;
  double t2_limit_ = 0, q_limit_ = 0;
};

/// Per rank, the mean (percentile = 0) or the `percentile` quantile of the
/// eigenvalues (largest first) of the correlation matrices of `replicates`
/// n × m standard normal data sets: the reference curve of parallel analysis.
Eigen::VectorXd parallel_analysis_reference(int rows, int columns, int replicates, std::uint64_t seed,
                                            double percentile = 0);

/// The number of components `options.rule` keeps for these eigenvalues (largest
/// first) of a correlation matrix; `reference` is used by parallel analysis.
int choose_components(const Eigen::VectorXd& eigenvalues, const PcaOptions& options,
                      const Eigen::VectorXd& reference);

}  // namespace twinbed::pipeline
