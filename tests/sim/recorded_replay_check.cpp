// recorded_replay_check TRACE.h5 EXPECTED.csv COVER_S
// Checks a run of tests/scenarios/recorded_csv_hdf5.json against values
// computed apart from the simulator (tests/scenarios/data/make_recorded_fixtures.py):
// - every ground-truth sample of the trace has an expected row (same device,
//   sensor and true time) with the same true value: nothing sampled past a
//   stopped recording's end;
// - every expected row up to COVER_S s was sampled;
// - every reading the cloud received carries the expected value (the
//   recording with the scenario's faults on top), and every sample up to
//   COVER_S s was received.
// Exits 0 when all hold, 1 (with the first differences) otherwise, 2 on bad input.
#include <hdf5.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "trace_columns.hpp"

namespace {
using twinbed::test::column;
using twinbed::test::strings;

bool same(double a, double b) {
  return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b));
}

struct Expected {
  double true_value, value;
  bool seen = false;
};
}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: recorded_replay_check TRACE.h5 EXPECTED.csv COVER_S\n");
    return 2;
  }
  const double cover_s = std::atof(argv[3]);
  // Expected rows by (device/sensor, time in ms).
  std::map<std::pair<std::string, long>, Expected> expected;
  std::ifstream in(argv[2]);
  std::string line;
  if (!std::getline(in, line)) {
    std::fprintf(stderr, "%s: cannot read\n", argv[2]);
    return 2;
  }
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string device, sensor, t, tv, v;
    std::getline(row, device, ',');
    std::getline(row, sensor, ',');
    std::getline(row, t, ',');
    std::getline(row, tv, ',');
    std::getline(row, v, ',');
    expected[{device + "/" + sensor, std::lround(std::stod(t) * 1000)}] = {std::stod(tv), std::stod(v)};
  }
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  hid_t f = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) {
    std::fprintf(stderr, "%s: cannot open\n", argv[1]);
    return 2;
  }
  const auto reg_device = strings(f, "/registry/sensors/device");
  const auto reg_sensor = strings(f, "/registry/sensors/sensor");
  const auto s_sensor = column<std::uint32_t>(f, "/truth/samples/sensor", H5T_NATIVE_UINT32);
  const auto s_device = column<std::uint32_t>(f, "/truth/samples/device", H5T_NATIVE_UINT32);
  const auto s_seq = column<std::uint64_t>(f, "/truth/samples/seq", H5T_NATIVE_UINT64);
  const auto s_time = column<double>(f, "/truth/samples/true_time_s", H5T_NATIVE_DOUBLE);
  const auto s_true = column<double>(f, "/truth/samples/true_value", H5T_NATIVE_DOUBLE);
  const auto r_device = column<std::uint32_t>(f, "/readings/received/device", H5T_NATIVE_UINT32);
  const auto r_seq = column<std::uint64_t>(f, "/readings/received/seq", H5T_NATIVE_UINT64);
  const auto r_value = column<double>(f, "/readings/received/value", H5T_NATIVE_DOUBLE);
  H5Fclose(f);
  if (s_sensor.empty() || reg_sensor.empty()) {
    std::fprintf(stderr, "%s: no ground-truth samples (trace level full is needed)\n", argv[1]);
    return 2;
  }
  int failures = 0;
  auto fail = [&](const std::string& what) {
    if (++failures <= 20) std::fprintf(stderr, "%s\n", what.c_str());
  };
  // Received values by (device, seq).
  std::map<std::pair<std::uint32_t, std::uint64_t>, double> received;
  for (std::size_t i = 0; i < r_seq.size(); ++i) received[{r_device[i], r_seq[i]}] = r_value[i];
  for (std::size_t i = 0; i < s_sensor.size(); ++i) {
    const std::string id = reg_device.at(s_sensor[i]) + "/" + reg_sensor.at(s_sensor[i]);
    const std::string at = id + " at " + std::to_string(s_time[i]) + " s";
    const auto e = expected.find({id, std::lround(s_time[i] * 1000)});
    if (e == expected.end()) {
      fail(at + ": sampled, but no value is expected there");
      continue;
    }
    e->second.seen = true;
    if (!same(s_true[i], e->second.true_value))
      fail(at + ": true value " + std::to_string(s_true[i]) + ", recorded " +
           std::to_string(e->second.true_value));
    const auto r = received.find({s_device[i], s_seq[i]});
    if (r == received.end()) {
      if (s_time[i] <= cover_s) fail(at + ": never received");  // later ones may be on the device at the end
    } else if (!same(r->second, e->second.value))
      fail(at + ": received " + std::to_string(r->second) + ", expected " + std::to_string(e->second.value));
  }
  std::size_t covered = 0;
  for (const auto& [key, e] : expected) {
    if (key.second > std::lround(cover_s * 1000)) continue;
    ++covered;
    if (!e.seen)
      fail(key.first + " at " + std::to_string(key.second / 1000.0) + " s: expected, never sampled");
  }
  if (failures > 0) {
    std::fprintf(stderr, "%d differences\n", failures);
    return 1;
  }
  std::printf("%zu samples match the recording (%zu expected rows up to %g s)\n", s_sensor.size(), covered,
              cover_s);
  return 0;
}
