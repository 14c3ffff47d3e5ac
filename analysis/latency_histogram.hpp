// LatencyHistogram: a log-linear histogram for latency percentiles over
// hundreds of millions of samples in constant memory.
//
// Each power of two between 2^-20 s (~1 µs) and 2^20 s (~12 days) is split into
// 256 linear sub-buckets, so a reported percentile is within 0.4 % of the
// exact value (it reports the bucket's midpoint); min, max and mean are exact.
// Deterministic: the same inputs in any order give the same figures.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace twinbed::analysis {

class LatencyHistogram {
 public:
  static constexpr int kMinExp = -20, kMaxExp = 20, kSub = 256;
  static_assert(kSub == 256, "index() reads 8 mantissa bits");

  LatencyHistogram() : counts_(static_cast<std::size_t>((kMaxExp - kMinExp) * kSub + 2), 0) {}

  void add(double value_s) {
    ++count_;
    sum_ += value_s;
    min_ = std::min(min_, value_s);
    max_ = std::max(max_, value_s);
    ++counts_[index(value_s)];
  }

  std::uint64_t count() const { return count_; }
  double max() const { return count_ ? max_ : 0.0; }
  double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }

  /// The q-quantile (0 < q <= 1), nearest-rank definition on the buckets.
  double quantile(double q) const {
    if (count_ == 0) return 0.0;
    const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= std::max<std::uint64_t>(rank, 1)) return std::clamp(midpoint(i), min_, max_);
    }
    return max_;
  }

 private:
  static std::size_t index(double v) {
    if (!(v > 0x1p-20)) return 0;  // 2^kMinExp
    if (v >= 0x1p20) return static_cast<std::size_t>((kMaxExp - kMinExp) * kSub + 1);
    // The IEEE-754 bits hold the octave (exponent) and, in the top 8 bits of
    // the mantissa, the linear sub-bucket (kSub = 256 = 2^8).
    const auto bits = std::bit_cast<std::uint64_t>(v);
    const int octave = static_cast<int>((bits >> 52) & 0x7ff) - 1023 - kMinExp;
    const int sub = static_cast<int>((bits >> 44) & 0xff);
    return static_cast<std::size_t>(1 + octave * kSub + sub);
  }
  static double midpoint(std::size_t i) {
    if (i == 0) return std::ldexp(1.0, kMinExp);
    const int octave = static_cast<int>((i - 1) / kSub), sub = static_cast<int>((i - 1) % kSub);
    return std::ldexp(1.0 + (sub + 0.5) / kSub, octave + kMinExp);
  }

  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  double sum_ = 0.0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = 0.0;
};

}  // namespace twinbed::analysis
