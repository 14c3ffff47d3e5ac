#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "analysis/tep_validation.hpp"

using twinbed::analysis::read_tep_matrix;
using twinbed::analysis::TepDataError;

namespace {
std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("twinbed_tep_" + name);
  std::ofstream(path) << text;
  return path.string();
}
}  // namespace

TEST_CASE("TEP reader: observations x variables, or transposed as d00.dat is stored") {
  const auto plain = write_temp("plain.dat", "  1.0e+00  2.0e+00  3.0e+00\n  4 5 6\n\n  7 8 9\n 10 11 12\n");
  const Eigen::MatrixXd a = read_tep_matrix(plain, 3);
  REQUIRE(a.rows() == 4);
  CHECK(a(1, 2) == 6.0);
  // 3 variables x 4 observations: read transposed.
  const auto transposed = write_temp("transposed.dat", "1 4 7 10\n2 5 8 11\n3 6 9 12\n");
  const Eigen::MatrixXd b = read_tep_matrix(transposed, 3);
  CHECK(b == a);
}

TEST_CASE("TEP reader: a missing or malformed file names the file, the line, expected and found") {
  CHECK_THROWS_WITH_AS(read_tep_matrix("/nonexistent/d00.dat", 52), doctest::Contains("/nonexistent/d00.dat"),
                       TepDataError);
  const auto ragged = write_temp("ragged.dat", "1 2 3\n4 5\n");
  CHECK_THROWS_WITH_AS(read_tep_matrix(ragged, 3), doctest::Contains("line 2: expected 3 numbers, found 2"),
                       TepDataError);
  const auto word = write_temp("word.dat", "1 2 x3\n");
  CHECK_THROWS_WITH_AS(read_tep_matrix(word, 3), doctest::Contains("expected a number, found \"x3\""),
                       TepDataError);
  const auto shape = write_temp("shape.dat", "1 2\n3 4\n");
  CHECK_THROWS_WITH_AS(read_tep_matrix(shape, 3), doctest::Contains("found a 2 x 2 matrix"), TepDataError);
}
