#include "pipeline/plant_state.hpp"

#include <bit>

namespace twinbed::pipeline {

bool outranks(const RegisterWrite& a, const RegisterWrite& b) {
  const auto key = [](const RegisterWrite& w) {
    return std::make_tuple(w.hlc, w.writer, static_cast<std::uint8_t>(w.origin),
                           std::bit_cast<std::uint64_t>(w.value), w.boot, w.seq);
  };
  const auto ka = key(a), kb = key(b);
  if (ka != kb) return ka > kb;
  return a.context > b.context;
}

bool StateRegister::vetoed() const {
  return interlock_rule_ && edge_ && command_ && edge_->origin == WriteOrigin::kEdgeInterlock &&
         !context_includes(command_->context, edge_->boot, edge_->seq);
}

const RegisterWrite& StateRegister::winner() const {
  if (!command_) return *edge_;
  if (!edge_) return *command_;
  if (vetoed()) return *edge_;
  return outranks(*edge_, *command_) ? *edge_ : *command_;
}

MergeRule StateRegister::rule() const {
  if (!edge_ || !command_) return MergeRule::kOnlyWriter;
  // The trip beat a command that outranks it by HLC.
  if (vetoed() && outranks(*command_, *edge_)) return MergeRule::kInterlockWins;
  if (edge_->hlc == command_->hlc) return MergeRule::kTieBySourceId;
  const bool command_wins = &winner() == &*command_;
  // A command that knew of the edge write overrides it deliberately: causally after, no concurrent rival.
  if (command_wins && context_includes(command_->context, edge_->boot, edge_->seq))
    return MergeRule::kOnlyWriter;
  return MergeRule::kLastWriterWins;
}

bool StateRegister::write(const RegisterWrite& w) {
  std::optional<RegisterWrite>& slot = w.edge() ? edge_ : command_;
  if (slot && (*slot == w || !outranks(w, *slot))) return false;  // dominated: changes nothing
  const bool had = !empty();
  const RegisterWrite before = had ? winner() : RegisterWrite{};
  const MergeRule rule_before = rule();
  slot = w;
  return !had || !(winner() == before) || rule() != rule_before;
}

bool StateRegister::merge(const StateRegister& other) {
  bool changed = false;
  for (const auto* w : {&other.edge_, &other.command_})
    if (*w) changed |= write(**w);
  return changed;
}

void PlantState::write(std::uint32_t device, StateKey key, std::uint32_t sensor, const RegisterWrite& w,
                       std::vector<StateWrite>& out) {
  auto [it, fresh] =
      registers_.try_emplace({device, key, sensor}, interlock_rule_ && key == StateKey::kRunning);
  (void)fresh;
  StateRegister& reg = it->second;
  if (!reg.write(w)) return;
  const RegisterWrite& win = reg.winner();
  out.push_back(StateWrite{device, key, sensor, win.value, win.hlc, win.writer, reg.rule()});
}

}  // namespace twinbed::pipeline
