// JsonReader: reads a JSON document against the scenario schema and reports
// every problem with the file, the JSON path, what was expected and what was
// found. Unknown keys are errors (with a "did you mean" hint), never ignored.
//
// Usage: a Node wraps one JSON value and its path. Reading a key marks it as
// known; Node::finish() reports the keys that nobody read. Errors accumulate
// in Diagnostics so a user sees all of them in one run.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace twinbed::sim {

using nlohmann::json;

/// Thrown once validation has collected its errors; the CLI maps it to exit code 2.
class ScenarioError : public std::runtime_error {
 public:
  explicit ScenarioError(std::vector<std::string> errors);
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::vector<std::string> errors_;
};

class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}
  void error(const std::string& path, const std::string& expected, const std::string& found);
  void error_message(const std::string& path, const std::string& message);
  bool ok() const { return errors_.empty(); }
  /// Throws ScenarioError if any error was recorded.
  void throw_if_errors() const;
  const std::string& file() const { return file_; }

 private:
  void add(std::string message);
  std::string file_;
  std::vector<std::string> errors_;
};

/// A short description of a JSON value for messages: `string "abc"`, `number -1`, `array of 3`.
std::string describe(const json& value);

/// Numeric constraints for Node::number().
struct Range {
  std::optional<double> min, max;
  bool min_exclusive = false;
  bool integer = false;
  static Range any() { return {}; }
  static Range positive() { return {0.0, std::nullopt, true, false}; }
  static Range non_negative() { return {0.0, std::nullopt, false, false}; }
  static Range probability() { return {0.0, 1.0, false, false}; }
  /// An integer count. Every count has a ceiling (default 1e9, which fits an
  /// int): a scenario must not be able to wrap a counter or exhaust memory.
  static Range count(double min_value = 0, double max_value = 1e9) {
    return {min_value, max_value, false, true};
  }
  /// A duration that must let simulated time move (>= 1 ms) and stay bounded.
  static Range period(double max_value = 1e8) { return {1e-3, max_value, false, false}; }
  /// Any non-negative number up to a ceiling.
  static Range up_to(double max_value) { return {0.0, max_value, false, false}; }
  std::string describe() const;
};

class Node {
 public:
  Node(const json& value, std::string path, Diagnostics& diag)
      : value_(&value), path_(std::move(path)), diag_(&diag) {}

  const json& value() const { return *value_; }
  const std::string& path() const { return path_; }
  Diagnostics& diag() const { return *diag_; }

  /// Checks that this node is an object; false (and an error) otherwise.
  bool expect_object();
  bool has(const std::string& key);
  /// The child node at `key` (marks the key known). Precondition: has(key).
  Node child(const std::string& key);

  double number(const std::string& key, double fallback, Range range = Range::any());
  std::optional<double> number_required(const std::string& key, Range range = Range::any());
  std::string string(const std::string& key, const std::string& fallback);
  std::optional<std::string> string_required(const std::string& key);
  std::string choice(const std::string& key, const std::vector<std::string>& allowed,
                     const std::string& fallback);
  bool boolean(const std::string& key, bool fallback);
  /// Children of an array at `key` (empty and an error if it is not an array).
  std::vector<Node> array(const std::string& key, bool required);

  /// Reports keys present in the object that were never read.
  void finish();

 private:
  const json* value_;
  std::string path_;
  Diagnostics* diag_;
  std::vector<std::string> known_;
};

}  // namespace twinbed::sim
