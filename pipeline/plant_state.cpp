#include "pipeline/plant_state.hpp"

#include <bit>
#include <cmath>

#include "pipeline/hlc.hpp"

namespace twinbed::pipeline {

std::tuple<std::uint64_t, std::uint64_t, std::uint32_t, std::uint8_t, std::uint64_t> StateRegister::rank(
    const RegisterWrite& w) const {
  const bool edge = w.origin != WriteOrigin::kCloudCommand;
  const std::uint64_t eff = w.hlc + (edge ? boost_ : 0);
  return {eff, w.hlc, w.writer, static_cast<std::uint8_t>(w.origin), std::bit_cast<std::uint64_t>(w.value)};
}

bool StateRegister::write(const RegisterWrite& w) {
  const MergeRule rule_before = rule();
  const std::optional<RegisterWrite> winner_before = top_[0];
  if (top_[0] && *top_[0] == w) return false;
  if (top_[1] && *top_[1] == w) return false;
  if (!top_[0] || rank(w) > rank(*top_[0])) {
    top_[1] = top_[0];
    top_[0] = w;
  } else if (!top_[1] || rank(w) > rank(*top_[1])) {
    top_[1] = w;
  }
  return top_[0] != winner_before || rule() != rule_before;
}

bool StateRegister::merge(const StateRegister& other) {
  bool changed = false;
  for (const auto& w : other.top_)
    if (w) changed |= write(*w);
  return changed;
}

MergeRule StateRegister::rule() const {
  if (!top_[0] || !top_[1]) return MergeRule::kOnlyWriter;
  const RegisterWrite& w = *top_[0];
  const RegisterWrite& r = *top_[1];
  // The interlock beat a later cloud command that would have set another value (a start).
  if (w.origin == WriteOrigin::kEdgeInterlock && r.origin == WriteOrigin::kCloudCommand && r.hlc > w.hlc &&
      r.value != w.value)
    return MergeRule::kInterlockWins;
  if (w.hlc == r.hlc) return MergeRule::kTieBySourceId;
  // Concurrent: within the window (boost; or 1 ms where the edge has no priority).
  const std::uint64_t window = boost_ > 0 ? boost_ : HybridLogicalClock::pack(1, 0);
  const std::uint64_t d = w.hlc > r.hlc ? w.hlc - r.hlc : r.hlc - w.hlc;
  return d <= window ? MergeRule::kLastWriterWins : MergeRule::kOnlyWriter;
}

PlantState::PlantState(double concurrency_window_s)
    : boost_(HybridLogicalClock::pack(HybridLogicalClock::to_ms(concurrency_window_s), 0)) {}

void PlantState::write(std::uint32_t device, StateKey key, std::uint32_t sensor, const RegisterWrite& w,
                       std::vector<StateWrite>& out) {
  auto [it, fresh] = registers_.try_emplace({device, key, sensor}, key == StateKey::kRunning ? boost_ : 0);
  (void)fresh;
  StateRegister& reg = it->second;
  if (!reg.write(w)) return;
  const RegisterWrite& win = reg.winner();
  out.push_back(StateWrite{device, key, sensor, win.value, win.hlc, win.writer, reg.rule()});
}

}  // namespace twinbed::pipeline
