// HTTP/1.1 over TCP (+ TLS): one client posting batches to a cloud ingestion
// endpoint, request by request, with connection reuse and retries.
//
// Modelled:
// - Connection set-up: the TCP handshake costs 1 round trip, TLS 1.2 two more
//   (RFC 5246 full handshake), TLS 1.3 one more (RFC 8446 §2). A kept-alive
//   connection (RFC 9112 §9.3) is reused with no handshake while it has been
//   idle for at most `idle_timeout_s` (the shorter of the client's and the
//   server's: nginx `keepalive_timeout` 75 s) and has carried fewer than
//   `max_requests_per_connection` requests (nginx `keepalive_requests` 1000).
//   One request at a time per connection (no pipelining), as clients do.
// - Time until the response arrives, for a one-way latency L and the
//   uplink and downlink rates:
//     (handshake round trips + 1) × 2L + server time
//       + bytes up × 8 / uplink + bytes down × 8 / downlink,
//   every flight waiting for the one before it (handshake flights, request,
//   response), so each byte's serialisation is on the critical path once.
// - Bytes on the wire both ways: the request line and headers
//   (`request_header_bytes`) and the body; the response (`response_bytes`);
//   TLS record overhead per 16 KiB record (TLS 1.3: 22 B, TLS 1.2 AES-GCM:
//   29 B); TCP/IP headers per segment of at most `mss_bytes`; a fresh
//   connection adds the SYN and SYN-ACK (header-only segments) and the TLS
//   handshake messages (`tls_client_handshake_bytes` up, including the
//   ClientHello; `tls_server_handshake_bytes` down, mostly the certificate
//   chain).
// - Outcomes, as the caller decides them: a server status (2xx; 429 or 503
//   with or without Retry-After; any other) or no response (status 0: the
//   request or its response was lost). No response, or a response later than
//   `request_timeout_s` after the attempt started, is a timeout: the client
//   aborts the connection (HTTP/1.1 cannot match a late response to a
//   request), so the next request opens a new one. A response the client did
//   not wait for may still have been processed by the server
//   (HttpExchange::server_status): its retry is a duplicate.
// - Retries (retry_delay_s, retry_schedule): the server's Retry-After, when
//   it gave one (RFC 9110 §10.2.3, delay-seconds form), is honoured exactly;
//   otherwise capped exponential back-off with full jitter: the k-th retry
//   waits a uniform draw in [0, min(cap, base × factor^(k−1))). At most
//   `max_attempts` attempts in all (0: no limit); 4xx other than 408 and 429
//   are not retried.
//
// Not modelled: TCP slow start and congestion control (the rates are taken
// as the flow's share), receiver ACK segments, loss recovery inside TCP
// (a lost segment is the caller's "no response"), TLS session resumption and
// 0-RTT, the connection close (FIN) exchange, HTTP/2 multiplexing, proxies,
// Retry-After as an HTTP date, request bodies that stream while the response
// arrives.
//
// Guarantees: pure arithmetic and explicit state; the only randomness is the
// back-off jitter, drawn from the RandomStream the caller passes.
#pragma once

#include <cstdint>
#include <vector>

#include "faults/random_stream.hpp"

namespace twinbed::sim::net {

enum class TlsVersion { kNone, kTls12, kTls13 };

struct HttpParams {
  std::uint64_t request_header_bytes = 300;  ///< request line and headers
  std::uint64_t response_bytes = 200;        ///< status line, headers and a short body
  TlsVersion tls = TlsVersion::kTls13;
  std::uint64_t tls_client_handshake_bytes = 350;   ///< ClientHello, key exchange, Finished
  std::uint64_t tls_server_handshake_bytes = 3000;  ///< ServerHello, certificate chain, Finished
  std::uint64_t tcp_ip_header_bytes = 40;           ///< per segment: IPv4 20 + TCP 20
  std::uint64_t mss_bytes = 1460;                   ///< largest TCP payload per segment
  bool keep_alive = true;
  double idle_timeout_s = 60.0;  ///< a kept-alive connection idle longer than this is closed
  std::uint32_t max_requests_per_connection = 1000;  ///< 0: no limit
  double server_time_s = 0.0;                        ///< the ingestion endpoint's processing time
  double request_timeout_s = 30.0;  ///< from the attempt's start (set-up included) to the response
  int max_attempts = 5;             ///< attempts per request, the first included; 0: no limit
  double backoff_base_s = 1.0;
  double backoff_factor = 2.0;
  double backoff_cap_s = 60.0;

  /// Round trips to open a connection: TCP 1, plus TLS 1.2: 2 or TLS 1.3: 1.
  int handshake_rtts() const;
  /// Bytes a TLS record adds around its plaintext (0 without TLS).
  std::uint64_t tls_record_overhead_bytes() const;
  /// Bytes on the wire for `payload_bytes` of application data in one
  /// direction: TLS records (16 KiB each) and TCP/IP headers per segment.
  std::uint64_t wire_bytes(std::uint64_t payload_bytes) const;
};

/// The path to the server for one request.
struct HttpLink {
  double latency_s = 0.05;  ///< one way
  double uplink_bps = 1e6;
  double downlink_bps = 1e6;
};

/// What the server does with the request (the caller decides).
struct HttpReply {
  int status = 200;             ///< 0: no response (the request or its response was lost)
  double retry_after_s = -1.0;  ///< Retry-After in seconds; < 0: none

  static HttpReply none() { return {0, -1.0}; }
};

/// One attempt, as the client saw it.
struct HttpExchange {
  int status = 0;          ///< the status the client received; 0: none (lost or timed out)
  int server_status = 0;   ///< what the server answered (it may have processed a request that timed out)
  bool timed_out = false;  ///< no response within `request_timeout_s`: the connection was aborted
  bool new_connection = false;
  int handshake_rtts = 0;        ///< 0 on a reused connection
  double duration_s = 0.0;       ///< from the attempt's start to the response (or to the timeout)
  std::uint64_t up_bytes = 0;    ///< on the wire, handshakes included
  std::uint64_t down_bytes = 0;  ///< on the wire, handshakes included
  double retry_after_s = -1.0;   ///< the server's Retry-After, if it sent one (< 0: none)

  bool ok() const { return status >= 200 && status < 300; }
};

/// True when a failed attempt with this client-side status may be retried:
/// no response (0), 408, 429 and 5xx; other 4xx are the request's fault.
bool http_retryable(int status);

/// The full-jitter back-off before retry `retry` (1 for the first retry), for
/// a uniform draw `u` in [0, 1): u × min(cap, base × factor^(retry−1)).
double backoff_delay_s(const HttpParams& p, int retry, double u);
/// Its mean: min(cap, base × factor^(retry−1)) / 2.
double backoff_mean_s(const HttpParams& p, int retry);
/// The wait before retry `retry` after the failed attempt `failed`: its
/// Retry-After when the server sent one, else the back-off (one draw).
double retry_delay_s(const HttpParams& p, int retry, const HttpExchange& failed, faults::RandomStream& draws);

/// How one failed attempt ended, for retry_schedule().
struct HttpFailure {
  double duration_s = 0.0;      ///< from the attempt's start until the client knew it failed
  double retry_after_s = -1.0;  ///< the server's Retry-After; < 0: none
};

/// When each attempt of one request goes out.
struct HttpRetrySchedule {
  std::vector<double> send_at_s;  ///< the first attempt at `first_send_s`, then each retry
  double give_up_at_s = -1.0;     ///< when the last allowed attempt failed; < 0: not given up
};

/// The attempts of one request whose attempts fail as `failures` says, in
/// order: after failure i the next attempt goes out after retry_delay_s().
/// Stops when `max_attempts` have failed (give_up_at_s set) or when the
/// failures run out (the last entry is then the attempt that would go next).
HttpRetrySchedule retry_schedule(const HttpParams& p, double first_send_s,
                                 const std::vector<HttpFailure>& failures, faults::RandomStream& draws);

/// One HTTP/1.1 client and its (at most one) connection to the server.
class HttpClient {
 public:
  explicit HttpClient(HttpParams p) : p_(p) {}

  /// One attempt of a request carrying `body_bytes`, started at `now_s` (at
  /// or after the previous attempt's end: throws std::logic_error otherwise),
  /// answered as `reply` says: begin(), the response time of the formula
  /// above over `link`, finish().
  HttpExchange request(double now_s, std::uint64_t body_bytes, const HttpLink& link, HttpReply reply = {});

  // The same attempt in two halves, for a caller that times the flights
  // itself (the plant: the request goes over a shared link).
  /// What an attempt at `now_s` would put on the wire and wait for before
  /// its request: new_connection, handshake_rtts, up_bytes (handshake and
  /// request) and down_bytes (handshake only). Changes nothing.
  HttpExchange plan(double now_s, std::uint64_t body_bytes) const;
  /// Starts the attempt planned at `now_s` (the same checks as request()):
  /// opens the connection when it cannot be reused.
  HttpExchange begin(double now_s, std::uint64_t body_bytes);
  /// Ends the attempt begun at `start_s`: the server's answer `reply`
  /// (status 0: none reached the client) arrived `response_s` after the
  /// start. No answer, or one later than `request_timeout_s`, is a timeout
  /// that aborts the connection; adds the response's bytes to down_bytes
  /// when it arrived. x.server_status is the caller's.
  void finish(HttpExchange& x, double start_s, HttpReply reply, double response_s);
  /// Bytes on the wire of one response (TLS records and TCP/IP headers).
  std::uint64_t response_wire_bytes() const { return p_.wire_bytes(p_.response_bytes); }

  /// True when a request at `now_s` would reuse the open connection.
  bool would_reuse(double now_s) const;
  /// The connection is gone (network change, device reboot): the next
  /// request opens one; an attempt in progress is abandoned.
  void close() {
    open_ = false;
    busy_until_s_ = -1e300;
  }
  /// When the last attempt ended (its response, or its timeout).
  double busy_until_s() const { return busy_until_s_; }

  const HttpParams& params() const { return p_; }
  std::uint64_t requests() const { return requests_; }
  std::uint64_t connections_opened() const { return connections_opened_; }
  std::uint64_t timeouts() const { return timeouts_; }

 private:
  HttpParams p_;
  bool open_ = false;
  double idle_since_s_ = 0.0;  ///< when the last exchange on the open connection ended
  double busy_until_s_ = -1e300;
  std::uint32_t requests_on_connection_ = 0;
  std::uint64_t requests_ = 0;
  std::uint64_t connections_opened_ = 0;
  std::uint64_t timeouts_ = 0;
};

}  // namespace twinbed::sim::net
