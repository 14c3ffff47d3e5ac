#include "devices/edge_firmware.hpp"

#include <algorithm>
#include <cmath>

namespace twinbed::devices {

EdgeFirmware::EdgeFirmware(FirmwareOptions options, std::vector<SensorChannel> sensors)
    : options_(options),
      sensors_(std::move(sensors)),
      buffer_(options.buffer_capacity_records, options.overflow) {}

namespace {
// Scratch space for sample_until, shared by every device on the thread: no
// allocation on the hot path, and memory that does not grow with the number
// of devices times the longest sampling gap (a per-device scratch held 2.6 GB
// for 10,000 devices publishing hourly). sample_until never yields, so one
// set per thread is enough.
struct SampleScratch {
  std::vector<Reading> readings;
  Eigen::ArrayXd times, values;
};
SampleScratch& scratch() {
  static thread_local SampleScratch s;
  return s;
}
}  // namespace

void EdgeFirmware::sample_until(double t_s) {
  SampleScratch& sc = scratch();
  std::vector<Reading>& readings = sc.readings;
  Eigen::ArrayXd& times = sc.times;
  Eigen::ArrayXd& values = sc.values;
  readings.clear();
  for (SensorChannel& ch : sensors_) {
    // Sample k is due at k / rate; take every k with k / rate <= t_s.
    const auto last_k = static_cast<std::uint64_t>(std::floor(t_s * ch.params.rate_hz + 1e-9));
    if (last_k < ch.next_k) continue;
    const auto n = static_cast<Eigen::Index>(last_k - ch.next_k + 1);
    const double period_s = 1.0 / ch.params.rate_hz;
    times.resize(n);
    for (Eigen::Index i = 0; i < n; ++i)
      times(i) = static_cast<double>(ch.next_k + static_cast<std::uint64_t>(i)) / ch.params.rate_hz;
    ch.asset->evaluate(ch.signal, times, values);
    for (Eigen::Index i = 0; i < n; ++i) {
      const Measurement m = ch.measure(times(i), values(i), period_s);
      if (m.missing) {  // the sensor produced nothing: no reading, no sequence number
        ++missing_;
        continue;
      }
      Reading r;
      r.truth.true_time_s = times(i);
      r.truth.true_value = values(i);
      r.truth.fault_mask = m.fault_mask;
      r.record.value = m.value;
      r.record.sensor = ch.sensor_index;
      readings.push_back(r);
    }
    ch.next_k = last_k + 1;
  }
  if (readings.empty()) return;
  // Sequence numbers follow physical time across sensors, as a sampling loop would.
  if (sensors_.size() > 1)
    std::stable_sort(readings.begin(), readings.end(), [](const Reading& a, const Reading& b) {
      return a.truth.true_time_s < b.truth.true_time_s;
    });
  for (Reading& r : readings) {
    r.record.device = options_.device_index;
    r.record.boot = options_.boot;
    r.record.seq = next_seq_++;
    r.truth.serial = serial_++;
    r.record.device_time_s = options_.device_clock ? options_.device_clock->stamp(r.truth.true_time_s)
                                                   : options_.clock.stamp(r.truth.true_time_s);
    ++generated_;
    if (on_generated_) on_generated_(r);
    if (auto lost = buffer_.push(r); lost && on_loss_) on_loss_(*lost, LossCause::kBufferOverflow);
  }
  if (!buffer_.thinned().empty()) {  // downsampling: what the buffer thinned, once per batch
    if (on_loss_)
      for (const Reading& t : buffer_.thinned()) on_loss_(t, LossCause::kBufferOverflow);
    buffer_.thinned().clear();
  }
}

void EdgeFirmware::skip_before(double t_s) {
  for (SensorChannel& ch : sensors_) {
    // Samples k with k / rate < t_s are not taken.
    const double k_end = std::ceil(t_s * ch.params.rate_hz - 1e-9);  // first k at or after t_s
    const auto first_kept = static_cast<std::uint64_t>(std::max(1.0, k_end));
    if (first_kept > ch.next_k) {
      missing_down_ += first_kept - ch.next_k;
      ch.next_k = first_kept;
    }
  }
}

void EdgeFirmware::reboot(const RebootSemantics& semantics) {
  std::vector<pipeline::Record> records;
  std::vector<ReadingTruth> truth;
  buffer_.take_into(buffer_.size(), records, truth);
  if (on_loss_) {
    for (std::size_t i = 0; i < records.size(); ++i)
      on_loss_(Reading{records[i], truth[i]}, LossCause::kReboot);
    if (inflight_)
      for (std::size_t i = 0; i < inflight_->records.size(); ++i)
        on_loss_(Reading{inflight_->records[i], inflight_->truth[i]}, LossCause::kRebootInflight);
  }
  inflight_.reset();
  inflight_attempts_ = 0;
  options_.boot = semantics.persist_boot_epoch ? options_.boot + 1 : 1;
  if (!semantics.persist_sequence) next_seq_ = 0;
}

BatchPtr EdgeFirmware::next_publish() {
  if (inflight_) return inflight_;
  if (buffer_.empty()) return nullptr;
  auto batch = std::make_shared<Batch>();
  batch->message_id = next_message_id_++;
  batch->device = options_.device_index;
  buffer_.take_into(options_.max_batch_records, batch->records, batch->truth);
  inflight_ = std::move(batch);
  inflight_attempts_ = 0;
  return inflight_;
}

void EdgeFirmware::acknowledged() {
  inflight_.reset();
  inflight_attempts_ = 0;
}

void EdgeFirmware::drop_inflight(LossCause cause) {
  if (!inflight_) return;
  if (on_loss_)
    for (std::size_t i = 0; i < inflight_->records.size(); ++i)
      on_loss_(Reading{inflight_->records[i], inflight_->truth[i]}, cause);
  inflight_.reset();
  inflight_attempts_ = 0;
}

bool EdgeFirmware::attempt_failed() {
  ++inflight_attempts_;
  if (options_.max_attempts == 0 || inflight_attempts_ < options_.max_attempts) return false;
  if (on_loss_)
    for (std::size_t i = 0; i < inflight_->records.size(); ++i)
      on_loss_(Reading{inflight_->records[i], inflight_->truth[i]}, LossCause::kRetriesExhausted);
  inflight_.reset();
  inflight_attempts_ = 0;
  return true;
}

}  // namespace twinbed::devices
