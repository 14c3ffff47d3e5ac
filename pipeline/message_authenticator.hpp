// MessageAuthenticator: the ingestion stage that decides, per message,
// whether the endpoint's verification (MessageInfo: authenticated device,
// payload MAC, message counter) lets it in (docs/pipeline.md, "Message
// authentication").
//
// Guarantees, for a message that passes with mode kSigned: its named sender
// holds the credential the message carries, its payload MAC checked valid
// with that sender's key, and its counter was never accepted before for that
// sender and is within `replay_window_messages` of the highest accepted (an
// RFC 4303-style sliding window: reordering within the window is allowed,
// each counter passes once). With mode kIdentity only the first holds (a
// TLS client certificate: the payload is not protected end to end). A stolen
// key defeats both: a forgery signed with the right key passes (it can only
// be caught by other means). Records naming another device than the
// authenticated one are dropped one by one.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "pipeline/cloud_pipeline.hpp"

namespace twinbed::pipeline {

/// kOff: accept everything (the naive pipeline). kIdentity: the message must
/// carry its named sender's credential. kSigned: and a valid MAC and a fresh counter.
enum class AuthMode : std::uint8_t { kOff = 0, kIdentity = 1, kSigned = 2 };

struct AuthOptions {
  AuthMode mode = AuthMode::kOff;
  std::uint64_t replay_window_messages = 64;  ///< counters this far below the highest may still pass once
};

/// Why a message was refused (one reason: the first check it fails, in this order).
enum class AuthVerdict : std::uint8_t {
  kOk = 0,
  kUnauthenticated = 1,   ///< no credential at all
  kIdentityMismatch = 2,  ///< the credential is another device's
  kUnsigned = 3,          ///< kSigned: the payload carries no MAC
  kIntegrity = 4,         ///< the MAC does not verify: the payload was altered (or forged)
  kNoCounter = 5,         ///< kSigned: no message counter
  kReplay = 6,            ///< the counter was accepted before, or is below the window
};
inline constexpr int kAuthVerdicts = 7;
const char* auth_verdict_name(AuthVerdict v);

class MessageAuthenticator {
 public:
  MessageAuthenticator() = default;
  explicit MessageAuthenticator(AuthOptions options) : options_(options) {}
  bool enabled() const { return options_.mode != AuthMode::kOff; }
  const AuthOptions& options() const { return options_; }

  /// Judges one message; a message that passes has its counter marked seen.
  AuthVerdict check(const MessageInfo& message);

 private:
  struct Window {
    std::uint64_t highest = 0;        ///< the highest counter accepted (0: none yet)
    std::vector<std::uint64_t> seen;  ///< bit k: counter highest − k accepted (k < window)
  };
  bool fresh(Window& w, std::uint64_t counter);
  AuthOptions options_;
  std::vector<Window> windows_;  ///< by device registry index
};

}  // namespace twinbed::pipeline
