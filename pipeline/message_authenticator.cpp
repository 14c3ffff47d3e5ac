#include "pipeline/message_authenticator.hpp"

#include <algorithm>

namespace twinbed::pipeline {

const char* auth_verdict_name(AuthVerdict v) {
  switch (v) {
    case AuthVerdict::kOk:
      return "ok";
    case AuthVerdict::kUnauthenticated:
      return "unauthenticated";
    case AuthVerdict::kIdentityMismatch:
      return "identity_mismatch";
    case AuthVerdict::kUnsigned:
      return "unsigned";
    case AuthVerdict::kIntegrity:
      return "integrity";
    case AuthVerdict::kNoCounter:
      return "no_counter";
    case AuthVerdict::kReplay:
      return "replay";
  }
  return "?";
}

AuthVerdict MessageAuthenticator::check(const MessageInfo& m) {
  if (options_.mode == AuthMode::kOff) return AuthVerdict::kOk;
  if (m.authenticated_device == kUnauthenticated) return AuthVerdict::kUnauthenticated;
  if (m.authenticated_device != m.device) return AuthVerdict::kIdentityMismatch;
  if (m.integrity == MessageIntegrity::kInvalid) return AuthVerdict::kIntegrity;
  if (options_.mode == AuthMode::kIdentity) return AuthVerdict::kOk;
  if (m.integrity != MessageIntegrity::kValid) return AuthVerdict::kUnsigned;
  if (m.message_counter == 0) return AuthVerdict::kNoCounter;
  if (m.device >= windows_.size()) windows_.resize(m.device + 1);
  return fresh(windows_[m.device], m.message_counter) ? AuthVerdict::kOk : AuthVerdict::kReplay;
}

bool MessageAuthenticator::fresh(Window& w, std::uint64_t counter) {
  const std::uint64_t size = std::max<std::uint64_t>(1, options_.replay_window_messages);
  const std::size_t words = static_cast<std::size_t>((size + 63) / 64);
  if (w.seen.size() != words) w.seen.assign(words, 0);
  auto test = [&](std::uint64_t k) { return (w.seen[k / 64] >> (k % 64)) & 1u; };
  auto set = [&](std::uint64_t k) { w.seen[k / 64] |= std::uint64_t{1} << (k % 64); };
  if (counter > w.highest) {  // slide the window up by the difference
    const std::uint64_t shift = w.highest == 0 ? size : counter - w.highest;
    if (shift >= size) {
      std::fill(w.seen.begin(), w.seen.end(), 0);
    } else {
      for (std::uint64_t k = size; k-- > shift;) {  // bit k takes bit k − shift
        if (test(k - shift))
          set(k);
        else
          w.seen[k / 64] &= ~(std::uint64_t{1} << (k % 64));
      }
      for (std::uint64_t k = 0; k < shift; ++k) w.seen[k / 64] &= ~(std::uint64_t{1} << (k % 64));
    }
    w.highest = counter;
    set(0);
    return true;
  }
  const std::uint64_t age = w.highest - counter;
  if (age >= size || test(age)) return false;
  set(age);
  return true;
}

}  // namespace twinbed::pipeline
