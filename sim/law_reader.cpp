#include "sim/law_reader.hpp"

namespace twinbed::sim {

faults::Law read_law(Node& n, const std::string& key, Range value_range, bool required) {
  using faults::Law;
  using faults::LawKind;
  if (!n.has(key)) {
    if (required)
      n.diag().error(n.path() + "." + key, "a number or a law object", "nothing (the key is required)");
    return Law::fixed(0.0);
  }
  const json& v = n.value().at(key);
  if (v.is_number()) return Law::fixed(n.number(key, 0.0, value_range));
  Node l = n.child(key);
  if (!l.expect_object()) return Law::fixed(0.0);
  const std::string law = l.choice(
      "law", {"fixed", "uniform", "exponential", "lognormal", "weibull", "pareto", "laplace", "normal"}, "");
  if (!l.has("law")) n.diag().error(l.path() + ".law", "a law name", "nothing (the key is required)");
  Law out;
  auto req = [&](const char* k, Range r) { return l.number_required(k, r).value_or(1.0); };
  if (law == "fixed") {
    out = Law::fixed(l.has("value") ? req("value", value_range) : req("scale", value_range));
  } else if (law == "uniform") {
    out = {LawKind::kUniform, req("lo", value_range), req("hi", value_range)};
    if (out.b < out.a) n.diag().error(l.path() + ".hi", "a number >= lo", describe(l.value().at("hi")));
  } else if (law == "exponential") {
    out = {LawKind::kExponential, req("mean", Range::positive()), 0.0};
  } else if (law == "lognormal") {
    out = {LawKind::kLognormal, req("median", Range::positive()), req("sigma", {0.0, 10.0, false, false})};
  } else if (law == "weibull") {
    out = {LawKind::kWeibull, req("scale", Range::positive()), req("shape", {0.05, 100.0, false, false})};
  } else if (law == "pareto") {
    out = {LawKind::kPareto, l.has("x_m") ? req("x_m", Range::positive()) : req("scale", Range::positive()),
           req("alpha", {0.1, 100.0, false, false})};
  } else if (law == "laplace") {
    out = {LawKind::kLaplace, req("scale", Range::positive()), 0.0};
  } else if (law == "normal") {
    out = {LawKind::kNormal, req("mean", Range::any()), req("std", Range::non_negative())};
  }
  l.finish();
  return out;
}

}  // namespace twinbed::sim
