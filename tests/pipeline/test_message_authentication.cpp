// Message authentication (MessageAuthenticator, ReferencePipeline's stage -1):
// each rejection reason, the anti-replay window, the naive pipeline's
// acceptance of forgeries, and the accepted-record observer.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "pipeline/message_authenticator.hpp"
#include "pipeline/reference_pipeline.hpp"

using namespace twinbed::pipeline;

namespace {
MessageInfo signed_message(std::uint32_t device, std::uint64_t counter,
                           MessageIntegrity integrity = MessageIntegrity::kValid) {
  MessageInfo m;
  m.device = device;
  m.authenticated_device = device;
  m.integrity = integrity;
  m.message_counter = counter;
  return m;
}

struct Plant {
  std::vector<SensorInfo> sensors = {{"edge-01", "temp", "bearing_temp", "degC", 0.0, 160.0, 1.0},
                                     {"edge-02", "temp", "bearing_temp", "degC", 0.0, 160.0, 1.0}};
  std::vector<std::string> devices = {"edge-01", "edge-02"};
  std::uint64_t next_seq = 0;
  std::vector<Record> records(std::uint32_t device, int n, double t) {
    std::vector<Record> out;
    for (int k = 0; k < n; ++k) {
      Record r;
      r.sensor = device;
      r.device = device;
      r.boot = 1;
      r.seq = next_seq++;
      r.device_time_s = t + k;
      r.value = 50.0;
      out.push_back(r);
    }
    return out;
  }
};
}  // namespace

TEST_CASE("authenticator: each reason, in order, for a signed plant") {
  MessageAuthenticator a({AuthMode::kSigned, 64});
  CHECK(a.check(signed_message(0, 1)) == AuthVerdict::kOk);
  MessageInfo none = signed_message(0, 2);
  none.authenticated_device = kUnauthenticated;
  CHECK(a.check(none) == AuthVerdict::kUnauthenticated);
  MessageInfo other = signed_message(0, 2);
  other.authenticated_device = 1;  // signed with another device's key, in this one's name
  CHECK(a.check(other) == AuthVerdict::kIdentityMismatch);
  CHECK(a.check(signed_message(0, 2, MessageIntegrity::kInvalid)) == AuthVerdict::kIntegrity);
  CHECK(a.check(signed_message(0, 2, MessageIntegrity::kUnchecked)) == AuthVerdict::kUnsigned);
  CHECK(a.check(signed_message(0, 0)) == AuthVerdict::kNoCounter);
  CHECK(a.check(signed_message(0, 1)) == AuthVerdict::kReplay);  // counter 1 passed already
  // None of the refusals marked counter 2 seen.
  CHECK(a.check(signed_message(0, 2)) == AuthVerdict::kOk);
  // Counters are per device.
  CHECK(a.check(signed_message(1, 1)) == AuthVerdict::kOk);
}

TEST_CASE("authenticator: identity mode checks the credential only") {
  MessageAuthenticator a({AuthMode::kIdentity, 64});
  MessageInfo tls;
  tls.device = 3;
  tls.authenticated_device = 3;  // TLS client certificate; no MAC, no counter
  CHECK(a.check(tls) == AuthVerdict::kOk);
  CHECK(a.check(tls) == AuthVerdict::kOk);  // no anti-replay without a counter
  tls.authenticated_device = 4;
  CHECK(a.check(tls) == AuthVerdict::kIdentityMismatch);
  tls.authenticated_device = kUnauthenticated;
  CHECK(a.check(tls) == AuthVerdict::kUnauthenticated);
  CHECK(a.check(signed_message(3, 9, MessageIntegrity::kInvalid)) == AuthVerdict::kIntegrity);
  MessageAuthenticator off;
  CHECK(off.check(tls) == AuthVerdict::kOk);
}

TEST_CASE("anti-replay window: reordering inside it passes once, below it never") {
  MessageAuthenticator a({AuthMode::kSigned, 8});
  CHECK(a.check(signed_message(0, 10)) == AuthVerdict::kOk);
  CHECK(a.check(signed_message(0, 7)) == AuthVerdict::kOk);  // late, inside the window (10 − 7 < 8)
  CHECK(a.check(signed_message(0, 7)) == AuthVerdict::kReplay);
  CHECK(a.check(signed_message(0, 3)) == AuthVerdict::kOk);      // age 7: the window's last slot
  CHECK(a.check(signed_message(0, 2)) == AuthVerdict::kReplay);  // age 8: below the window
  CHECK(a.check(signed_message(0, 12)) == AuthVerdict::kOk);     // slides by 2: 7 and 10 stay marked
  CHECK(a.check(signed_message(0, 10)) == AuthVerdict::kReplay);
  CHECK(a.check(signed_message(0, 7)) == AuthVerdict::kReplay);
  CHECK(a.check(signed_message(0, 11)) == AuthVerdict::kOk);
  CHECK(a.check(signed_message(0, 5)) == AuthVerdict::kOk);      // age 7, never seen: passes once
  CHECK(a.check(signed_message(0, 4)) == AuthVerdict::kReplay);  // age 8: below the window
}

TEST_CASE("anti-replay window: a jump past the window forgets it; a wide window spans words") {
  MessageAuthenticator a({AuthMode::kSigned, 200});
  for (std::uint64_t c = 1; c <= 150; ++c) REQUIRE(a.check(signed_message(0, c)) == AuthVerdict::kOk);
  for (std::uint64_t c = 1; c <= 150; ++c) CHECK(a.check(signed_message(0, c)) == AuthVerdict::kReplay);
  CHECK(a.check(signed_message(0, 1000)) == AuthVerdict::kOk);
  CHECK(a.check(signed_message(0, 801)) == AuthVerdict::kOk);      // age 199, never seen
  CHECK(a.check(signed_message(0, 800)) == AuthVerdict::kReplay);  // age 200: below
  CHECK(a.check(signed_message(0, 900)) == AuthVerdict::kOk);
  CHECK(a.check(signed_message(0, 900)) == AuthVerdict::kReplay);
}

TEST_CASE("reference pipeline: each refusal counted by reason; the naive one accepts the forgeries") {
  Plant plant;
  ReferencePipelineOptions checked;
  checked.security = {AuthMode::kSigned, 64};
  ReferencePipeline secure(checked), naive(ReferencePipelineOptions{});
  std::uint64_t secure_seen = 0, naive_seen = 0;
  REQUIRE(secure.observe_accepted([&](const Record&) { ++secure_seen; }));
  REQUIRE(naive.observe_accepted([&](const Record&) { ++naive_seen; }));
  secure.configure(plant.sensors, plant.devices);
  naive.configure(plant.sensors, plant.devices);
  std::vector<AlertEvent> alerts;
  auto both = [&](const MessageInfo& m, const std::vector<Record>& r, double t) {
    secure.ingest(m, r, t, alerts);
    naive.ingest(m, r, t, alerts);
  };
  both(signed_message(0, 1), plant.records(0, 3, 0), 10);  // genuine: both accept 3
  MessageInfo spoof = signed_message(0, 2, MessageIntegrity::kInvalid);
  both(spoof, plant.records(0, 2, 10), 20);  // forged without the key
  MessageInfo stranger = signed_message(0, 2);
  stranger.authenticated_device = kUnauthenticated;
  both(stranger, plant.records(0, 4, 20), 30);
  MessageInfo mismatch = signed_message(0, 2);
  mismatch.authenticated_device = 1;
  both(mismatch, plant.records(0, 1, 30), 40);
  MessageInfo unsigned_m = signed_message(0, 2, MessageIntegrity::kUnchecked);
  both(unsigned_m, plant.records(0, 1, 40), 50);
  both(signed_message(0, 0), plant.records(0, 1, 50), 60);
  // A replay: counter 1 again, with fresh sequence numbers so de-duplication alone would not catch it.
  both(signed_message(0, 1), plant.records(0, 2, 60), 70);
  // A valid message of device 0 carrying a record in device 1's name.
  std::vector<Record> mixed = plant.records(0, 2, 70);
  mixed[1].device = 1;
  mixed[1].sensor = 1;
  both(signed_message(0, 3), mixed, 80);

  const PipelineCounters c = secure.counters();
  CHECK(c.at("rejected.auth.integrity") == 2);
  CHECK(c.at("rejected.auth.unauthenticated") == 4);
  CHECK(c.at("rejected.auth.identity_mismatch") == 1);
  CHECK(c.at("rejected.auth.unsigned") == 1);
  CHECK(c.at("rejected.auth.no_counter") == 1);
  CHECK(c.at("rejected.auth.replay") == 2);
  CHECK(c.at("rejected.auth.record_device") == 1);
  CHECK(c.at("auth.messages_rejected") == 6);
  CHECK(c.at("records_in") == 3 + 2 + 4 + 1 + 1 + 1 + 2 + 2);
  CHECK(c.at("accepted") == 3 + 1);
  CHECK(secure_seen == 4);
  // The naive pipeline takes every record (fresh ids, plausible values).
  const PipelineCounters n = naive.counters();
  CHECK(n.count("rejected.auth.integrity") == 0);
  CHECK(n.at("accepted") == 16);
  CHECK(naive_seen == 16);
}
