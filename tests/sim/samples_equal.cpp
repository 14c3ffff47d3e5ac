// samples_equal A.h5 B.h5 DEVICE_ID
// Exits 0 when the device's ground-truth samples (seq, true value, measured
// value, fault bits) are identical in both traces, 1 when they differ, 2 on
// bad input. Used to prove that adding a fault to one device does not move
// the random draws of another (each draw comes from its own stream).
#include <hdf5.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "trace_columns.hpp"

namespace {
using twinbed::test::column;
using twinbed::test::strings;

struct Samples {
  std::vector<std::uint64_t> seq;
  std::vector<double> true_value, value;
  std::vector<std::uint32_t> mask;
  bool ok = false;
};

Samples load(const char* file_name, const std::string& device_id) {
  Samples s;
  hid_t f = H5Fopen(file_name, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return s;
  const auto ids = strings(f, "/registry/devices/id");
  std::uint32_t index = 0;
  while (index < ids.size() && ids[index] != device_id) ++index;
  const auto device = column<std::uint32_t>(f, "/truth/samples/device", H5T_NATIVE_UINT32);
  const auto seq = column<std::uint64_t>(f, "/truth/samples/seq", H5T_NATIVE_UINT64);
  const auto tv = column<double>(f, "/truth/samples/true_value", H5T_NATIVE_DOUBLE);
  const auto v = column<double>(f, "/truth/samples/value", H5T_NATIVE_DOUBLE);
  const auto m = column<std::uint32_t>(f, "/truth/samples/fault_mask", H5T_NATIVE_UINT32);
  for (std::size_t i = 0; i < device.size(); ++i)
    if (device[i] == index)
      s.seq.push_back(seq[i]), s.true_value.push_back(tv[i]), s.value.push_back(v[i]), s.mask.push_back(m[i]);
  s.ok = index < ids.size() && !device.empty();
  H5Fclose(f);
  return s;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: samples_equal A.h5 B.h5 DEVICE_ID\n");
    return 2;
  }
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const Samples a = load(argv[1], argv[3]), b = load(argv[2], argv[3]);
  if (!a.ok || !b.ok) {
    std::fprintf(stderr, "samples_equal: no samples for device %s in one of the traces\n", argv[3]);
    return 2;
  }
  const bool same = a.seq == b.seq && a.true_value == b.true_value && a.value == b.value && a.mask == b.mask;
  std::printf("%s: %zu samples in A, %zu in B: %s\n", argv[3], a.seq.size(), b.seq.size(),
              same ? "identical" : "DIFFERENT");
  return same ? 0 : 1;
}
