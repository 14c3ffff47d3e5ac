#include "sim/net/http.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace twinbed::sim::net {

namespace {
constexpr std::uint64_t kTlsRecordPlaintextBytes = 16384;  // RFC 8446 §5.1, RFC 5246 §6.2.1

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) {
  return (a + b - 1) / b;
}

/// The full-jitter window of retry `retry` (1-based): min(cap, base × factor^(retry−1)).
double backoff_window_s(const HttpParams& p, int retry) {
  return std::min(p.backoff_cap_s, p.backoff_base_s * std::pow(p.backoff_factor, retry - 1));
}
}  // namespace

int HttpParams::handshake_rtts() const {
  switch (tls) {
    case TlsVersion::kNone:
      return 1;
    case TlsVersion::kTls12:
      return 3;
    case TlsVersion::kTls13:
      return 2;
  }
  return 1;
}

std::uint64_t HttpParams::tls_record_overhead_bytes() const {
  switch (tls) {
    case TlsVersion::kNone:
      return 0;
    case TlsVersion::kTls12:
      return 29;  // header 5 + explicit nonce 8 + GCM tag 16
    case TlsVersion::kTls13:
      return 22;  // header 5 + inner content type 1 + AEAD tag 16
  }
  return 0;
}

std::uint64_t HttpParams::wire_bytes(std::uint64_t payload_bytes) const {
  if (payload_bytes == 0) return 0;
  std::uint64_t bytes = payload_bytes;
  if (tls != TlsVersion::kNone)
    bytes += ceil_div(payload_bytes, kTlsRecordPlaintextBytes) * tls_record_overhead_bytes();
  return bytes + ceil_div(bytes, mss_bytes) * tcp_ip_header_bytes;
}

bool http_retryable(int status) {
  return status == 0 || status == 408 || status == 429 || status >= 500;
}

double backoff_delay_s(const HttpParams& p, int retry, double u) {
  return u * backoff_window_s(p, retry);
}

double backoff_mean_s(const HttpParams& p, int retry) {
  return 0.5 * backoff_window_s(p, retry);
}

double retry_delay_s(const HttpParams& p, int retry, const HttpExchange& failed,
                     faults::RandomStream& draws) {
  if (failed.retry_after_s >= 0.0) return failed.retry_after_s;
  return backoff_delay_s(p, retry, draws.uniform());
}

HttpRetrySchedule retry_schedule(const HttpParams& p, double first_send_s,
                                 const std::vector<HttpFailure>& failures, faults::RandomStream& draws) {
  HttpRetrySchedule s;
  double at_s = first_send_s;
  s.send_at_s.push_back(at_s);
  for (std::size_t i = 0; i < failures.size(); ++i) {
    const double failed_at_s = at_s + failures[i].duration_s;
    const int attempts = static_cast<int>(i) + 1;
    if (p.max_attempts > 0 && attempts >= p.max_attempts) {
      s.give_up_at_s = failed_at_s;
      break;
    }
    HttpExchange failed;
    failed.retry_after_s = failures[i].retry_after_s;
    at_s = failed_at_s + retry_delay_s(p, attempts, failed, draws);
    s.send_at_s.push_back(at_s);
  }
  return s;
}

bool HttpClient::would_reuse(double now_s) const {
  return open_ && p_.keep_alive && now_s - idle_since_s_ <= p_.idle_timeout_s &&
         (p_.max_requests_per_connection == 0 || requests_on_connection_ < p_.max_requests_per_connection);
}

HttpExchange HttpClient::plan(double now_s, std::uint64_t body_bytes) const {
  HttpExchange x;
  if (!would_reuse(now_s)) {
    x.new_connection = true;
    x.handshake_rtts = p_.handshake_rtts();
    // SYN and SYN-ACK: header-only segments; the client's ACK rides on its next segment.
    x.up_bytes += p_.tcp_ip_header_bytes;
    x.down_bytes += p_.tcp_ip_header_bytes;
    if (p_.tls != TlsVersion::kNone) {
      // Handshake messages carry their own record headers (in the byte counts).
      x.up_bytes += p_.tls_client_handshake_bytes +
                    ceil_div(p_.tls_client_handshake_bytes, p_.mss_bytes) * p_.tcp_ip_header_bytes;
      x.down_bytes += p_.tls_server_handshake_bytes +
                      ceil_div(p_.tls_server_handshake_bytes, p_.mss_bytes) * p_.tcp_ip_header_bytes;
    }
  }
  x.up_bytes += p_.wire_bytes(p_.request_header_bytes + body_bytes);
  return x;
}

HttpExchange HttpClient::begin(double now_s, std::uint64_t body_bytes) {
  if (now_s < busy_until_s_)
    throw std::logic_error("HttpClient::request: the previous request on this connection has not ended");
  HttpExchange x = plan(now_s, body_bytes);
  if (x.new_connection) {
    open_ = true;
    requests_on_connection_ = 0;
    ++connections_opened_;
  }
  ++requests_;
  ++requests_on_connection_;
  busy_until_s_ = 1e300;  // until finish()
  return x;
}

void HttpClient::finish(HttpExchange& x, double start_s, HttpReply reply, double response_s) {
  if (reply.status != 0) x.down_bytes += response_wire_bytes();
  if (reply.status == 0 || response_s > p_.request_timeout_s) {
    x.timed_out = true;
    x.duration_s = p_.request_timeout_s;
    ++timeouts_;
    open_ = false;  // aborted: a late response could not be told from the next one's
  } else {
    x.status = reply.status;
    x.retry_after_s = reply.retry_after_s;
    x.duration_s = response_s;
    const bool last_on_connection =
        p_.max_requests_per_connection != 0 && requests_on_connection_ >= p_.max_requests_per_connection;
    if (!p_.keep_alive || last_on_connection) open_ = false;  // Connection: close
  }
  idle_since_s_ = start_s + x.duration_s;
  busy_until_s_ = idle_since_s_;
}

HttpExchange HttpClient::request(double now_s, std::uint64_t body_bytes, const HttpLink& link,
                                 HttpReply reply) {
  HttpExchange x = begin(now_s, body_bytes);
  x.server_status = reply.status;
  const std::uint64_t down_bytes = x.down_bytes + (reply.status != 0 ? response_wire_bytes() : 0);
  const double response_s = 2.0 * link.latency_s * (x.handshake_rtts + 1) + p_.server_time_s +
                            static_cast<double>(x.up_bytes) * 8.0 / link.uplink_bps +
                            static_cast<double>(down_bytes) * 8.0 / link.downlink_bps;
  finish(x, now_s, reply, response_s);
  return x;
}

}  // namespace twinbed::sim::net
