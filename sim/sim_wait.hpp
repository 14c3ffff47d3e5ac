// Waiting in simulated time at the lowest cost SimGrid 3.32 offers.
//
// s4u's sleep_for() and Comm::wait() each create a CPU "sleep" action, a
// variable in the CPU model's max-min system, so that a host failure can
// interrupt them (src/kernel/activity/ActivityImpl.cpp, wait_for). twinbed
// never turns hosts off, and at one sleep and one transfer per publish those
// two extra variables were a third of the 10,000-device benchmark's time.
// Activity::wait_any_for() instead arms a kernel timer (a heap entry) for its
// timeout and no timer at all when there is none.
//
// Guarantees: the same simulated times as sleep_until()/sendto() (the timer
// fires at get_clock() + (t_s - get_clock()), as sleep_for would), and the
// same determinism. Not for hosts that can be switched off.
#pragma once

#include <cstdint>
#include <simgrid/s4u.hpp>
#include <vector>

namespace twinbed::sim {

/// Blocks the calling actor until simulated time t_s (no-op if it has passed).
inline void wait_until(double t_s) {
  const double now_s = simgrid::s4u::Engine::get_clock();
  if (t_s <= now_s) return;
  static const std::vector<simgrid::s4u::ActivityPtr> kNothing;
  simgrid::s4u::Activity::wait_any_for(kNothing, t_s - now_s);
}

/// Blocks the calling actor for duration_s of simulated time.
inline void wait_for(double duration_s) {
  wait_until(simgrid::s4u::Engine::get_clock() + duration_s);
}

/// Moves `bytes` from `from` to `to` over the platform's route and returns when
/// the last byte has arrived (what Comm::sendto does, without its sleep action).
/// Precondition: bytes > 0 (a zero-byte transfer waited on this way was seen
/// never to complete in SimGrid 3.32; callers skip empty forwards).
inline void transfer(simgrid::s4u::Host* from, simgrid::s4u::Host* to, std::uint64_t bytes) {
  std::vector<simgrid::s4u::ActivityPtr> comm{simgrid::s4u::Comm::sendto_async(from, to, bytes)};
  simgrid::s4u::Activity::wait_any_for(comm, -1);
}

}  // namespace twinbed::sim
