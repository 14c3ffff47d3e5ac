// What the ingestion endpoint verifies of a message (MessageInfo's
// authenticated device, integrity and counter), given the plant's message
// authentication (scenario `security`) and who really sent it — the
// genuine device, or an attacker (docs/faults.md, "Adversarial faults").
//
// Guarantees: with authentication "none" the message info is left as it was
// (unauthenticated, unchecked, no counter), so a plant without security is
// unchanged; "tls_client_cert" reports the connection's certificate and
// checks no payload; "signed_payload" checks the MAC with the key its key id
// names and reports the counter the MAC covers.
#pragma once

#include <cstdint>

#include "pipeline/cloud_pipeline.hpp"
#include "sim/scenario.hpp"

namespace twinbed::sim {

/// Who sent a message, as far as credentials go.
struct Sender {
  /// The device whose client certificate the connection presents (kUnauthenticated: none).
  std::uint32_t connection = pipeline::kUnauthenticated;
  /// The device whose key made the payload's MAC (kUnauthenticated: the sender holds no key).
  std::uint32_t signer = pipeline::kUnauthenticated;
  bool payload_intact = true;  ///< false: altered after it was signed
};

/// Fills `m`'s authentication fields for a message naming `m.device` as its sender.
inline void verify_message(Authentication mode, const Sender& sender, std::uint64_t counter,
                           pipeline::MessageInfo& m) {
  switch (mode) {
    case Authentication::kNone:
      return;
    case Authentication::kTlsClientCert:
      m.authenticated_device = sender.connection;
      return;
    case Authentication::kSignedPayload: {
      // The key id names the signer; an attacker without a key names the device it claims to be.
      const std::uint32_t key = sender.signer != pipeline::kUnauthenticated ? sender.signer : m.device;
      const bool valid = sender.signer != pipeline::kUnauthenticated && sender.payload_intact;
      m.authenticated_device = key;
      m.integrity = valid ? pipeline::MessageIntegrity::kValid : pipeline::MessageIntegrity::kInvalid;
      m.message_counter = counter;
      return;
    }
  }
}

}  // namespace twinbed::sim
