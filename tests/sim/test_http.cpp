// HTTP/1.1 over TCP (+ TLS): handshakes, connection reuse, request time and
// bytes against hand computation, timeouts, back-off against its analytic mean.
#include <doctest/doctest.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "faults/random_stream.hpp"
#include "sim/net/http.hpp"

using namespace twinbed::sim::net;
using twinbed::faults::RandomStream;

namespace {
constexpr double kL = 0.05;    // one-way latency, s
constexpr double kUp = 100e3;  // bit/s
constexpr double kDown = 1e6;  // bit/s
const HttpLink kLink{kL, kUp, kDown};

double transfer_s(double up_bytes, double down_bytes) {
  return up_bytes * 8 / kUp + down_bytes * 8 / kDown;
}
}  // namespace

TEST_CASE("HTTP: bytes on the wire per direction (TLS records, TCP/IP headers per segment)") {
  HttpParams plain;
  plain.tls = TlsVersion::kNone;
  CHECK(plain.wire_bytes(0) == 0);
  CHECK(plain.wire_bytes(1460) == 1500);  // one full segment
  CHECK(plain.wire_bytes(1461) == 1541);  // two
  CHECK(plain.wire_bytes(3000) == 3120);  // three
  HttpParams tls13;                       // TLS 1.3 by default
  CHECK(tls13.wire_bytes(200) == 200 + 22 + 40);
  CHECK(tls13.wire_bytes(20000) == 20000 + 2 * 22 + 14 * 40);  // two records, 20044 B in 14 segments
  HttpParams tls12;
  tls12.tls = TlsVersion::kTls12;
  CHECK(tls12.wire_bytes(200) == 200 + 29 + 40);
  CHECK(plain.handshake_rtts() == 1);
  CHECK(tls12.handshake_rtts() == 3);
  CHECK(tls13.handshake_rtts() == 2);
}

TEST_CASE("HTTP: request time = (handshake RTTs + 1) × 2·latency + transfer times, exactly") {
  const std::uint64_t body = 1000;  // request: 300 + 1000 = 1300 B of HTTP, one segment
  SUBCASE("plain TCP") {
    HttpParams p;
    p.tls = TlsVersion::kNone;
    HttpClient c(p);
    const HttpExchange x = c.request(0.0, body, kLink);
    CHECK(x.ok());
    CHECK(x.new_connection);
    CHECK(x.handshake_rtts == 1);
    CHECK(x.up_bytes == 40 + 1340);   // SYN; request 1300 + 40
    CHECK(x.down_bytes == 40 + 240);  // SYN-ACK; response 200 + 40
    CHECK(x.duration_s == doctest::Approx(2 * kL * 2 + transfer_s(1380, 280)).epsilon(1e-12));
    CHECK(x.duration_s == doctest::Approx(0.31264).epsilon(1e-12));
    const HttpExchange y = c.request(10.0, body, kLink);  // reused: one round trip, no handshake bytes
    CHECK_FALSE(y.new_connection);
    CHECK(y.handshake_rtts == 0);
    CHECK(y.duration_s == doctest::Approx(2 * kL + transfer_s(1340, 240)).epsilon(1e-12));
    CHECK(y.duration_s == doctest::Approx(0.20912).epsilon(1e-12));
  }
  SUBCASE("TLS 1.3: one more round trip, the certificate chain down") {
    HttpClient c(HttpParams{});
    const HttpExchange x = c.request(0.0, body, kLink);
    CHECK(x.handshake_rtts == 2);
    // Up: SYN 40; ClientHello etc. 350 + 40; request 1300 + 22 + 40.
    CHECK(x.up_bytes == 1792);
    // Down: SYN-ACK 40; server flight 3000 in 3 segments + 120; response 200 + 22 + 40.
    CHECK(x.down_bytes == 3422);
    CHECK(x.duration_s == doctest::Approx(2 * kL * 3 + transfer_s(1792, 3422)).epsilon(1e-12));
    CHECK(x.duration_s == doctest::Approx(0.470736).epsilon(1e-12));
  }
  SUBCASE("TLS 1.2: two more round trips; server time adds once") {
    HttpParams p;
    p.tls = TlsVersion::kTls12;
    p.server_time_s = 0.02;
    HttpClient c(p);
    const HttpExchange x = c.request(0.0, body, kLink);
    CHECK(x.handshake_rtts == 3);
    CHECK(x.up_bytes == 40 + 390 + 1369);
    CHECK(x.down_bytes == 40 + 3120 + 269);
    CHECK(x.duration_s == doctest::Approx(2 * kL * 4 + 0.02 + transfer_s(1799, 3429)).epsilon(1e-12));
  }
}

TEST_CASE("HTTP keep-alive: no handshake within the idle timeout, 1 + TLS round trips after it") {
  for (TlsVersion tls : {TlsVersion::kNone, TlsVersion::kTls12, TlsVersion::kTls13}) {
    HttpParams p;
    p.tls = tls;
    p.idle_timeout_s = 60.0;
    CAPTURE(p.handshake_rtts());
    HttpClient c(p);
    const HttpExchange a = c.request(0.0, 500, kLink);
    CHECK(a.handshake_rtts == p.handshake_rtts());
    double t = a.duration_s + 30.0;  // idle 30 s: reused
    const HttpExchange b = c.request(t, 500, kLink);
    CHECK(b.handshake_rtts == 0);
    CHECK_FALSE(b.new_connection);
    t += b.duration_s + 60.0;  // idle exactly the timeout: still reused
    CHECK(c.would_reuse(t));
    const HttpExchange d = c.request(t, 500, kLink);
    CHECK(d.handshake_rtts == 0);
    t += d.duration_s + 60.001;  // idle past the timeout: the server closed it
    CHECK_FALSE(c.would_reuse(t));
    const HttpExchange e = c.request(t, 500, kLink);
    CHECK(e.handshake_rtts == p.handshake_rtts());
    CHECK(e.new_connection);
    CHECK(e.duration_s - b.duration_s ==
          doctest::Approx(2 * kL * p.handshake_rtts() +
                          transfer_s(static_cast<double>(e.up_bytes - b.up_bytes),
                                     static_cast<double>(e.down_bytes - b.down_bytes))));
    CHECK(c.connections_opened() == 2);
    CHECK(c.requests() == 4);
  }
  // Without keep-alive every request opens its own connection.
  HttpParams closing;
  closing.keep_alive = false;
  HttpClient c(closing);
  CHECK(c.request(0.0, 10, kLink).handshake_rtts == 2);
  CHECK(c.request(1.0, 10, kLink).handshake_rtts == 2);
  // The server's keepalive_requests: the connection closes after that many.
  HttpParams limited;
  limited.max_requests_per_connection = 3;
  HttpClient l(limited);
  std::vector<int> rtts;
  for (int i = 0; i < 7; ++i) rtts.push_back(l.request(i * 1.0, 10, kLink).handshake_rtts);
  CHECK(rtts == std::vector<int>{2, 0, 0, 2, 0, 0, 2});
  // One request at a time: a request before the previous one's end is a caller error.
  HttpClient busy(HttpParams{});
  busy.request(0.0, 10, kLink);
  CHECK_THROWS_AS(busy.request(0.1, 10, kLink), std::logic_error);
}

TEST_CASE("HTTP timeouts: no response waits request_timeout_s and aborts the connection") {
  HttpParams p;
  p.request_timeout_s = 10.0;
  HttpClient c(p);
  const HttpExchange ok = c.request(0.0, 100, kLink);
  REQUIRE(ok.ok());
  const HttpExchange lost = c.request(5.0, 100, kLink, HttpReply::none());
  CHECK(lost.timed_out);
  CHECK(lost.status == 0);
  CHECK(lost.duration_s == 10.0);
  CHECK(lost.handshake_rtts == 0);  // it went out on the kept-alive connection
  CHECK(lost.down_bytes == 0);
  CHECK(c.request(15.0, 100, kLink).handshake_rtts == 2);  // a new connection after the abort
  CHECK(c.timeouts() == 1);
  // A response slower than the timeout: the server processed it, the client does not know.
  HttpLink slow{0.05, 1000.0, 1e6};  // 1 kbit/s up: 40 kB take 5 min
  const HttpExchange late = c.request(100.0, 40000, slow);
  CHECK(late.timed_out);
  CHECK(late.status == 0);
  CHECK(late.server_status == 200);
  CHECK(late.duration_s == 10.0);
  CHECK(http_retryable(late.status));
  // Retryable statuses: 408, 429, 5xx and no response; other 4xx never.
  for (int s : {0, 408, 429, 500, 502, 503, 504}) CHECK(http_retryable(s));
  for (int s : {200, 204, 400, 401, 403, 404, 413}) CHECK_FALSE(http_retryable(s));
}

TEST_CASE("HTTP back-off: full jitter's mean is min(cap, base·2^(k−1)) / 2 within 1 % over 40,000 draws") {
  HttpParams p;
  p.backoff_base_s = 0.5;
  p.backoff_cap_s = 20.0;
  RandomStream draws(17, "http", "backoff");
  const HttpExchange no_retry_after;  // 503 without Retry-After: back-off
  const int n = 40000;
  const std::vector<double> windows{0.5, 1, 2, 4, 8, 16, 20, 20};
  for (int k = 1; k <= 8; ++k) {
    CAPTURE(k);
    const double window = windows[static_cast<std::size_t>(k - 1)];
    CHECK(backoff_mean_s(p, k) == doctest::Approx(window / 2));
    double sum = 0, lo = 1e9, hi = 0;
    for (int i = 0; i < n; ++i) {
      const double d = retry_delay_s(p, k, no_retry_after, draws);
      sum += d;
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    CHECK(sum / n == doctest::Approx(window / 2).epsilon(0.01));
    CHECK(lo >= 0.0);
    CHECK(lo < 0.01 * window);  // the draws cover the whole window
    CHECK(hi < window);
    CHECK(hi > 0.99 * window);
  }
}

TEST_CASE("HTTP retries: Retry-After honoured exactly, else jittered back-off; give up after max_attempts") {
  HttpParams p;
  p.max_attempts = 4;
  HttpClient c(p);
  const HttpExchange busy = c.request(0.0, 100, kLink, HttpReply{503, 7.0});
  CHECK(busy.status == 503);
  CHECK(busy.retry_after_s == 7.0);
  CHECK_FALSE(busy.timed_out);
  CHECK(c.would_reuse(busy.duration_s + 1.0));  // a 503 keeps the connection
  RandomStream draws(5, "http", "retry");
  RandomStream twin = draws;
  CHECK(retry_delay_s(p, 1, busy, draws) == 7.0);
  CHECK(draws.next_u64() == twin.next_u64());  // Retry-After costs no draw
  const HttpExchange throttled = c.request(10.0, 100, kLink, HttpReply{429, 0.0});
  CHECK(retry_delay_s(p, 2, throttled, draws) == 0.0);  // "Retry-After: 0" is honoured too

  // Three failures: 503 + Retry-After 7 s, a timeout, 429 + Retry-After 12 s; the fourth fails too.
  const std::vector<HttpFailure> failures{{0.4, 7.0}, {30.0, -1.0}, {0.3, 12.0}, {0.5, -1.0}};
  RandomStream s(9, "http", "schedule");
  RandomStream s_twin = s;
  const HttpRetrySchedule sched = retry_schedule(p, 100.0, failures, s);
  REQUIRE(sched.send_at_s.size() == 4);
  CHECK(sched.send_at_s[0] == 100.0);
  CHECK(sched.send_at_s[1] == doctest::Approx(107.4));  // failed at 100.4, Retry-After 7
  const double jitter = s_twin.uniform() * 2.0;         // second retry: window min(60, 1 × 2)
  CHECK(sched.send_at_s[2] == doctest::Approx(107.4 + 30.0 + jitter));
  CHECK(sched.send_at_s[2] >= 137.4);
  CHECK(sched.send_at_s[2] < 139.4);
  CHECK(sched.send_at_s[3] == doctest::Approx(sched.send_at_s[2] + 0.3 + 12.0));
  CHECK(sched.give_up_at_s == doctest::Approx(sched.send_at_s[3] + 0.5));  // the 4th attempt was the last
  // Fewer failures than attempts: the schedule ends with the attempt that goes next.
  RandomStream s2(9, "http", "schedule");
  const HttpRetrySchedule open = retry_schedule(p, 0.0, {{1.0, 5.0}}, s2);
  CHECK(open.send_at_s == std::vector<double>{0.0, 6.0});
  CHECK(open.give_up_at_s < 0.0);
}

TEST_CASE("HTTP in two halves (the plant times the flights): plan, begin, finish") {
  HttpParams p;  // TLS 1.3, keep-alive, idle timeout 60 s
  HttpClient c(p);
  const HttpExchange planned = c.plan(0.0, 1000);
  CHECK(planned.new_connection);
  CHECK(planned.handshake_rtts == 2);
  CHECK(planned.up_bytes == 1792);     // SYN 40, ClientHello 350 + 40, request 1300 + 22 + 40
  CHECK(planned.down_bytes == 3160);   // SYN-ACK 40, server flight 3000 + 3 × 40: no response yet
  CHECK(c.connections_opened() == 0);  // plan() changes nothing
  CHECK(c.response_wire_bytes() == 262);

  // begin() + finish() give request()'s exchange and state.
  HttpClient whole(p);
  const HttpExchange w = whole.request(0.0, 1000, kLink);
  HttpExchange x = c.begin(0.0, 1000);
  CHECK(x.up_bytes == planned.up_bytes);
  CHECK_THROWS_AS(c.begin(0.0, 1000), std::logic_error);  // one attempt at a time, until finish()
  c.finish(x, 0.0, HttpReply{}, w.duration_s);
  CHECK(x.ok());
  CHECK(x.up_bytes == w.up_bytes);
  CHECK(x.down_bytes == w.down_bytes);
  CHECK(x.duration_s == w.duration_s);
  CHECK(c.busy_until_s() == w.duration_s);
  CHECK(c.would_reuse(w.duration_s + 60.0));
  CHECK_FALSE(c.would_reuse(w.duration_s + 60.001));

  // A response later than the request timeout is a timeout: the connection is aborted.
  HttpExchange late = c.begin(10.0, 1000);
  CHECK_FALSE(late.new_connection);
  c.finish(late, 10.0, HttpReply{}, p.request_timeout_s + 0.5);
  CHECK(late.timed_out);
  CHECK(late.status == 0);
  CHECK(late.duration_s == p.request_timeout_s);
  CHECK(c.timeouts() == 1);
  CHECK(c.plan(40.0, 1000).new_connection);
  CHECK(c.busy_until_s() == 10.0 + p.request_timeout_s);

  // A 503 keeps the connection; close() (a reboot) drops it and any attempt in progress.
  HttpExchange refused = c.begin(40.0, 1000);
  c.finish(refused, 40.0, HttpReply{503, 2.0}, 0.5);
  CHECK(refused.status == 503);
  CHECK(refused.retry_after_s == 2.0);
  CHECK(c.would_reuse(42.5));
  c.begin(42.5, 1000);
  c.close();
  CHECK_FALSE(c.would_reuse(42.6));
  CHECK_NOTHROW(c.begin(42.6, 1000));
}
