// HeldEvent: a device event (pipeline::DeviceEvent) as the firmware holds it,
// with its ground truth beside it.
//
// Guarantees: `event` is exactly what goes on the wire; `truth` travels with
// it for scoring and is never handed to the pipeline. An event takes a
// sequence number from the same counter as the device's readings (a reading
// and an event never share one within a boot epoch); `truth.serial` counts
// the device's events, never reset (ground truth's id for an event).
#pragma once

#include <cstdint>

#include "pipeline/record.hpp"

namespace twinbed::devices {

struct EventTruth {
  double true_time_s = 0;    ///< when it physically happened
  std::uint64_t serial = 0;  ///< the device's count of events, never reset
  bool persisted = false;    ///< journaled in flash when it was recorded (survives a reboot)
};

struct HeldEvent {
  pipeline::DeviceEvent event;
  EventTruth truth;
};

/// Bytes on the wire of one event: kind u8, seq u64, timestamp f64, value
/// f64, command id u64, cause stamp u64.
inline constexpr std::uint64_t kEventWireBytes = 41;
/// Time metadata (firmware `time_metadata`), per record or event: HLC stamp
/// u64, declared uncertainty f32, uptime u32 in ms.
inline constexpr std::uint64_t kTimeMetadataWireBytes = 16;
/// One gap notice in a message header (firmware `gap_notices`): boot u32,
/// seq_from u64, seq_to u64, cause u8 (the device is the publisher's).
inline constexpr std::uint64_t kGapNoticeWireBytes = 21;

}  // namespace twinbed::devices
