// Laws: the random laws fault parameters are drawn from, as small value types.
//
// A Law is written once in a scenario (`{"law": "lognormal", "median": 600,
// "sigma": 1}`) and sampled from a fault's own RandomStream. Every law here
// has a closed-form mean (mean()), which the statistical tests and the docs
// use. Laws for durations and amplitudes share this one type.
#pragma once

#include <cmath>
#include <string>

#include "faults/random_stream.hpp"

namespace twinbed::faults {

enum class LawKind { kFixed, kUniform, kExponential, kLognormal, kWeibull, kPareto, kLaplace, kNormal };

struct Law {
  LawKind kind = LawKind::kFixed;
  double a = 0.0;  ///< fixed: value; uniform: lo; exponential: mean; lognormal: median; weibull: scale;
                   ///< pareto: x_m (minimum); laplace: scale; normal: mean
  double b = 0.0;  ///< uniform: hi; lognormal: sigma (of the log); weibull: shape; pareto: alpha; normal: std

  static Law fixed(double v) { return {LawKind::kFixed, v, 0.0}; }
  static Law exponential(double mean) { return {LawKind::kExponential, mean, 0.0}; }

  double sample(RandomStream& s) const {
    switch (kind) {
      case LawKind::kFixed:
        return a;
      case LawKind::kUniform:
        return s.uniform(a, b);
      case LawKind::kExponential:
        return s.exponential(a);
      case LawKind::kLognormal:
        return a * std::exp(b * s.normal());
      case LawKind::kWeibull:
        return a * std::pow(-std::log(s.uniform_open0()), 1.0 / b);
      case LawKind::kPareto:
        return s.pareto(a, b);
      case LawKind::kLaplace:
        return s.laplace(a);
      case LawKind::kNormal:
        return a + b * s.normal();
    }
    return a;
  }

  /// The law's mean (+inf for a Pareto with alpha <= 1).
  double mean() const {
    switch (kind) {
      case LawKind::kFixed:
        return a;
      case LawKind::kUniform:
        return 0.5 * (a + b);
      case LawKind::kExponential:
        return a;
      case LawKind::kLognormal:
        return a * std::exp(0.5 * b * b);
      case LawKind::kWeibull:
        return a * std::tgamma(1.0 + 1.0 / b);
      case LawKind::kPareto:
        return b > 1.0 ? b * a / (b - 1.0) : INFINITY;
      case LawKind::kLaplace:
        return 0.0;
      case LawKind::kNormal:
        return a;
    }
    return a;
  }
};

}  // namespace twinbed::faults
