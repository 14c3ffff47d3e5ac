// HybridLogicalClock: Kulkarni, Demirbas et al., "Logical Physical Clocks"
// (OPODIS 2014). A stamp (l, c) pairs the largest physical time seen (l, in
// whole milliseconds of the holder's clock) with a logical counter (c).
//
// Guarantees:
// - e happens before f (same holder, or via a message) ⇒ stamp(e) < stamp(f);
// - l never runs behind the holder's physical clock and stays within the
//   largest clock error in the system of it; c stays small (bounded by the
//   events within one clock error);
// - a holder's stamps strictly increase, even when its clock steps backwards.
//
// A stamp packs into 64 bits: l in the high 48 (ms, ≈ 8900 years), c in the
// low 16. A counter that would pass 0xFFFF carries into l (the stamp stays
// monotonic; l runs 1 ms ahead). Physical times are seconds as doubles; a
// non-finite or negative time reads as 0 ms (a null timestamp still advances
// the logical part). 0 is never a stamp a clock gives: it means "no stamp".
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace twinbed::pipeline {

class HybridLogicalClock {
 public:
  static constexpr std::uint64_t kCounterBits = 16;
  static constexpr std::uint64_t kCounterMax = (std::uint64_t{1} << kCounterBits) - 1;

  static std::uint64_t pack(std::uint64_t l_ms, std::uint64_t c) { return (l_ms << kCounterBits) | c; }
  static std::uint64_t physical_ms(std::uint64_t stamp) { return stamp >> kCounterBits; }
  static std::uint64_t counter(std::uint64_t stamp) { return stamp & kCounterMax; }
  /// Whole milliseconds of a physical time in seconds (0 for NaN, ±inf, < 0).
  static std::uint64_t to_ms(double t_s) {
    if (!(t_s > 0) || !std::isfinite(t_s)) return 0;
    return static_cast<std::uint64_t>(std::floor(t_s * 1000.0));
  }

  /// A local or send event at the holder's physical time `pt_s`: the new stamp.
  std::uint64_t tick(double pt_s) {
    const std::uint64_t pt = to_ms(pt_s);
    if (pt > l_) {
      l_ = pt;
      c_ = 0;
    } else {
      bump();
    }
    return now();
  }

  /// A receive event: a message stamped `remote` arrives at physical time `pt_s`.
  std::uint64_t receive(std::uint64_t remote, double pt_s) {
    const std::uint64_t pt = to_ms(pt_s);
    const std::uint64_t lm = physical_ms(remote), cm = counter(remote);
    const std::uint64_t l = std::max({l_, lm, pt});
    if (l == l_ && l == lm) {
      c_ = std::max(c_, cm);
      bump();
    } else if (l == l_) {
      bump();
    } else if (l == lm) {
      l_ = lm;
      c_ = cm;
      bump();
    } else {
      l_ = l;
      c_ = 0;
    }
    return now();
  }

  /// The last stamp given (0 before the first event).
  std::uint64_t now() const { return l_ == 0 && c_ == 0 ? 0 : pack(l_, c_); }

 private:
  void bump() {
    if (c_ == kCounterMax) {
      ++l_;
      c_ = 0;
    } else {
      ++c_;
    }
    if (l_ == 0 && c_ == 0) c_ = 1;  // never hand out the "no stamp" value
  }
  std::uint64_t l_ = 0, c_ = 0;
};

}  // namespace twinbed::pipeline
