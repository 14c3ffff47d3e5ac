#include "sim/json_reader.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace twinbed::sim {

namespace {
std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string format_number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}
}  // namespace

ScenarioError::ScenarioError(std::vector<std::string> errors)
    : std::runtime_error(join_lines(errors)), errors_(std::move(errors)) {}

void Diagnostics::error(const std::string& path, const std::string& expected, const std::string& found) {
  add(file_ + ": " + path + ": expected " + expected + ", found " + found);
}

void Diagnostics::error_message(const std::string& path, const std::string& message) {
  add(file_ + ": " + path + ": " + message);
}

void Diagnostics::add(std::string message) {
  // A template entry is checked once per expanded id: say each problem once.
  if (std::find(errors_.begin(), errors_.end(), message) == errors_.end())
    errors_.push_back(std::move(message));
}

void Diagnostics::throw_if_errors() const {
  if (!errors_.empty()) throw ScenarioError(errors_);
}

std::string describe(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return std::string("boolean ") + (v.get<bool>() ? "true" : "false");
    case json::value_t::string: {
      std::string s = v.get<std::string>();
      if (s.size() > 40) s = s.substr(0, 37) + "...";
      return "string \"" + s + "\"";
    }
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "number " + format_number(v.get<double>());
    case json::value_t::array:
      return "an array of " + std::to_string(v.size());
    case json::value_t::object:
      return "an object";
    default:
      return "an unsupported value";
  }
}

std::string Range::describe() const {
  std::string what = integer ? "an integer" : "a number";
  if (min && max)
    return what + " in " + (min_exclusive ? "(" : "[") + format_number(*min) + ", " + format_number(*max) +
           "]";
  if (min) return what + (min_exclusive ? " > " : " >= ") + format_number(*min);
  if (max) return what + " <= " + format_number(*max);
  return what;
}

bool Node::expect_object() {
  if (value_->is_object()) return true;
  diag_->error(path_, "an object", describe(*value_));
  return false;
}

bool Node::has(const std::string& key) {
  known_.push_back(key);
  return value_->is_object() && value_->contains(key);
}

Node Node::child(const std::string& key) {
  known_.push_back(key);
  return Node(value_->at(key), path_ + "." + key, *diag_);
}

std::optional<double> Node::number_required(const std::string& key, Range range) {
  if (!has(key)) {
    diag_->error(path_ + "." + key, range.describe(), "nothing (the key is required)");
    return std::nullopt;
  }
  const json& v = value_->at(key);
  const std::string p = path_ + "." + key;
  if (!v.is_number()) {
    diag_->error(p, range.describe(), describe(v));
    return std::nullopt;
  }
  const double x = v.get<double>();
  const bool bad = !std::isfinite(x) || (range.integer && std::floor(x) != x) ||
                   (range.min && (range.min_exclusive ? x <= *range.min : x < *range.min)) ||
                   (range.max && x > *range.max);
  if (bad) {
    diag_->error(p, range.describe(), describe(v));
    return std::nullopt;
  }
  return x;
}

double Node::number(const std::string& key, double fallback, Range range) {
  if (!has(key)) return fallback;
  return number_required(key, range).value_or(fallback);
}

std::optional<std::string> Node::string_required(const std::string& key) {
  if (!has(key)) {
    diag_->error(path_ + "." + key, "a string", "nothing (the key is required)");
    return std::nullopt;
  }
  const json& v = value_->at(key);
  if (!v.is_string()) {
    diag_->error(path_ + "." + key, "a string", describe(v));
    return std::nullopt;
  }
  return v.get<std::string>();
}

std::string Node::string(const std::string& key, const std::string& fallback) {
  if (!has(key)) return fallback;
  return string_required(key).value_or(fallback);
}

std::string Node::choice(const std::string& key, const std::vector<std::string>& allowed,
                         const std::string& fallback) {
  if (!has(key)) return fallback;
  auto s = string_required(key);
  if (!s) return fallback;
  if (std::find(allowed.begin(), allowed.end(), *s) != allowed.end()) return *s;
  std::string list;
  for (const auto& a : allowed) {
    if (!list.empty()) list.append(", ");
    list.append(1, '"').append(a).append(1, '"');
  }
  diag_->error(path_ + "." + key, "one of " + list, describe(value_->at(key)));
  return fallback;
}

bool Node::boolean(const std::string& key, bool fallback) {
  if (!has(key)) return fallback;
  const json& v = value_->at(key);
  if (!v.is_boolean()) {
    diag_->error(path_ + "." + key, "true or false", describe(v));
    return fallback;
  }
  return v.get<bool>();
}

std::vector<Node> Node::array(const std::string& key, bool required) {
  std::vector<Node> out;
  if (!has(key)) {
    if (required) diag_->error(path_ + "." + key, "an array", "nothing (the key is required)");
    return out;
  }
  const json& v = value_->at(key);
  if (!v.is_array()) {
    diag_->error(path_ + "." + key, "an array", describe(v));
    return out;
  }
  for (std::size_t i = 0; i < v.size(); ++i)
    out.emplace_back(v[i], path_ + "." + key + "[" + std::to_string(i) + "]", *diag_);
  return out;
}

void Node::finish() {
  if (!value_->is_object()) return;
  for (const auto& item : value_->items()) {
    if (std::find(known_.begin(), known_.end(), item.key()) != known_.end()) continue;
    std::string hint;
    std::size_t best = 3;
    for (const auto& k : known_) {
      const std::size_t d = edit_distance(item.key(), k);
      if (d < best) best = d, hint = k;
    }
    diag_->error_message(
        path_ + "." + item.key(),
        "unknown key" + (hint.empty() ? std::string() : " (did you mean \"" + hint + "\"?)"));
  }
}

}  // namespace twinbed::sim
