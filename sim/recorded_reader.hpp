// Reading recorded plant data into a devices::RecordedTable, once, at load.
//
// Formats (docs/scenario-format.md, "Recorded-data assets"):
// - csv: a header row of column names, then one row per observation, comma
//   separated; the time base is the column `time_column` (seconds) or a fixed
//   `period_s` from `start_s`;
// - hdf5: one 1-D dataset per column (`columns`: name -> dataset path), or a
//   2-D dataset (`dataset`, observations x columns, or columns x observations
//   when `transposed`) with `column_names`; the time base is a 1-D dataset
//   (`time_dataset`) or `period_s` from `start_s`;
// - tep: the Tennessee Eastman files, a whitespace matrix of 52 columns named
//   xmeas_1..xmeas_41, xmv_1..xmv_11 (`transposed` for d00.dat, stored 52 x
//   500); observation n (1-based) at start_s + (n - 1) * period_s, by default
//   n * 180 s.
// Guarantees: the table has at least one row, every cell a finite number,
// times strictly increasing; otherwise RecordedDataError, whose message names
// the data file and the line, row, column or dataset at fault.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "devices/recorded_table.hpp"

namespace twinbed::sim {

struct RecordedSourceSpec {
  std::string format = "csv";             ///< csv | hdf5 | tep
  std::string path;                       ///< the file, as the reader opens it (already resolved)
  std::string time_column;                ///< csv: the time column's name
  std::string time_dataset;               ///< hdf5: the 1-D time dataset
  std::optional<double> period_s;         ///< a fixed period instead of a time column or dataset
  double start_s = 0.0;                   ///< with period_s: the first row's time
  std::string dataset;                    ///< hdf5: a 2-D dataset ...
  std::vector<std::string> column_names;  ///< ... and its columns' names
  std::vector<std::pair<std::string, std::string>> column_datasets;  ///< hdf5: name -> 1-D dataset
  bool transposed = false;  ///< tep, hdf5 2-D: stored columns x observations
};

class RecordedDataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Reads and checks the recording. Throws RecordedDataError.
std::shared_ptr<const devices::RecordedTable> read_recorded_table(const RecordedSourceSpec& spec);

/// The 52 column names of the Tennessee Eastman files, in file order.
const std::vector<std::string>& tep_column_names();

}  // namespace twinbed::sim
