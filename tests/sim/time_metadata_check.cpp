// time_metadata_check TRACE.h5
// Checks a run's time metadata and device events against ground truth, all
// through the trace (docs/trace-format.md), apart from the simulator:
// - every received record whose declared uncertainty is finite has
//   |device_time_s − true_time_s| ≤ time_uncertainty_s (its true time from
//   /truth/samples, joined on (device, boot, seq));
// - every recorded event likewise (/truth/events);
// - within each (device, boot) the HLC strictly increases with the sequence
//   number, readings and events together (/truth/samples, /truth/events);
// - an applied command's event carries the command's id, and its stamp
//   follows the command's stamp when the cloud stamped it (/cloud/commands).
// Exits 0 when all hold and there was something to check (finite bounds,
// events), 1 when one fails (with the first witnesses), 2 on bad input.
#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <map>
#include <tuple>
#include <vector>

#include "trace_columns.hpp"

namespace {
using twinbed::test::column;

std::vector<double> f64(hid_t f, const char* path) {
  return column<double>(f, path, H5T_NATIVE_DOUBLE);
}
std::vector<std::uint64_t> u64(hid_t f, const char* path) {
  return column<std::uint64_t>(f, path, H5T_NATIVE_UINT64);
}
std::vector<std::uint32_t> u32(hid_t f, const char* path) {
  return column<std::uint32_t>(f, path, H5T_NATIVE_UINT32);
}
std::vector<std::uint8_t> u8(hid_t f, const char* path) {
  return column<std::uint8_t>(f, path, H5T_NATIVE_UINT8);
}

int failures = 0;
template <typename... A>
void fail(const char* format, A... args) {
  if (++failures <= 10) {
    std::fprintf(stderr, format, args...);
    std::fputc('\n', stderr);
  }
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: time_metadata_check TRACE.h5\n");
    return 2;
  }
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // a table the run did not write reads as empty, silently
  hid_t f = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return 2;
  using Key = std::tuple<std::uint32_t, std::uint32_t, std::uint64_t>;  // device, boot, seq
  // Ground truth of each reading: its true time; and each (device, boot)'s stamps by seq.
  const auto s_device = u32(f, "/truth/samples/device"), s_boot = u32(f, "/truth/samples/boot");
  const auto s_seq = u64(f, "/truth/samples/seq"), s_hlc = u64(f, "/truth/samples/hlc");
  const auto s_true = f64(f, "/truth/samples/true_time_s");
  if (s_device.empty() || s_boot.size() != s_device.size() || s_hlc.size() != s_device.size()) {
    std::fprintf(stderr, "%s: no /truth/samples with boot and hlc (a full trace with time_metadata on?)\n",
                 argv[1]);
    return 2;
  }
  std::map<Key, double> true_time;
  std::map<Key, std::uint64_t> stamp;  // readings and events: the HLC by (device, boot, seq)
  for (std::size_t i = 0; i < s_device.size(); ++i) {
    const Key k{s_device[i], s_boot[i], s_seq[i]};
    if (!true_time.emplace(k, s_true[i]).second)
      fail("reading id (%u, %u, %llu) twice", s_device[i], s_boot[i],
           static_cast<unsigned long long>(s_seq[i]));
    stamp[k] = s_hlc[i];
  }

  // Received records: within their declared bound.
  const auto r_device = u32(f, "/readings/received/device"), r_boot = u32(f, "/readings/received/boot");
  const auto r_seq = u64(f, "/readings/received/seq");
  const auto r_time = f64(f, "/readings/received/device_time_s");
  const auto r_u = f64(f, "/readings/received/time_uncertainty_s");
  std::size_t finite = 0, unknown = 0;
  double worst_ratio = 0;
  for (std::size_t i = 0; i < r_device.size(); ++i) {
    const auto it = true_time.find({r_device[i], r_boot[i], r_seq[i]});
    if (it == true_time.end()) {
      fail("received (%u, %u, %llu) was never sampled", r_device[i], r_boot[i],
           static_cast<unsigned long long>(r_seq[i]));
      continue;
    }
    if (!std::isfinite(r_u[i])) {
      ++unknown;
      continue;
    }
    ++finite;
    const double error_s = std::fabs(r_time[i] - it->second);
    if (r_u[i] > 0) worst_ratio = std::max(worst_ratio, error_s / r_u[i]);
    if (error_s > r_u[i])
      fail("received (%u, %u, %llu): |device time - true time| = %.6f s > declared %.6f s", r_device[i],
           r_boot[i], static_cast<unsigned long long>(r_seq[i]), error_s, r_u[i]);
  }

  // Events: within their bound; their stamps join the readings'.
  const auto e_device = u32(f, "/truth/events/device"), e_boot = u32(f, "/truth/events/boot");
  const auto e_seq = u64(f, "/truth/events/seq"), e_hlc = u64(f, "/truth/events/hlc");
  const auto e_cause = u64(f, "/truth/events/cause_hlc"), e_command = u64(f, "/truth/events/command_id");
  const auto e_kind = u8(f, "/truth/events/kind");
  const auto e_true = f64(f, "/truth/events/true_time_s"), e_time = f64(f, "/truth/events/device_time_s");
  const auto e_u = f64(f, "/truth/events/time_uncertainty_s");
  std::size_t events_finite = 0, applied = 0;
  for (std::size_t i = 0; i < e_device.size(); ++i) {
    const Key k{e_device[i], e_boot[i], e_seq[i]};
    if (!stamp.emplace(k, e_hlc[i]).second)
      fail("event (%u, %u, %llu) shares its id with a reading", e_device[i], e_boot[i],
           static_cast<unsigned long long>(e_seq[i]));
    if (std::isfinite(e_u[i])) {
      ++events_finite;
      // An event the device recorded late (it was down) is stamped when it saw it: a later stamp.
      const double error_s = std::fabs(e_time[i] - e_true[i]);
      if (error_s > e_u[i] && e_time[i] < e_true[i])
        fail("event (%u, %u, %llu): stamped %.6f s before it happened, beyond %.6f s", e_device[i], e_boot[i],
             static_cast<unsigned long long>(e_seq[i]), e_true[i] - e_time[i], e_u[i]);
    }
    if (e_kind[i] == 1) {  // kCommandApplied
      ++applied;
      if (e_command[i] == 0) fail("a command-applied event without its command id");
      if (e_cause[i] != 0 && e_hlc[i] <= e_cause[i])
        fail("a command-applied event stamped before its command");
    }
  }
  // Commands: each applied one has its event, and the event its stamp.
  const auto c_id = u64(f, "/cloud/commands/command_id"), c_hlc = u64(f, "/cloud/commands/hlc");
  const auto c_applied = f64(f, "/cloud/commands/applied_time_s");
  std::size_t commands_applied = 0;
  for (std::size_t i = 0; i < c_id.size(); ++i) {
    if (!std::isfinite(c_applied[i])) continue;
    ++commands_applied;
    bool found = false;
    for (std::size_t j = 0; j < e_device.size(); ++j)
      if (e_kind[j] == 1 && e_command[j] == c_id[i]) found = found || e_cause[j] == c_hlc[i];
    if (!found) fail("command %llu applied without its event", static_cast<unsigned long long>(c_id[i]));
  }

  // The HLC increases with the sequence number within each (device, boot).
  std::size_t ordered = 0;
  for (auto it = stamp.begin(); it != stamp.end(); ++it) {
    const auto next = std::next(it);
    if (next == stamp.end() || std::get<0>(next->first) != std::get<0>(it->first) ||
        std::get<1>(next->first) != std::get<1>(it->first))
      continue;
    ++ordered;
    if (next->second <= it->second)
      fail("HLC not increasing: device %u boot %u seq %llu then %llu", std::get<0>(it->first),
           std::get<1>(it->first), static_cast<unsigned long long>(std::get<2>(it->first)),
           static_cast<unsigned long long>(std::get<2>(next->first)));
  }
  H5Fclose(f);
  std::printf(
      "received: %zu with a finite bound (worst |error| / bound %.3f), %zu unknown; events: %zu (%zu with a "
      "finite bound, %zu commands applied); HLC pairs in order: %zu\n",
      finite, worst_ratio, unknown, e_device.size(), events_finite, applied, ordered);
  if (finite == 0 || e_device.empty() || ordered == 0) {
    std::fprintf(stderr, "nothing to check: no finite bound, no event or no stamp\n");
    return 1;
  }
  if (commands_applied != applied) fail("%zu commands applied but %zu events", commands_applied, applied);
  return failures == 0 ? 0 : 1;
}
