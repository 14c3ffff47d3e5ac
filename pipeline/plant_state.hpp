// PlantState: the digital twin's view of the plant as registers, one per
// (device, key, sensor), each a join-semilattice (docs/reconciliation.md,
// "Conflict rules").
//
// Guarantees:
// - Writes are totally ordered by a rank that encodes the conflict rule:
//   (effective stamp, stamp, writer, value). The effective stamp of an edge
//   write to `running` (interlock trip, asset restart, command applied) is
//   its HLC stamp plus the concurrency window, so an edge safety interlock
//   trip beats a cloud start command within that window of it (concurrent:
//   the cloud could not have known of the trip); otherwise the larger HLC
//   stamp wins, and equal stamps go to the larger writer id.
// - A register keeps the two highest-ranked distinct writes it has seen
//   (the winner, and the runner-up that says why it won). merge() is the
//   join: commutative, associative, idempotent. So the state after any
//   delivery order, with any duplication, is the same.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <tuple>

#include "pipeline/cloud_log.hpp"

namespace twinbed::pipeline {

/// Where a write came from (which decides its rank).
enum class WriteOrigin : std::uint8_t {
  kCloudCommand = 0,   ///< a command issued by the cloud (kStop / kStart / kSetpoint)
  kEdgeInterlock = 1,  ///< the edge safety interlock tripped
  kEdgeEvent = 2,      ///< another device event (restart, command applied, HMI setpoint)
};

struct RegisterWrite {
  double value = 0;
  std::uint64_t hlc = 0;
  std::uint32_t writer = kCloudWriter;
  WriteOrigin origin = WriteOrigin::kCloudCommand;
  bool operator==(const RegisterWrite&) const = default;
};

/// One register: the join-semilattice of its writes.
class StateRegister {
 public:
  StateRegister() = default;
  /// `edge_boost_hlc`: the concurrency window in packed HLC units, added to
  /// edge writes' rank (0 for registers where the edge has no priority).
  explicit StateRegister(std::uint64_t edge_boost_hlc) : boost_(edge_boost_hlc) {}

  /// Join with one write. True when the winner or its rule changed.
  bool write(const RegisterWrite& w);
  /// Join with another register of the same key (same boost).
  bool merge(const StateRegister& other);

  bool empty() const { return !top_[0]; }
  const RegisterWrite& winner() const { return *top_[0]; }
  const std::optional<RegisterWrite>& runner_up() const { return top_[1]; }
  /// Why the winner won over the runner-up (kOnlyWriter: no concurrent rival).
  MergeRule rule() const;
  bool operator==(const StateRegister& o) const { return boost_ == o.boost_ && top_ == o.top_; }

  /// The rank of a write in this register: larger wins.
  std::tuple<std::uint64_t, std::uint64_t, std::uint32_t, std::uint8_t, std::uint64_t> rank(
      const RegisterWrite& w) const;

 private:
  std::uint64_t boost_ = 0;
  std::array<std::optional<RegisterWrite>, 2> top_;
};

/// All registers. Keys: (device, key, sensor).
class PlantState {
 public:
  PlantState() = default;
  explicit PlantState(double concurrency_window_s);
  /// Applies a write; appends the register's new value to `out` when it changed.
  void write(std::uint32_t device, StateKey key, std::uint32_t sensor, const RegisterWrite& w,
             std::vector<StateWrite>& out);
  const std::map<std::tuple<std::uint32_t, StateKey, std::uint32_t>, StateRegister>& registers() const {
    return registers_;
  }

 private:
  std::uint64_t boost_ = 0;
  std::map<std::tuple<std::uint32_t, StateKey, std::uint32_t>, StateRegister> registers_;
};

}  // namespace twinbed::pipeline
