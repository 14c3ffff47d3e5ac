#include "analysis/trace_tables.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

namespace twinbed::analysis {
namespace {

/// Quiets HDF5's error stack printing for the reader's lifetime (absent
/// objects are probed on purpose), and restores it.
class QuietHdf5 {
 public:
  QuietHdf5() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  QuietHdf5(const QuietHdf5&) = delete;
  QuietHdf5& operator=(const QuietHdf5&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

class File {
 public:
  explicit File(std::string path) : path_(std::move(path)) {
    id_ = H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (id_ < 0) throw TraceReadError(path_ + ": cannot open as an HDF5 file");
  }
  ~File() {
    if (id_ >= 0) H5Fclose(id_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  /// Whether every component of `path` exists ("/a/b/c").
  bool exists(const std::string& path) const {
    std::string prefix;
    std::size_t from = 1;
    while (from <= path.size()) {
      const std::size_t slash = path.find('/', from);
      prefix = path.substr(0, slash == std::string::npos ? path.size() : slash);
      if (H5Lexists(id_, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
      if (slash == std::string::npos) break;
      from = slash + 1;
    }
    return true;
  }

  template <typename T>
  std::vector<T> column(const std::string& path, hid_t memtype) const {
    const hid_t ds = H5Dopen2(id_, path.c_str(), H5P_DEFAULT);
    if (ds < 0) throw TraceReadError(path_ + ": " + path + ": cannot open the dataset");
    const hid_t space = H5Dget_space(ds);
    const int rank = H5Sget_simple_extent_ndims(space);
    hsize_t n = 0;
    if (rank == 1) H5Sget_simple_extent_dims(space, &n, nullptr);
    H5Sclose(space);
    if (rank != 1) {
      H5Dclose(ds);
      throw TraceReadError(path_ + ": " + path + ": expected a 1-D column, found rank " +
                           std::to_string(rank));
    }
    std::vector<T> out(n);
    const herr_t rc = n ? H5Dread(ds, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) : 0;
    H5Dclose(ds);
    if (rc < 0) throw TraceReadError(path_ + ": " + path + ": cannot read it as a numeric column");
    return out;
  }
  std::vector<double> f64(const std::string& p) const { return column<double>(p, H5T_NATIVE_DOUBLE); }
  std::vector<std::uint64_t> u64(const std::string& p) const {
    return column<std::uint64_t>(p, H5T_NATIVE_UINT64);
  }

  std::vector<std::string> strings(const std::string& path) const {
    const hid_t ds = H5Dopen2(id_, path.c_str(), H5P_DEFAULT);
    if (ds < 0) throw TraceReadError(path_ + ": " + path + ": cannot open the dataset");
    const hid_t type = H5Dget_type(ds);
    const bool fixed = H5Tget_class(type) == H5T_STRING && !H5Tis_variable_str(type);
    const std::size_t width = H5Tget_size(type);
    const hid_t space = H5Dget_space(ds);
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    H5Sclose(space);
    std::vector<std::string> out;
    herr_t rc = -1;
    if (fixed && n >= 0) {
      std::vector<char> buffer(static_cast<std::size_t>(n) * width + 1, '\0');
      rc = n ? H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) : 0;
      for (hssize_t i = 0; i < n; ++i) {
        std::string s(buffer.data() + static_cast<std::size_t>(i) * width, width);
        s.erase(s.find_last_not_of('\0') + 1);
        out.push_back(s);
      }
    }
    H5Tclose(type);
    H5Dclose(ds);
    if (rc < 0) throw TraceReadError(path_ + ": " + path + ": expected a fixed-length string column");
    return out;
  }

  std::optional<double> attribute_f64(const char* name) const {
    if (H5Aexists(id_, name) <= 0) return std::nullopt;
    const hid_t a = H5Aopen(id_, name, H5P_DEFAULT);
    double v = 0;
    const herr_t rc = H5Aread(a, H5T_NATIVE_DOUBLE, &v);
    H5Aclose(a);
    if (rc < 0) throw TraceReadError(path_ + ": attribute " + name + ": expected a float64");
    return v;
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  hid_t id_ = -1;
};

/// One table's columns, each checked to exist and to have the table's length.
class Table {
 public:
  Table(const File& f, std::string group) : f_(f), group_(std::move(group)) {}
  bool present() const { return f_.exists(group_); }
  bool has(const std::string& column) const { return f_.exists(group_ + "/" + column); }
  std::vector<double> f64(const std::string& c) { return check(f_.f64(need(c)), c); }
  std::vector<std::uint64_t> u64(const std::string& c) { return check(f_.u64(need(c)), c); }
  /// An optional integer column: `fallback` for every row when absent.
  std::vector<std::uint64_t> u64_or(const std::string& c, std::uint64_t fallback, std::size_t rows) {
    return has(c) ? u64(c) : std::vector<std::uint64_t>(rows, fallback);
  }
  std::vector<double> f64_or(const std::string& c, double fallback, std::size_t rows) {
    return has(c) ? f64(c) : std::vector<double>(rows, fallback);
  }
  std::size_t rows() const { return rows_.value_or(0); }

 private:
  std::string need(const std::string& c) const {
    const std::string p = group_ + "/" + c;
    if (!f_.exists(p))
      throw TraceReadError(f_.path() + ": " + group_ + ": expected a column \"" + c + "\", found none");
    return p;
  }
  template <typename V>
  V check(V v, const std::string& c) {
    if (rows_ && *rows_ != v.size())
      throw TraceReadError(f_.path() + ": " + group_ + "/" + c + ": " + std::to_string(v.size()) +
                           " rows, expected " + std::to_string(*rows_) + " like the table's other columns");
    rows_ = v.size();
    return v;
  }
  const File& f_;
  std::string group_;
  std::optional<std::size_t> rows_;
};

std::uint32_t u32(std::uint64_t v) {
  return static_cast<std::uint32_t>(v);
}

}  // namespace

ReconciliationInput read_reconciliation_input(const std::string& path, std::optional<double> quiet_from_s) {
  QuietHdf5 quiet;
  const File f(path);
  if (!f.attribute_f64("twinbed_trace_format"))
    throw TraceReadError(path +
                         ": expected a twinbed trace (root attribute twinbed_trace_format), found none");
  ReconciliationInput in;
  in.duration_s = f.attribute_f64("duration_s").value_or(0);
  in.quiet_from_s = quiet_from_s ? quiet_from_s : f.attribute_f64(kQuietFromAttribute);
  in.drain_overhead = f.attribute_f64(kDrainOverheadAttribute).value_or(kDefaultDrainOverhead);
  in.live_latency_slo_s = f.attribute_f64(kLiveLatencySloAttribute);
  if (f.exists("/registry/devices/id")) in.devices = f.strings("/registry/devices/id");
  if (f.exists("/registry/sensors/device")) {
    const auto dev = f.strings("/registry/sensors/device"), sen = f.strings("/registry/sensors/sensor");
    for (std::size_t i = 0; i < dev.size() && i < sen.size(); ++i)
      in.sensors.push_back(dev[i] + "/" + sen[i]);
    if (f.exists("/registry/sensors/asset"))
      for (const std::string& a : f.strings("/registry/sensors/asset"))
        if (std::find(in.assets.begin(), in.assets.end(), a) == in.assets.end()) in.assets.push_back(a);
  }
  if (f.exists("/truth/faults/fault_id")) {
    const auto id = f.strings("/truth/faults/fault_id"), kind = f.strings("/truth/faults/kind"),
               target = f.strings("/truth/faults/target"), params = f.strings("/truth/faults/params");
    const auto start = f.f64("/truth/faults/start_s"), end = f.f64("/truth/faults/end_s");
    for (std::size_t i = 0; i < id.size(); ++i) {
      if (kind.size() != id.size() || target.size() != id.size() || start.size() != id.size() ||
          end.size() != id.size() || params.size() != id.size())
        throw TraceReadError(path + ": /truth/faults: its columns differ in length");
      in.faults.push_back({id[i], kind[i], target[i], start[i], end[i], params[i]});
    }
  }

  if (Table t(f, "/truth/samples"); t.present()) {
    const auto device = t.u64("device"), sensor = t.u64("sensor"), seq = t.u64("seq");
    const auto tt = t.f64("true_time_s"), tv = t.f64("true_value"), dt = t.f64("device_time_s"),
               v = t.f64("value");
    const auto boot = t.u64_or("boot", 1, t.rows());
    auto& out = in.samples.emplace();
    out.reserve(t.rows());
    for (std::size_t i = 0; i < t.rows(); ++i)
      out.push_back({u32(device[i]), u32(sensor[i]), u32(boot[i]), seq[i], tt[i], tv[i], dt[i], v[i]});
  }
  if (Table t(f, "/readings/lost"); t.present()) {
    const auto device = t.u64("device"), sensor = t.u64("sensor"), seq = t.u64("seq"), cause = t.u64("cause");
    const auto tt = t.f64("true_time_s");
    const auto boot = t.u64_or("boot", 1, t.rows());
    auto& out = in.lost.emplace();
    for (std::size_t i = 0; i < t.rows(); ++i)
      out.push_back(
          {u32(device[i]), u32(sensor[i]), u32(boot[i]), seq[i], tt[i], static_cast<std::uint8_t>(cause[i])});
  }
  if (Table t(f, "/readings/received"); t.present()) {
    const auto device = t.u64("device"), sensor = t.u64("sensor"), seq = t.u64("seq"),
               dup = t.u64("duplicate");
    const auto dt = t.f64("device_time_s"), v = t.f64("value"), it = t.f64("ingest_time_s");
    const auto boot = t.u64_or("boot", 1, t.rows());
    auto& out = in.received.emplace();
    out.reserve(t.rows());
    for (std::size_t i = 0; i < t.rows(); ++i)
      out.push_back({u32(device[i]), u32(sensor[i]), u32(boot[i]), seq[i], dt[i], v[i], it[i], dup[i] != 0});
  }
  if (Table t(f, "/truth/events"); t.present()) {
    const auto device = t.u64("device"), seq = t.u64("seq"), kind = t.u64("kind");
    const auto boot = t.u64_or("boot", 1, t.rows());
    const auto tt = t.f64("true_time_s"), dt = t.f64("device_time_s"), v = t.f64("value");
    const auto cid = t.u64_or("command_id", 0, t.rows()), hlc = t.u64_or("hlc", 0, t.rows()),
               cause = t.u64_or("cause_hlc", 0, t.rows()), fate = t.u64_or("fate", 0, t.rows());
    const auto ingest = t.f64_or("ingest_time_s", kNever, t.rows());
    auto& out = in.events.emplace();
    for (std::size_t i = 0; i < t.rows(); ++i)
      out.push_back({u32(device[i]), u32(boot[i]), seq[i], static_cast<std::uint8_t>(kind[i]), tt[i], dt[i],
                     v[i], cid[i], hlc[i], cause[i], ingest[i], static_cast<std::uint8_t>(fate[i])});
  }
  if (Table t(f, "/cloud/commands"); t.present()) {
    const auto id = t.u64("command_id"), device = t.u64("device"), kind = t.u64("kind");
    const auto v = t.f64("value"), issue = t.f64("issue_time_s"),
               applied = t.f64_or("applied_time_s", kNever, t.rows());
    const auto hlc = t.u64_or("hlc", 0, t.rows());
    auto& out = in.commands.emplace();
    for (std::size_t i = 0; i < t.rows(); ++i)
      out.push_back(
          {id[i], u32(device[i]), static_cast<std::uint8_t>(kind[i]), v[i], hlc[i], issue[i], applied[i]});
  }
  if (Table t(f, "/topology/devices"); t.present()) {
    const auto device = t.u64("device"), batch = t.u64("max_batch_records"), inflight = t.u64("max_inflight"),
               capacity = t.u64("buffer_capacity_records");
    const auto uplink = t.f64("uplink_bytes_per_s"), backhaul = t.f64("backhaul_bytes_per_s"),
               latency = t.f64("latency_s"), record = t.f64("record_bytes"),
               overhead = t.f64("message_overhead_bytes"), drain = t.f64("drain_records_per_s"),
               reconnect = t.f64("reconnect_interval_s"), ack = t.f64("ack_timeout_s");
    const auto gateway = f.strings("/topology/devices/gateway"),
               protocol = f.strings("/topology/devices/protocol");
    if (gateway.size() != t.rows() || protocol.size() != t.rows())
      throw TraceReadError(path + ": /topology/devices: its string columns (gateway, protocol) have " +
                           std::to_string(gateway.size()) + " and " + std::to_string(protocol.size()) +
                           " rows, expected " + std::to_string(t.rows()) + " like the table's other columns");
    auto& out = in.topology.emplace();
    for (std::size_t i = 0; i < t.rows(); ++i)
      out.push_back({u32(device[i]), gateway[i], protocol[i], uplink[i], backhaul[i], latency[i], record[i],
                     overhead[i], batch[i], inflight[i], drain[i], reconnect[i], ack[i], capacity[i]});
  }

  in.cloud_log = f.exists("/cloud/view");
  if (Table t(f, "/cloud/view"); t.present()) {
    const auto ct = t.f64("cloud_time_s"), value = t.f64("value"), et = t.f64("event_time_s"),
               u = t.f64("uncertainty_s");
    const auto kind = t.u64("kind"), device = t.u64("device"), boot = t.u64("boot"), seq = t.u64("seq"),
               sensor = t.u64("sensor"), count = t.u64("count"), repair = t.u64("repair");
    in.view.reserve(t.rows());
    for (std::size_t i = 0; i < t.rows(); ++i) {
      pipeline::ViewChange c;
      c.kind = static_cast<pipeline::ViewChange::Kind>(kind[i]);
      c.device = u32(device[i]), c.boot = u32(boot[i]), c.seq = seq[i], c.sensor = u32(sensor[i]);
      c.value = value[i], c.count = u32(count[i]), c.event_time_s = et[i], c.uncertainty_s = u[i];
      c.repair = static_cast<pipeline::TimeRepair>(repair[i]);
      in.view.push_back({ct[i], c});
    }
  }
  if (Table t(f, "/cloud/gaps"); t.present()) {
    const auto ct = t.f64("cloud_time_s");
    const auto device = t.u64("device"), boot = t.u64("boot"), from = t.u64("seq_from"), to = t.u64("seq_to"),
               cause = t.u64("cause");
    for (std::size_t i = 0; i < t.rows(); ++i)
      in.gaps.push_back({ct[i], pipeline::GapMark{u32(device[i]), u32(boot[i]), from[i], to[i],
                                                  static_cast<pipeline::GapCause>(cause[i])}});
  }
  if (Table t(f, "/cloud/windows"); t.present()) {
    const auto ct = t.f64("cloud_time_s"), start = t.f64("start_s"), end = t.f64("end_s"),
               mean = t.f64("mean"), lo = t.f64("min"), hi = t.f64("max");
    const auto sensor = t.u64("sensor"), rev = t.u64("revision"), count = t.u64("count"),
               fin = t.u64("final");
    for (std::size_t i = 0; i < t.rows(); ++i) {
      pipeline::WindowResult w;
      w.sensor = u32(sensor[i]), w.start_s = start[i], w.end_s = end[i], w.revision = u32(rev[i]);
      w.count = count[i], w.mean = mean[i], w.min = lo[i], w.max = hi[i], w.final_ = fin[i] != 0;
      in.windows.push_back({ct[i], w});
    }
  }
  if (Table t(f, "/cloud/state"); t.present()) {
    const auto ct = t.f64("cloud_time_s"), value = t.f64("value");
    const auto device = t.u64("device"), key = t.u64("key"), sensor = t.u64("sensor"), hlc = t.u64("hlc"),
               writer = t.u64("writer"), rule = t.u64("rule");
    for (std::size_t i = 0; i < t.rows(); ++i) {
      pipeline::StateWrite s;
      s.device = u32(device[i]), s.key = static_cast<pipeline::StateKey>(key[i]), s.sensor = u32(sensor[i]);
      s.value = value[i], s.hlc = hlc[i], s.writer = u32(writer[i]),
      s.rule = static_cast<pipeline::MergeRule>(rule[i]);
      in.state.push_back({ct[i], s});
    }
  }
  return in;
}

}  // namespace twinbed::analysis
