// read_law: a random law as a scenario or study file writes it, validated
// with the loader's diagnostics (file, JSON path, expected vs found).
//
// A law is a plain number (fixed) or {"law": name, its parameters}: fixed
// (value), uniform (lo, hi), exponential (mean), lognormal (median, sigma),
// weibull (scale, shape), pareto (x_m, alpha), laplace (scale), normal
// (mean, std). `value_range` bounds a fixed value and a uniform's ends.
#pragma once

#include <string>

#include "faults/laws.hpp"
#include "sim/json_reader.hpp"

namespace twinbed::sim {

/// The law at `key` of `n` (Law::fixed(0) and an error when it is missing and `required`).
faults::Law read_law(Node& n, const std::string& key, Range value_range, bool required);

}  // namespace twinbed::sim
