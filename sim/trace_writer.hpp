// TraceWriter: writes trace.h5, the run's ground truth and observations.
//
// Each table is an HDF5 group with one 1-D dataset per column (columnar:
// compresses well, and h5py reads a column as one numpy array). Datasets are
// chunked, deflate-compressed and extendable; rows are buffered and written a
// chunk at a time. Object timestamps are disabled so two runs of the same
// scenario and seed produce identical datasets. Layout: docs/trace-format.md.
//
// Errors: any HDF5 failure throws std::runtime_error (exit code 3).
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace twinbed::sim {

enum class ColumnType { kF64, kU64, kU32, kU8 };

struct ColumnSpec {
  std::string name;
  ColumnType type;
  std::string unit;  ///< stored as the dataset attribute "unit" (empty: none)
};

class TraceTable {
 public:
  TraceTable(hid_t file, const std::string& path, std::vector<ColumnSpec> columns, std::size_t chunk_rows,
             int deflate);
  ~TraceTable();
  TraceTable(const TraceTable&) = delete;
  TraceTable& operator=(const TraceTable&) = delete;

  /// Appends one row; values are converted to each column's type, in column order.
  template <typename... Ts>
  void append(Ts... values) {
    std::size_t col = 0;
    (push(col++, static_cast<double>(values), to_u64(values)), ...);
    if (++buffered_rows_ == chunk_rows_) flush();
  }
  void flush();
  std::uint64_t rows() const { return written_rows_ + buffered_rows_; }

 private:
  template <typename T>
  static std::uint64_t to_u64(T v) {
    if constexpr (std::is_floating_point_v<T>)
      return (v > 0 && v < 1.8e19) ? static_cast<std::uint64_t>(v)
                                   : 0;  // integer columns never hold fractions
    else
      return static_cast<std::uint64_t>(v);
  }
  void push(std::size_t col, double as_double, std::uint64_t as_integer);

  hid_t group_ = -1;
  std::vector<ColumnSpec> columns_;
  std::vector<hid_t> datasets_;
  std::vector<std::vector<unsigned char>> buffers_;
  std::size_t chunk_rows_;
  std::size_t buffered_rows_ = 0;
  std::uint64_t written_rows_ = 0;
};

class TraceWriter {
 public:
  explicit TraceWriter(const std::string& path, int deflate);
  ~TraceWriter();
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  std::unique_ptr<TraceTable> table(const std::string& path, std::vector<ColumnSpec> columns,
                                    std::size_t chunk_rows = 65536);
  /// A fixed-length string column written at once (registries, labels).
  void strings(const std::string& path, const std::vector<std::string>& values);
  /// A float64 column written at once.
  void doubles(const std::string& path, const std::vector<double>& values, const std::string& unit);
  void attribute(const std::string& name, const std::string& value);
  void attribute(const std::string& name, double value);
  void close();

 private:
  hid_t group_for(const std::string& path);
  /// Creates a fixed-size dataset at `path` and writes `rows` values of `type` at once.
  void column_once(const std::string& path, hid_t type, std::size_t rows, const void* data,
                   const std::string& unit);
  hid_t file_ = -1;
  int deflate_;
};

}  // namespace twinbed::sim
