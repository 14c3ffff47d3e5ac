#include "pipeline/pdm/window_features.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace twinbed::pipeline::pdm {

int FeatureTable::column(const std::string& name) const {
  const auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

LineFit fit_line(const Eigen::ArrayXd& x, const Eigen::ArrayXd& y, Eigen::Index begin, Eigen::Index end) {
  // Two passes (means, then centred sums): no cancellation on large offsets.
  LineFit f;
  double sx = 0, sy = 0;
  for (Eigen::Index i = begin; i < end; ++i)
    if (std::isfinite(x(i)) && std::isfinite(y(i))) {
      sx += x(i);
      sy += y(i);
      ++f.n;
    }
  if (f.n == 0) return f;
  const double mx = sx / static_cast<double>(f.n), my = sy / static_cast<double>(f.n);
  double sxx = 0, sxy = 0;
  for (Eigen::Index i = begin; i < end; ++i)
    if (std::isfinite(x(i)) && std::isfinite(y(i))) {
      sxx += (x(i) - mx) * (x(i) - mx);
      sxy += (x(i) - mx) * (y(i) - my);
    }
  f.slope = (f.n >= 2 && sxx > 0) ? sxy / sxx : 0.0;
  f.intercept = my - f.slope * mx;
  return f;
}

WindowStats::WindowStats(const Eigen::ArrayXd& values) {
  const Eigen::Index m = values.size();
  n_.resize(m + 1);
  k_.resize(m + 1);
  k2_.resize(m + 1);
  x_.resize(m + 1);
  kx_.resize(m + 1);
  n_(0) = k_(0) = k2_(0) = x_(0) = kx_(0) = 0;
  for (Eigen::Index i = 0; i < m; ++i) {
    const double v = values(i);
    const bool ok = std::isfinite(v);
    const double k = static_cast<double>(i);
    n_(i + 1) = n_(i) + (ok ? 1 : 0);
    k_(i + 1) = k_(i) + (ok ? k : 0);
    k2_(i + 1) = k2_(i) + (ok ? k * k : 0);
    x_(i + 1) = x_(i) + (ok ? v : 0);
    kx_(i + 1) = kx_(i) + (ok ? k * v : 0);
  }
}

std::size_t WindowStats::count(Eigen::Index i0, Eigen::Index i1) const {
  return static_cast<std::size_t>(n_(i1) - n_(i0));
}

double WindowStats::mean(Eigen::Index i0, Eigen::Index i1) const {
  const double n = n_(i1) - n_(i0);
  return n > 0 ? (x_(i1) - x_(i0)) / n : std::nan("");
}

double WindowStats::slope_per_sample(Eigen::Index i0, Eigen::Index i1) const {
  const double n = n_(i1) - n_(i0);
  if (n < 2) return 0.0;
  // Centre the index on i0 so the sums stay small: with j = k - i0,
  // Sj = Sk - n i0, Sjj = Skk - 2 i0 Sk + n i0^2, Sjx = Skx - i0 Sx.
  const double c = static_cast<double>(i0);
  const double sk = k_(i1) - k_(i0), skk = k2_(i1) - k2_(i0), sx = x_(i1) - x_(i0), skx = kx_(i1) - kx_(i0);
  const double sj = sk - n * c, sjj = skk - 2 * c * sk + n * c * c, sjx = skx - c * sx;
  const double sxx_j = sjj - sj * sj / n;
  if (sxx_j <= 0) return 0.0;
  return (sjx - sj * sx / n) / sxx_j;
}

double Ewma::update(double x) {
  value_ = started_ ? value_ + alpha_ * (x - value_) : x;
  started_ = true;
  return value_;
}

std::vector<std::string> feature_names(const std::vector<std::string>& signal_names,
                                       const std::string& reference_name) {
  std::vector<std::string> names;
  for (const auto& name : signal_names)
    for (const char* f : {".mean", ".resid_mean", ".resid_slope_per_day", ".resid_ewma"})
      names.push_back(name + f);
  names.push_back(reference_name + ".mean");
  names.push_back("consensus.resid_z_median");
  names.push_back("consensus.resid_z_median_ewma");
  return names;
}

namespace {
/// Median of the first n values (reorders them).
double median(std::vector<double>& v) {
  const std::size_t n = v.size(), h = n / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(h), v.end());
  if (n % 2 == 1) return v[h];
  const double upper = v[h];
  return 0.5 * (upper + *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(h)));
}
}  // namespace

FeatureTable compute_features(const AssetSeries& series, const FeatureOptions& options) {
  const Eigen::Index m = series.reference.size();
  for (const auto& s : series.signals)
    if (s.size() != m) throw std::invalid_argument("compute_features: signals of unequal length");
  if (series.signals.size() != series.signal_names.size())
    throw std::invalid_argument("compute_features: one name per signal");
  FeatureTable table;
  const std::size_t n_signals = series.signals.size();
  table.names = feature_names(series.signal_names, series.reference_name);
  const Eigen::Index n_cols = static_cast<Eigen::Index>(table.names.size());

  // Commissioning baseline: each signal against the reference.
  const auto baseline_end = std::min<Eigen::Index>(
      m, static_cast<Eigen::Index>(std::floor(options.baseline_s / series.period_s + 1e-9)));
  std::vector<WindowStats> raw, resid;
  std::vector<double> resid_sd(n_signals, 1.0);
  raw.reserve(n_signals);
  resid.reserve(n_signals);
  Eigen::ArrayXd r(m);
  for (std::size_t s = 0; s < n_signals; ++s) {
    const LineFit fit = fit_line(series.reference, series.signals[s], 0, baseline_end);
    r = series.signals[s] - (fit.intercept + fit.slope * series.reference);  // NaN propagates
    double ss = 0;
    std::size_t n = 0;
    for (Eigen::Index i = 0; i < baseline_end; ++i)
      if (std::isfinite(r(i))) ss += r(i) * r(i), ++n;  // the fit's residuals have mean 0
    if (n > 2 && ss > 0) resid_sd[s] = std::sqrt(ss / static_cast<double>(n - 2));
    raw.emplace_back(series.signals[s]);
    resid.emplace_back(r);
  }
  const WindowStats ref(series.reference);

  const auto window_samples =
      std::max<Eigen::Index>(1, static_cast<Eigen::Index>(std::llround(options.window_s / series.period_s)));
  const double first_end_s = series.start_s + std::max(options.baseline_s, options.window_s);
  const double last_s = series.start_s + static_cast<double>(m - 1) * series.period_s;
  const auto n_windows =
      m == 0 || last_s < first_end_s
          ? Eigen::Index{0}
          : static_cast<Eigen::Index>(std::floor((last_s - first_end_s) / options.step_s + 1e-9)) + 1;
  table.rows.resize(n_windows, n_cols);
  table.window_end_s.reserve(static_cast<std::size_t>(n_windows));
  std::vector<Ewma> ewma(n_signals, Ewma(options.ewma_alpha));
  Ewma consensus_ewma(options.ewma_alpha);
  std::vector<double> z(n_signals);
  const double per_day = 86400.0 / series.period_s;
  Eigen::Index row = 0;
  for (Eigen::Index w = 0; w < n_windows; ++w) {
    const double t_end = first_end_s + static_cast<double>(w) * options.step_s;
    // Samples with t in (t_end - window, t_end]: [i1 - window_samples, i1).
    const Eigen::Index i1 = std::min(
        m, static_cast<Eigen::Index>(std::floor((t_end - series.start_s) / series.period_s + 1e-9)) + 1);
    const Eigen::Index i0 = std::max<Eigen::Index>(0, i1 - window_samples);
    bool enough = ref.count(i0, i1) >= static_cast<std::size_t>(options.min_samples);
    for (std::size_t s = 0; s < n_signals && enough; ++s)
      enough = resid[s].count(i0, i1) >= static_cast<std::size_t>(options.min_samples);
    if (!enough) continue;
    Eigen::Index c = 0;
    for (std::size_t s = 0; s < n_signals; ++s) {
      const double rm = resid[s].mean(i0, i1);
      table.rows(row, c++) = raw[s].mean(i0, i1);
      table.rows(row, c++) = rm;
      table.rows(row, c++) = resid[s].slope_per_sample(i0, i1) * per_day;
      table.rows(row, c++) = ewma[s].update(rm);
      z[s] = rm / resid_sd[s];
    }
    table.rows(row, c++) = ref.mean(i0, i1);
    const double consensus = n_signals > 0 ? median(z) : 0.0;
    table.rows(row, c++) = consensus;
    table.rows(row, c++) = consensus_ewma.update(consensus);
    table.window_end_s.push_back(t_end);
    ++row;
  }
  table.rows.conservativeResize(row, n_cols);
  return table;
}

}  // namespace twinbed::pipeline::pdm
