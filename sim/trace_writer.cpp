#include "sim/trace_writer.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace twinbed::sim {

namespace {
void check(herr_t status, const std::string& what) {
  if (status < 0) throw std::runtime_error("HDF5: " + what + " failed");
}
hid_t check_id(hid_t id, const std::string& what) {
  if (id < 0) throw std::runtime_error("HDF5: " + what + " failed");
  return id;
}
hid_t native_type(ColumnType t) {
  switch (t) {
    case ColumnType::kF64:
      return H5T_NATIVE_DOUBLE;
    case ColumnType::kU64:
      return H5T_NATIVE_UINT64;
    case ColumnType::kU32:
      return H5T_NATIVE_UINT32;
    case ColumnType::kU8:
      return H5T_NATIVE_UINT8;
  }
  return H5T_NATIVE_DOUBLE;
}
std::size_t type_size(ColumnType t) {
  switch (t) {
    case ColumnType::kF64:
    case ColumnType::kU64:
      return 8;
    case ColumnType::kU32:
      return 4;
    case ColumnType::kU8:
      return 1;
  }
  return 8;
}
/// Group creation properties without timestamps: identical bytes run to run.
hid_t untimed_gcpl() {
  hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
  H5Pset_obj_track_times(gcpl, false);
  return gcpl;
}
hid_t ensure_groups(hid_t file, const std::string& path) {
  // Creates every intermediate group of `path` (a group path) and opens it.
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t group;
  if (H5Lexists(file, path.c_str(), H5P_DEFAULT) > 0) {
    group = H5Gopen2(file, path.c_str(), H5P_DEFAULT);
  } else {
    hid_t gcpl = untimed_gcpl();
    group = H5Gcreate2(file, path.c_str(), lcpl, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
  }
  H5Pclose(lcpl);
  return check_id(group, "create group " + path);
}
void string_attribute(hid_t object, const std::string& name, const std::string& value) {
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, std::max<std::size_t>(1, value.size()));
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t attr =
      check_id(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), "attribute " + name);
  check(H5Awrite(attr, type, value.empty() ? " " : value.c_str()), "write attribute " + name);
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
}
hid_t create_dataset(hid_t parent, const std::string& name, hid_t type, hsize_t rows, hsize_t chunk,
                     int deflate, bool extendable) {
  const hsize_t dims[1] = {rows};
  const hsize_t maxdims[1] = {extendable ? H5S_UNLIMITED : rows};
  hid_t space = H5Screate_simple(1, dims, maxdims);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_obj_track_times(dcpl, false);
  const hsize_t chunk_dims[1] = {std::max<hsize_t>(1, chunk)};
  if (extendable || rows > 0) {
    H5Pset_chunk(dcpl, 1, chunk_dims);
    if (deflate > 0) {
      H5Pset_shuffle(dcpl);
      H5Pset_deflate(dcpl, static_cast<unsigned>(deflate));
    }
  }
  hid_t ds = check_id(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                      "create dataset " + name);
  H5Pclose(dcpl);
  H5Sclose(space);
  return ds;
}
}  // namespace

TraceTable::TraceTable(hid_t file, const std::string& path, std::vector<ColumnSpec> columns,
                       std::size_t chunk_rows, int deflate)
    : columns_(std::move(columns)), chunk_rows_(chunk_rows) {
  group_ = ensure_groups(file, path);
  for (const auto& c : columns_) {
    hid_t ds = create_dataset(group_, c.name, native_type(c.type), 0, chunk_rows_, deflate, true);
    if (!c.unit.empty()) string_attribute(ds, "unit", c.unit);
    datasets_.push_back(ds);
    buffers_.emplace_back();
    buffers_.back().reserve(chunk_rows_ * type_size(c.type));
  }
}

TraceTable::~TraceTable() {
  try {
    flush();
  } catch (...) {  // a destructor must not throw; close() paths flush explicitly
  }
  for (hid_t ds : datasets_) H5Dclose(ds);
  if (group_ >= 0) H5Gclose(group_);
}

void TraceTable::push(std::size_t col, double as_double, std::uint64_t as_integer) {
  auto& buf = buffers_[col];
  switch (columns_[col].type) {
    case ColumnType::kF64: {
      unsigned char bytes[8];
      std::memcpy(bytes, &as_double, 8);
      buf.insert(buf.end(), bytes, bytes + 8);
      break;
    }
    case ColumnType::kU64: {
      unsigned char bytes[8];
      std::memcpy(bytes, &as_integer, 8);
      buf.insert(buf.end(), bytes, bytes + 8);
      break;
    }
    case ColumnType::kU32: {
      const auto v = static_cast<std::uint32_t>(as_integer);
      unsigned char bytes[4];
      std::memcpy(bytes, &v, 4);
      buf.insert(buf.end(), bytes, bytes + 4);
      break;
    }
    case ColumnType::kU8:
      buf.push_back(static_cast<unsigned char>(as_integer));
      break;
  }
}

void TraceTable::flush() {
  if (buffered_rows_ == 0) return;
  const hsize_t start[1] = {written_rows_};
  const hsize_t count[1] = {buffered_rows_};
  const hsize_t new_size[1] = {written_rows_ + buffered_rows_};
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    check(H5Dset_extent(datasets_[c], new_size), "extend " + columns_[c].name);
    hid_t file_space = H5Dget_space(datasets_[c]);
    H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr);
    hid_t mem_space = H5Screate_simple(1, count, nullptr);
    check(H5Dwrite(datasets_[c], native_type(columns_[c].type), mem_space, file_space, H5P_DEFAULT,
                   buffers_[c].data()),
          "write " + columns_[c].name);
    H5Sclose(mem_space);
    H5Sclose(file_space);
    buffers_[c].clear();
  }
  written_rows_ += buffered_rows_;
  buffered_rows_ = 0;
}

TraceWriter::TraceWriter(const std::string& path, int deflate) : deflate_(deflate) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors are reported by exceptions, not printed
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  H5Pset_obj_track_times(fcpl, false);
  file_ = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
  H5Pclose(fcpl);
  check_id(file_, "create " + path);
}

TraceWriter::~TraceWriter() {
  close();
}

void TraceWriter::close() {
  if (file_ >= 0) H5Fclose(file_);
  file_ = -1;
}

std::unique_ptr<TraceTable> TraceWriter::table(const std::string& path, std::vector<ColumnSpec> columns,
                                               std::size_t chunk_rows) {
  return std::make_unique<TraceTable>(file_, path, std::move(columns), chunk_rows, deflate_);
}

hid_t TraceWriter::group_for(const std::string& path) {
  const auto slash = path.rfind('/');
  return ensure_groups(file_, slash == 0 ? "/" : path.substr(0, slash));
}

void TraceWriter::column_once(const std::string& path, hid_t type, std::size_t rows, const void* data,
                              const std::string& unit) {
  hid_t group = group_for(path);
  const std::string name = path.substr(path.rfind('/') + 1);
  const std::size_t chunk_rows = std::min<std::size_t>(std::max<std::size_t>(rows, 1), 4096);
  hid_t ds = create_dataset(group, name, type, rows, chunk_rows, deflate_, false);
  if (rows > 0) check(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write " + path);
  if (!unit.empty()) string_attribute(ds, "unit", unit);
  H5Dclose(ds);
  H5Gclose(group);
}

void TraceWriter::strings(const std::string& path, const std::vector<std::string>& values) {
  std::size_t width = 1;
  for (const auto& v : values) width = std::max(width, v.size());
  std::vector<char> packed(values.size() * width, '\0');
  for (std::size_t i = 0; i < values.size(); ++i)
    std::memcpy(packed.data() + i * width, values[i].data(), values[i].size());
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, width);
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  column_once(path, type, values.size(), packed.data(), "");
  H5Tclose(type);
}

void TraceWriter::doubles(const std::string& path, const std::vector<double>& values,
                          const std::string& unit) {
  column_once(path, H5T_NATIVE_DOUBLE, values.size(), values.data(), unit);
}

void TraceWriter::attribute(const std::string& name, const std::string& value) {
  string_attribute(file_, name, value);
}

void TraceWriter::attribute(const std::string& name, double value) {
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t attr = check_id(H5Acreate2(file_, name.c_str(), H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT),
                        "attribute " + name);
  check(H5Awrite(attr, H5T_NATIVE_DOUBLE, &value), "write attribute " + name);
  H5Aclose(attr);
  H5Sclose(space);
}

}  // namespace twinbed::sim
