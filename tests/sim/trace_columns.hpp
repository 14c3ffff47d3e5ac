// Reading a trace's columns in the test programs that check a run's trace.h5
// against values computed apart from the simulator (HDF5 C API; a missing
// dataset reads as an empty column).
#pragma once

#include <hdf5.h>

#include <cstring>
#include <string>
#include <vector>

namespace twinbed::test {

template <typename T>
std::vector<T> column(hid_t file, const std::string& path, hid_t type) {
  std::vector<T> out;
  hid_t ds = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  if (ds < 0) return out;
  hid_t space = H5Dget_space(ds);
  const auto n = H5Sget_simple_extent_npoints(space);
  out.resize(static_cast<std::size_t>(n));
  if (n > 0) H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
  H5Sclose(space);
  H5Dclose(ds);
  return out;
}

std::vector<std::string> strings(hid_t file, const std::string& path) {
  std::vector<std::string> out;
  hid_t ds = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  if (ds < 0) return out;
  hid_t type = H5Dget_type(ds);
  const std::size_t width = H5Tget_size(type);
  hid_t space = H5Dget_space(ds);
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
  std::vector<char> raw(n * width);
  if (n > 0) H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data());
  for (std::size_t i = 0; i < n; ++i)
    out.emplace_back(raw.data() + i * width, strnlen(raw.data() + i * width, width));
  H5Sclose(space);
  H5Tclose(type);
  H5Dclose(ds);
  return out;
}

}  // namespace twinbed::test
