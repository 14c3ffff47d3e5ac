#include "sim/recorded_reader.hpp"

#include <hdf5.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace twinbed::sim {

namespace {

[[noreturn]] void fail(const RecordedSourceSpec& spec, const std::string& what) {
  throw RecordedDataError(spec.path + ": " + what);
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  std::string out = s.substr(b, e - b + 1);
  if (out.size() >= 2 && out.front() == '"' && out.back() == '"') out = out.substr(1, out.size() - 2);
  return out;
}

/// The whole of `cell` as a number; false if it is not one.
bool parse_number(const std::string& cell, double& out) {
  if (cell.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtod(cell.c_str(), &end);
  return end == cell.c_str() + cell.size() && errno != ERANGE;
}

std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> cells;
  std::size_t from = 0;
  while (true) {
    const auto comma = line.find(',', from);
    cells.push_back(trim(line.substr(from, comma == std::string::npos ? std::string::npos : comma - from)));
    if (comma == std::string::npos) return cells;
    from = comma + 1;
  }
}

/// Row times from a fixed period.
std::vector<double> periodic_times(std::size_t rows, double start_s, double period_s) {
  std::vector<double> t(rows);
  for (std::size_t r = 0; r < rows; ++r) t[r] = start_s + static_cast<double>(r) * period_s;
  return t;
}

/// The checks every format shares: rows, finite cells, a strictly increasing time base.
void check_table(const RecordedSourceSpec& spec, const devices::RecordedTable& t, const std::string& row_word,
                 std::size_t first_row_number) {
  if (t.rows() == 0) fail(spec, "no observations (at least one row is needed)");
  for (std::size_t c = 0; c < t.columns.size(); ++c)
    for (std::size_t r = 0; r < t.rows(); ++r)
      if (!std::isfinite(t.columns[c][r]))
        fail(spec, row_word + " " + std::to_string(r + first_row_number) + ", column \"" + t.names[c] +
                       "\": not a finite number");
  if (const auto bad = t.check_time_base()) {
    std::ostringstream msg;
    msg.precision(17);
    msg << row_word << ' ' << *bad + first_row_number << ": time " << t.time_s[*bad];
    if (*bad > 0) msg << " s is not after the previous row's " << t.time_s[*bad - 1] << " s";
    msg << " (times must be finite and strictly increase)";
    fail(spec, msg.str());
  }
}

std::shared_ptr<devices::RecordedTable> read_csv(const RecordedSourceSpec& spec) {
  std::ifstream in(spec.path);
  if (!in) fail(spec, "cannot open the file");
  auto table = std::make_shared<devices::RecordedTable>();
  std::string line;
  if (!std::getline(in, line)) fail(spec, "empty file (a header row of column names is needed)");
  std::vector<std::string> header = split_commas(line);
  std::optional<std::size_t> time_col;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (header[c].empty()) fail(spec, "line 1: column " + std::to_string(c + 1) + " has no name");
    for (std::size_t k = 0; k < c; ++k)
      if (header[k] == header[c]) fail(spec, "line 1: the column \"" + header[c] + "\" appears twice");
    if (!spec.time_column.empty() && header[c] == spec.time_column) {
      time_col = c;
    } else {
      table->names.push_back(header[c]);
    }
  }
  if (!spec.time_column.empty() && !time_col)
    fail(spec, "line 1: no column \"" + spec.time_column + "\" (the time_column) in the header");
  table->columns.resize(table->names.size());
  std::size_t line_no = 1;
  std::vector<std::size_t> line_of_row;
  std::vector<std::string> cells;
  while (std::getline(in, line)) {
    ++line_no;
    if (trim(line).empty()) continue;  // blank lines (a trailing newline) carry nothing
    cells = split_commas(line);
    if (cells.size() != header.size())
      fail(spec, "line " + std::to_string(line_no) + ": " + std::to_string(cells.size()) +
                     " cells, the header has " + std::to_string(header.size()));
    std::size_t out = 0;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      double v = 0;
      if (!parse_number(cells[c], v))
        fail(spec, "line " + std::to_string(line_no) + ", column \"" + header[c] + "\": \"" + cells[c] +
                       "\" is not a number");
      if (time_col && c == *time_col)
        table->time_s.push_back(v);
      else
        table->columns[out++].push_back(v);
    }
    line_of_row.push_back(line_no);
  }
  if (spec.period_s) table->time_s = periodic_times(line_of_row.size(), spec.start_s, *spec.period_s);
  // Messages name file lines: row r is on line line_of_row[r] (blank lines skipped).
  if (line_of_row.empty()) fail(spec, "no observations (at least one row under the header is needed)");
  for (std::size_t c = 0; c < table->columns.size(); ++c)
    for (std::size_t r = 0; r < line_of_row.size(); ++r)
      if (!std::isfinite(table->columns[c][r]))
        fail(spec, "line " + std::to_string(line_of_row[r]) + ", column \"" + table->names[c] +
                       "\": not a finite number");
  if (const auto bad = table->check_time_base()) {
    std::ostringstream msg;
    msg.precision(17);
    msg << "line " << line_of_row[*bad] << ": time " << table->time_s[*bad] << " s";
    if (*bad > 0) msg << " is not after the previous row's " << table->time_s[*bad - 1] << " s";
    msg << " (times must be finite and strictly increase)";
    fail(spec, msg.str());
  }
  return table;
}

std::shared_ptr<devices::RecordedTable> read_tep(const RecordedSourceSpec& spec) {
  std::ifstream in(spec.path);
  if (!in) fail(spec, "cannot open the file");
  const std::vector<std::string>& names = tep_column_names();
  std::vector<std::vector<double>> lines;  // as stored
  std::string line, token;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    std::istringstream tokens(line);
    std::vector<double> row;
    while (tokens >> token) {
      double v = 0;
      if (!parse_number(token, v))
        fail(spec, "line " + std::to_string(line_no) + ", field " + std::to_string(row.size() + 1) + ": \"" +
                       token + "\" is not a number");
      row.push_back(v);
    }
    if (row.empty()) continue;
    if (!lines.empty() && row.size() != lines.front().size())
      fail(spec, "line " + std::to_string(line_no) + ": " + std::to_string(row.size()) +
                     " fields, the first line has " + std::to_string(lines.front().size()));
    lines.push_back(std::move(row));
  }
  if (lines.empty()) fail(spec, "no observations");
  auto table = std::make_shared<devices::RecordedTable>();
  table->names = names;
  table->columns.assign(names.size(), {});
  if (spec.transposed) {  // one line per variable
    if (lines.size() != names.size())
      fail(spec, std::to_string(lines.size()) + " lines, a transposed TEP file has one per variable (" +
                     std::to_string(names.size()) + ")");
    for (std::size_t c = 0; c < names.size(); ++c) table->columns[c] = std::move(lines[c]);
  } else {
    if (lines.front().size() != names.size())
      fail(spec, "line 1: " + std::to_string(lines.front().size()) + " fields, a TEP observation has " +
                     std::to_string(names.size()) +
                     (lines.size() == names.size() ? " (is it transposed?)" : ""));
    for (auto& row : lines)
      for (std::size_t c = 0; c < names.size(); ++c) table->columns[c].push_back(row[c]);
  }
  table->time_s = periodic_times(table->columns.front().size(), spec.start_s, spec.period_s.value_or(180.0));
  check_table(spec, *table, spec.transposed ? "observation" : "line", 1);
  return table;
}

// ---- HDF5 -------------------------------------------------------------------

/// Closes an HDF5 handle on scope exit.
struct H5Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  ~H5Handle() {
    if (id >= 0) close(id);
  }
};

/// A numeric dataset's shape and values (row-major), or a RecordedDataError naming it.
std::vector<double> read_dataset(const RecordedSourceSpec& spec, hid_t file, const std::string& path,
                                 std::vector<hsize_t>& dims) {
  if (path.empty() || path.front() != '/')
    fail(spec, "dataset \"" + path + "\": expected an absolute path (\"/...\")");
  // Each step of the path must exist before H5Dopen2 is asked (it reports, not returns, otherwise).
  for (std::size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    const std::string prefix = path.substr(0, slash);
    if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) fail(spec, "no dataset \"" + path + "\"");
    if (slash == std::string::npos) break;
  }
  H5Handle ds{H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose};
  if (ds.id < 0) fail(spec, "\"" + path + "\" is not a dataset");
  H5Handle type{H5Dget_type(ds.id), H5Tclose};
  const H5T_class_t cls = H5Tget_class(type.id);
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) fail(spec, "dataset \"" + path + "\": not numeric");
  H5Handle space{H5Dget_space(ds.id), H5Sclose};
  const int rank = H5Sget_simple_extent_ndims(space.id);
  if (rank < 1 || rank > 2)
    fail(spec, "dataset \"" + path + "\": rank " + std::to_string(rank) + ", expected 1 or 2");
  dims.assign(static_cast<std::size_t>(rank), 0);
  H5Sget_simple_extent_dims(space.id, dims.data(), nullptr);
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  if (n > (hsize_t{1} << 31)) fail(spec, "dataset \"" + path + "\": too large");
  std::vector<double> values(static_cast<std::size_t>(n));
  if (n > 0 && H5Dread(ds.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    fail(spec, "dataset \"" + path + "\": cannot be read as numbers");
  return values;
}

std::vector<double> read_1d(const RecordedSourceSpec& spec, hid_t file, const std::string& path) {
  std::vector<hsize_t> dims;
  std::vector<double> v = read_dataset(spec, file, path, dims);
  if (dims.size() != 1) fail(spec, "dataset \"" + path + "\": expected one dimension, found 2");
  return v;
}

std::shared_ptr<devices::RecordedTable> read_hdf5(const RecordedSourceSpec& spec) {
  // HDF5 prints its error stack by default: the messages here say it better.
  H5E_auto2_t old_func = nullptr;
  void* old_data = nullptr;
  H5Eget_auto2(H5E_DEFAULT, &old_func, &old_data);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  struct Restore {
    H5E_auto2_t f;
    void* d;
    ~Restore() { H5Eset_auto2(H5E_DEFAULT, f, d); }
  } restore{old_func, old_data};
  {
    std::ifstream probe(spec.path);
    if (!probe) fail(spec, "cannot open the file");
  }
  if (H5Fis_hdf5(spec.path.c_str()) <= 0) fail(spec, "not an HDF5 file");
  H5Handle file{H5Fopen(spec.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  if (file.id < 0) fail(spec, "cannot open the file as HDF5");
  auto table = std::make_shared<devices::RecordedTable>();
  if (!spec.dataset.empty()) {
    std::vector<hsize_t> dims;
    const std::vector<double> m = read_dataset(spec, file.id, spec.dataset, dims);
    if (dims.size() != 2) fail(spec, "dataset \"" + spec.dataset + "\": expected two dimensions, found one");
    const std::size_t rows = spec.transposed ? dims[1] : dims[0], cols = spec.transposed ? dims[0] : dims[1];
    if (cols != spec.column_names.size())
      fail(spec, "dataset \"" + spec.dataset + "\": " + std::to_string(cols) + " columns, column_names has " +
                     std::to_string(spec.column_names.size()));
    table->names = spec.column_names;
    table->columns.assign(cols, std::vector<double>(rows));
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < cols; ++c)
        table->columns[c][r] = spec.transposed ? m[c * rows + r] : m[r * cols + c];
  } else {
    for (const auto& [name, path] : spec.column_datasets) {
      table->names.push_back(name);
      table->columns.push_back(read_1d(spec, file.id, path));
      if (table->columns.back().size() != table->columns.front().size())
        fail(spec, "dataset \"" + path + "\": " + std::to_string(table->columns.back().size()) +
                       " values, the first column has " + std::to_string(table->columns.front().size()));
    }
  }
  const std::size_t rows = table->columns.empty() ? 0 : table->columns.front().size();
  if (!spec.time_dataset.empty()) {
    table->time_s = read_1d(spec, file.id, spec.time_dataset);
    if (table->time_s.size() != rows)
      fail(spec, "dataset \"" + spec.time_dataset + "\": " + std::to_string(table->time_s.size()) +
                     " times for " + std::to_string(rows) + " observations");
  } else {
    table->time_s = periodic_times(rows, spec.start_s, spec.period_s.value_or(1.0));
  }
  check_table(spec, *table, "row", 0);
  return table;
}

}  // namespace

const std::vector<std::string>& tep_column_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (int i = 1; i <= 41; ++i) n.push_back("xmeas_" + std::to_string(i));
    for (int i = 1; i <= 11; ++i) n.push_back("xmv_" + std::to_string(i));
    return n;
  }();
  return names;
}

std::shared_ptr<const devices::RecordedTable> read_recorded_table(const RecordedSourceSpec& spec) {
  std::shared_ptr<devices::RecordedTable> table;
  if (spec.format == "csv")
    table = read_csv(spec);
  else if (spec.format == "tep")
    table = read_tep(spec);
  else if (spec.format == "hdf5")
    table = read_hdf5(spec);
  else
    fail(spec, "unknown format \"" + spec.format + "\"");
  table->source = spec.path;
  return table;
}

}  // namespace twinbed::sim
