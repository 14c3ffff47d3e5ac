#include "devices/reading_buffer.hpp"

#include <array>
#include <bit>

namespace twinbed::devices {

namespace {
// One LIFO stack of rings per power-of-two size, up to 2^20 slots. A stack
// holds at most kKeepPerSize rings: enough for every device of a time slot to
// find a warm ring, bounded so that the pool never holds much memory.
constexpr std::size_t kSizeClasses = 21;
constexpr std::size_t kKeepPerSize = 64;

struct Pool {
  std::array<std::vector<std::vector<Reading>>, kSizeClasses> free;
};
Pool& pool() {
  static thread_local Pool p;
  return p;
}
std::size_t size_class(std::size_t slots) {
  return static_cast<std::size_t>(std::countr_zero(slots));
}
}  // namespace

std::vector<Reading> RingPool::acquire(std::size_t slots) {
  const std::size_t c = size_class(slots);
  if (c < kSizeClasses && std::has_single_bit(slots)) {
    auto& stack = pool().free[c];
    if (!stack.empty()) {
      std::vector<Reading> ring = std::move(stack.back());
      stack.pop_back();
      return ring;
    }
  }
  return std::vector<Reading>(slots);
}

void RingPool::release(std::vector<Reading>&& ring) {
  const std::size_t slots = ring.size();
  if (slots == 0 || !std::has_single_bit(slots)) return;
  const std::size_t c = size_class(slots);
  if (c >= kSizeClasses) return;
  auto& stack = pool().free[c];
  if (stack.size() < kKeepPerSize) stack.push_back(std::move(ring));
}

}  // namespace twinbed::devices
