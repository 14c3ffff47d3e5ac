// What the ingestion endpoint verifies of a message (sim/message_auth.hpp),
// for each plant authentication and each kind of sender, and what the
// reference pipeline's stage then decides (docs/faults.md, "Adversarial faults").
#include <doctest/doctest.h>

#include "pipeline/message_authenticator.hpp"
#include "sim/message_auth.hpp"

using namespace twinbed;
using pipeline::AuthMode;
using pipeline::AuthVerdict;
using pipeline::kUnauthenticated;
using pipeline::MessageIntegrity;
using sim::Authentication;
using sim::Sender;

namespace {
constexpr std::uint32_t kTarget = 2, kOther = 5;
pipeline::MessageInfo verified(Authentication mode, const Sender& s, std::uint64_t counter = 7) {
  pipeline::MessageInfo m;
  m.device = kTarget;
  sim::verify_message(mode, s, counter, m);
  return m;
}
const Sender kGenuine{kTarget, kTarget, true};
const Sender kSpoofNoKey{kUnauthenticated, kUnauthenticated, true};
const Sender kSpoofOtherDevice{kOther, kOther, true};
const Sender kReplay{kUnauthenticated, kTarget, true};
const Sender kTamper{kTarget, kTarget, false};
AuthVerdict judged(AuthMode mode, const pipeline::MessageInfo& m) {
  return pipeline::MessageAuthenticator({mode, 64}).check(m);
}
}  // namespace

TEST_CASE("endpoint: no authentication leaves every message unauthenticated and unchecked") {
  for (const Sender& s : {kGenuine, kSpoofNoKey, kReplay, kTamper}) {
    const pipeline::MessageInfo m = verified(Authentication::kNone, s);
    CHECK(m.authenticated_device == kUnauthenticated);
    CHECK(m.integrity == MessageIntegrity::kUnchecked);
    CHECK(m.message_counter == 0);
  }
}

TEST_CASE("endpoint: TLS client certificates name the connection, never check the payload") {
  CHECK(verified(Authentication::kTlsClientCert, kGenuine).authenticated_device == kTarget);
  CHECK(verified(Authentication::kTlsClientCert, kSpoofNoKey).authenticated_device == kUnauthenticated);
  CHECK(verified(Authentication::kTlsClientCert, kSpoofOtherDevice).authenticated_device == kOther);
  CHECK(verified(Authentication::kTlsClientCert, kReplay).authenticated_device == kUnauthenticated);
  const pipeline::MessageInfo tampered = verified(Authentication::kTlsClientCert, kTamper);
  CHECK(tampered.authenticated_device == kTarget);  // the compromised gateway uses the device's session
  CHECK(tampered.integrity == MessageIntegrity::kUnchecked);
  // The identity check: the tampered message passes, the others do not.
  CHECK(judged(AuthMode::kIdentity, tampered) == AuthVerdict::kOk);
  CHECK(judged(AuthMode::kIdentity, verified(Authentication::kTlsClientCert, kSpoofNoKey)) ==
        AuthVerdict::kUnauthenticated);
  CHECK(judged(AuthMode::kIdentity, verified(Authentication::kTlsClientCert, kSpoofOtherDevice)) ==
        AuthVerdict::kIdentityMismatch);
}

TEST_CASE("endpoint: signed payloads check the MAC with the key id's key and carry the counter") {
  const pipeline::MessageInfo genuine = verified(Authentication::kSignedPayload, kGenuine);
  CHECK(genuine.authenticated_device == kTarget);
  CHECK(genuine.integrity == MessageIntegrity::kValid);
  CHECK(genuine.message_counter == 7);
  const pipeline::MessageInfo no_key = verified(Authentication::kSignedPayload, kSpoofNoKey);
  CHECK(no_key.authenticated_device == kTarget);  // it names the target's key; the MAC fails
  CHECK(no_key.integrity == MessageIntegrity::kInvalid);
  const pipeline::MessageInfo other = verified(Authentication::kSignedPayload, kSpoofOtherDevice);
  CHECK(other.authenticated_device == kOther);
  CHECK(other.integrity == MessageIntegrity::kValid);
  CHECK(verified(Authentication::kSignedPayload, kReplay).integrity == MessageIntegrity::kValid);
  CHECK(verified(Authentication::kSignedPayload, kTamper).integrity == MessageIntegrity::kInvalid);
  // The signed check: each attack refused for its own reason.
  pipeline::MessageAuthenticator stage({AuthMode::kSigned, 64});
  CHECK(stage.check(genuine) == AuthVerdict::kOk);
  CHECK(stage.check(no_key) == AuthVerdict::kIntegrity);
  CHECK(stage.check(other) == AuthVerdict::kIdentityMismatch);
  CHECK(stage.check(verified(Authentication::kSignedPayload, kReplay)) == AuthVerdict::kReplay);
  CHECK(stage.check(verified(Authentication::kSignedPayload, kTamper, 8)) == AuthVerdict::kIntegrity);
  // A stolen key: the forgery is genuine as far as the endpoint can tell.
  CHECK(stage.check(verified(Authentication::kSignedPayload, kGenuine, 8)) == AuthVerdict::kOk);
}
