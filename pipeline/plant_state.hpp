// PlantState: the digital twin's view of the plant as registers, one per
// (device, key, sensor), each a join-semilattice (docs/reconciliation.md,
// "Plant state and conflict rules").
//
// Guarantees:
// - A register's value is a function of the *set* of writes it has seen:
//   E = its highest-ranked edge write, C = its highest-ranked cloud command
//   (rank: HLC stamp, then writer, origin, value, identity, context). In a
//   register with the interlock rule (`running`), when E is an interlock
//   trip and C's causal context does not include it (the cloud had not
//   received the trip when it issued C), E wins however much later C is by
//   HLC; otherwise the larger of E and C by rank (last writer by HLC, ties
//   by writer id: the cloud's is the largest).
// - A register keeps only E and C: every other write is dominated (a lower
//   edge write or a lower command changes neither E nor C), so the kept
//   pair is the image of the set of writes under a map that turns union
//   into a per-component maximum. merge() is that maximum: commutative,
//   associative, idempotent; the state after any delivery order, with any
//   duplication, is the same, and so is the value.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include "pipeline/cloud_log.hpp"

namespace twinbed::pipeline {

/// Where a write came from.
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
  std::uint32_t boot = 0;  ///< an edge write: its event's (boot, seq) in the device's stream
  std::uint64_t seq = 0;
  CausalContext context;  ///< a cloud command: what the cloud had received from the device
  bool edge() const { return origin != WriteOrigin::kCloudCommand; }
  bool operator==(const RegisterWrite&) const = default;
};

/// The total order of writes within one kind (edge, command): larger wins.
bool outranks(const RegisterWrite& a, const RegisterWrite& b);

/// One register: the join-semilattice of its writes.
class StateRegister {
 public:
  StateRegister() = default;
  /// `interlock_rule`: an interlock trip beats a command that did not know of
  /// it (the `running` register); false: last writer by HLC only.
  explicit StateRegister(bool interlock_rule) : interlock_rule_(interlock_rule) {}

  /// Join with one write. True when the winner or its rule changed.
  bool write(const RegisterWrite& w);
  /// Join with another register of the same key (same rule).
  bool merge(const StateRegister& other);

  bool empty() const { return !edge_ && !command_; }
  const RegisterWrite& winner() const;
  /// The highest-ranked edge write and cloud command seen (the kept state).
  const std::optional<RegisterWrite>& edge() const { return edge_; }
  const std::optional<RegisterWrite>& command() const { return command_; }
  /// Why the winner won over the other kept write (kOnlyWriter: no rival, or
  /// a command that knew of the edge write it overrides).
  MergeRule rule() const;
  bool operator==(const StateRegister& o) const = default;

 private:
  /// The interlock rule decides: E is a trip that C did not know of.
  bool vetoed() const;
  bool interlock_rule_ = true;
  std::optional<RegisterWrite> edge_, command_;
};

/// All registers. Keys: (device, key, sensor).
class PlantState {
 public:
  PlantState() = default;
  /// `interlock_rule` false: every register is last writer by HLC (a
  /// deliberately wrong variant, for the checker's negative control).
  explicit PlantState(bool interlock_rule) : interlock_rule_(interlock_rule) {}
  /// Applies a write; appends the register's new value to `out` when it changed.
  void write(std::uint32_t device, StateKey key, std::uint32_t sensor, const RegisterWrite& w,
             std::vector<StateWrite>& out);
  const std::map<std::tuple<std::uint32_t, StateKey, std::uint32_t>, StateRegister>& registers() const {
    return registers_;
  }

 private:
  bool interlock_rule_ = true;
  std::map<std::tuple<std::uint32_t, StateKey, std::uint32_t>, StateRegister> registers_;
};

}  // namespace twinbed::pipeline
