#include "analysis/tep_validation.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include "pipeline/mahalanobis.hpp"
#include "pipeline/multivariate_monitor.hpp"

namespace twinbed::analysis {

namespace {

constexpr int kVariables = 52;
constexpr int kFaults[] = {1, 4, 6, 11};

/// Chiang, Russell & Braatz (2001), PCA with a = 9 (parallel analysis), 99 % limits:
/// missed-detection rates on the testing sets (T², Q).
struct Published {
  int fault;
  double t2, q;
};
constexpr Published kPublished[] = {
    {1, 0.008, 0.003}, {4, 0.956, 0.038}, {6, 0.011, 0.000}, {11, 0.794, 0.356}};

std::string file_name(const std::string& dir, const std::string& stem) {
  return dir + "/" + stem + ".dat";
}

/// Fraction of rows in [first, rows) whose statistic exceeds the limit (or, with `inside`, does not).
template <typename Statistic>
double rate(const Eigen::MatrixXd& data, int first, Statistic statistic, bool count_inside) {
  int hits = 0;
  for (int i = first; i < data.rows(); ++i) {
    const bool alarm = statistic(Eigen::VectorXd(data.row(i).transpose()));
    if (alarm != count_inside) ++hits;
  }
  return static_cast<double>(hits) / static_cast<double>(data.rows() - first);
}

}  // namespace

Eigen::MatrixXd read_tep_matrix(const std::string& path, int columns) {
  std::ifstream in(path);
  if (!in) throw TepDataError("cannot open the TEP data file " + path);
  std::vector<std::vector<double>> rows;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    std::istringstream fields(line);
    std::vector<double> row;
    std::string token;
    while (fields >> token) {
      try {
        std::size_t used = 0;
        row.push_back(std::stod(token, &used));
        if (used != token.size()) throw std::invalid_argument(token);
      } catch (const std::exception&) {
        throw TepDataError(path + ": line " + std::to_string(line_no) + ": expected a number, found \"" +
                           token + "\"");
      }
    }
    if (row.empty()) continue;
    if (!rows.empty() && row.size() != rows.front().size()) {
      throw TepDataError(path + ": line " + std::to_string(line_no) + ": expected " +
                         std::to_string(rows.front().size()) + " numbers, found " +
                         std::to_string(row.size()));
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) throw TepDataError(path + ": expected a matrix of numbers, found none");
  const auto r = static_cast<Eigen::Index>(rows.size());
  const auto c = static_cast<Eigen::Index>(rows.front().size());
  Eigen::MatrixXd m(r, c);
  for (Eigen::Index i = 0; i < r; ++i) {
    for (Eigen::Index j = 0; j < c; ++j)
      m(i, j) = rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
  }
  if (c == columns) return m;
  if (r == columns) return m.transpose();  // d00.dat: stored as variables × observations
  throw TepDataError(path + ": expected " + std::to_string(columns) + " variables per observation, found a " +
                     std::to_string(r) + " x " + std::to_string(c) + " matrix");
}

nlohmann::json validate_tep(const TepValidationOptions& options) {
  using nlohmann::json;
  const std::string& dir = options.data_dir;
  const Eigen::MatrixXd train = read_tep_matrix(file_name(dir, "d00"), kVariables);
  const Eigen::MatrixXd normal_test = read_tep_matrix(file_name(dir, "d00_te"), kVariables);
  const int onset = options.fault_onset_after_observation;
  if (normal_test.rows() <= onset) {
    throw TepDataError(file_name(dir, "d00_te") + ": expected more than " + std::to_string(onset) +
                       " observations, found " + std::to_string(normal_test.rows()));
  }
  std::vector<std::pair<int, Eigen::MatrixXd>> faulty;
  for (int fault : kFaults) {
    char stem[16];
    std::snprintf(stem, sizeof stem, "d%02d_te", fault);
    faulty.emplace_back(fault, read_tep_matrix(file_name(dir, stem), kVariables));
    if (faulty.back().second.rows() <= onset) {
      throw TepDataError(file_name(dir, stem) + ": expected more than " + std::to_string(onset) +
                         " observations, found " + std::to_string(faulty.back().second.rows()));
    }
  }

  json out;
  out["data"] = {{"dir", dir},
                 {"variables", kVariables},
                 {"training_rows", train.rows()},
                 {"normal_test_rows", normal_test.rows()},
                 {"fault_onset_after_observation", onset},
                 {"faults", {1, 4, 6, 11}}};
  out["convention"] = {
      {"false_alarm_rate", "fraction of d00_te observations (all of them) past the limit"},
      {"false_alarm_rate_after_onset", "the same over d00_te observations after the onset index"},
      {"missed_detection_rate", "fraction of dNN_te observations after the onset index inside the limit"},
      {"training_exceedance_rate", "fraction of d00 (the training data itself) past the limit"}};

  // Each detector: alarm(x) for a test row; rates on d00_te and the faulty sets.
  auto rates = [&](auto alarm) {
    json r;
    r["false_alarm_rate"] = rate(normal_test, 0, alarm, false);
    r["false_alarm_rate_after_onset"] = rate(normal_test, onset, alarm, false);
    r["training_exceedance_rate"] = rate(train, 0, alarm, false);
    for (const auto& [fault, data] : faulty) {
      r["missed_detection_rate"][std::to_string(fault)] = rate(data, onset, alarm, true);
    }
    return r;
  };

  // PCA with parametric limits, fitted on the whole of d00.
  const pipeline::PcaModel pca = pipeline::PcaModel::fit(train, options.pca);
  json& p = out["pca"];
  p["component_rule"] = pipeline::to_string(pca.rule());
  if (pca.rule() == pipeline::ComponentRule::kParallelAnalysis)
    p["parallel_percentile"] = options.pca.parallel_percentile;
  p["components"] = pca.components();
  p["confidence"] = pca.confidence();
  p["t2_limit"] = pca.t2_limit();
  p["q_limit"] = pca.q_limit();
  p["q_limit_rule"] = pca.q_limit_rule();
  p["explained_variance_fraction"] = pca.eigenvalues().head(pca.components()).sum() / pca.eigenvalues().sum();
  p["eigenvalues_leading"] = std::vector<double>(pca.eigenvalues().data(), pca.eigenvalues().data() + 12);
  // What each rule chooses on d00, for the record (the validation uses options.pca).
  {
    json& sel = out["component_selection"];
    const int n = static_cast<int>(train.rows());
    pipeline::PcaOptions rule = options.pca;
    rule.rule = pipeline::ComponentRule::kParallelAnalysis;
    const Eigen::VectorXd mean_ref = pipeline::parallel_analysis_reference(
        n, kVariables, rule.parallel_replicates, rule.parallel_seed, 0.0);
    const Eigen::VectorXd p95_ref = pipeline::parallel_analysis_reference(
        n, kVariables, rule.parallel_replicates, rule.parallel_seed, 0.95);
    sel["parallel_analysis_mean"] = pipeline::choose_components(pca.eigenvalues(), rule, mean_ref);
    sel["parallel_analysis_p95"] = pipeline::choose_components(pca.eigenvalues(), rule, p95_ref);
    sel["parallel_analysis_reference_leading"] = std::vector<double>(mean_ref.data(), mean_ref.data() + 12);
    sel["parallel_analysis_replicates"] = rule.parallel_replicates;
    sel["parallel_analysis_seed"] = rule.parallel_seed;
    rule.rule = pipeline::ComponentRule::kKaiser;
    sel["kaiser"] = pipeline::choose_components(pca.eigenvalues(), rule, {});
    rule.rule = pipeline::ComponentRule::kCumulativeVariance;
    rule.variance_fraction = 0.9;
    sel["cumulative_variance_0.9"] = pipeline::choose_components(pca.eigenvalues(), rule, {});
    sel["published_parallel_analysis"] = 9;
  }
  json t2 = rates([&](const Eigen::VectorXd& x) { return pca.t2(x) > pca.t2_limit(); });
  json q = rates([&](const Eigen::VectorXd& x) { return pca.q(x) > pca.q_limit(); });
  p["t2"] = t2;
  p["q"] = q;
  for (const auto& pub : kPublished) {
    p["published_missed_detection_rate"][std::to_string(pub.fault)] = {{"t2", pub.t2}, {"q", pub.q}};
  }
  p["published_source"] =
      "Chiang, Russell & Braatz (2001), Fault Detection and Diagnosis in Industrial Systems, Springer; "
      "Russell, Chiang & Braatz (2000), Chemometr. Intell. Lab. Syst. 51:81-93";

  // Mahalanobis D², F limit, fitted on the whole of d00.
  pipeline::MahalanobisOptions mopt;
  mopt.confidence = options.pca.confidence;
  const auto maha = pipeline::MahalanobisModel::fit(train, mopt);
  json& m = out["mahalanobis"];
  m = rates([&](const Eigen::VectorXd& x) { return maha.distance2(x) > maha.limit(); });
  m["limit"] = maha.limit();
  m["limit_kind"] = maha.limit_kind() == pipeline::LimitKind::kF ? "F" : "chi_squared";
  m["regularised"] = maha.regularised();

  // Split-conformal thresholds: fit on d00's first rows, calibrate on its last rows.
  pipeline::MonitorOptions copt;
  copt.pca = options.pca;
  copt.mahalanobis = mopt;
  copt.calibration_fraction = options.calibration_fraction;
  copt.epsilon = options.epsilon;
  const auto monitor = pipeline::MultivariateMonitor::fit(train, copt);
  json& c = out["conformal"];
  c["epsilon_claimed"] = options.epsilon;
  c["fitted_rows"] = monitor.fitted_rows();
  c["calibration_rows"] = monitor.calibration_rows();
  c["components"] = monitor.pca().components();
  auto conformal_rates = [&](const pipeline::ConformalCalibrator& cal, auto statistic) {
    json r = rates([&](const Eigen::VectorXd& x) { return cal.alarm(statistic(x)); });
    r["threshold"] = cal.threshold();
    return r;
  };
  c["t2"] =
      conformal_rates(monitor.conformal_t2(), [&](const Eigen::VectorXd& x) { return monitor.pca().t2(x); });
  c["q"] =
      conformal_rates(monitor.conformal_q(), [&](const Eigen::VectorXd& x) { return monitor.pca().q(x); });
  c["d2"] = conformal_rates(monitor.conformal_d2(),
                            [&](const Eigen::VectorXd& x) { return monitor.mahalanobis().distance2(x); });
  c["combined"] = conformal_rates(monitor.conformal_combined(),
                                  [&](const Eigen::VectorXd& x) { return monitor.score(x).combined; });
  return out;
}

}  // namespace twinbed::analysis
