// Reading: one sample as the firmware holds it, with its ground truth beside it.
//
// `record` is exactly what goes on the wire and what the pipeline will see.
// `truth` travels with it through the simulator for scoring and is never
// handed to the pipeline.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "devices/device_event.hpp"
#include "pipeline/record.hpp"

namespace twinbed::devices {

struct ReadingTruth {
  double true_time_s = 0;        ///< when the sample was physically taken
  double true_value = 0;         ///< the physical quantity at that time, before noise and faults
  std::uint32_t fault_mask = 0;  ///< faults::FaultBit flags that touched this value
  bool alarm = false;            ///< the firmware queued it as an alarm (ahead of its buffer)
  std::uint8_t forged = 0;   ///< analysis::Forged: 0 genuine; an attacker's (set at the ingestion endpoint)
  std::uint64_t serial = 0;  ///< the device's count of readings, never reset: ground truth's id
};

struct Reading {
  pipeline::Record record;
  ReadingTruth truth;
};

/// Bytes on the wire: a publish header plus a fixed-size record encoding
/// (sensor u16, seq u64, timestamp f64, value f64, status u8).
inline constexpr std::uint64_t kPublishHeaderBytes = 64;
inline constexpr std::uint64_t kRecordWireBytes = 27;
/// An aggregate record carries its count (u16) as well.
inline constexpr std::uint64_t kAggregateCountBytes = 2;

/// One MQTT PUBLISH: a batch of records (and device events) from one
/// device. Immutable once formed; a retry resends the same batch (same
/// message id: a DUP under QoS 1).
struct Batch {
  std::uint64_t message_id = 0;  ///< per device, increasing
  std::uint32_t device = 0;
  std::vector<pipeline::Record> records;
  std::vector<ReadingTruth> truth;  ///< parallel to records
  std::uint32_t aggregates = 0;     ///< records with count > 1
  /// Message authentication (scenario `security`): the per-device message
  /// counter the MAC covers (0: none), and the bytes the MAC and counter add.
  std::uint32_t auth_bytes = 0;
  std::uint64_t message_counter = 0;
  bool time_metadata = false;                 ///< records and events carry HLC, uncertainty and uptime
  std::vector<pipeline::DeviceEvent> events;  ///< events the device reports (usually none)
  std::vector<EventTruth> event_truth;        ///< parallel to events
  /// Gap notices in the header: ranges the device's policy dropped (firmware `gap_notices`).
  std::vector<pipeline::GapNotice> gaps;
  std::uint64_t wire_bytes() const {
    return kPublishHeaderBytes + kRecordWireBytes * records.size() + kAggregateCountBytes * aggregates +
           auth_bytes + extra_wire_bytes();
  }
  /// What time metadata, events and gap notices add to any encoding of the records (0 without them).
  std::uint64_t extra_wire_bytes() const {
    const std::uint64_t metadata = time_metadata ? kTimeMetadataWireBytes : 0;
    return metadata * records.size() + (kEventWireBytes + metadata) * events.size() +
           kGapNoticeWireBytes * gaps.size();
  }
};
using BatchPtr = std::shared_ptr<const Batch>;

}  // namespace twinbed::devices
