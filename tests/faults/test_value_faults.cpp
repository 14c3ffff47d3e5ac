// Value faults, tested statistically on fixed seeds with stated tolerances
// (each tolerance is several standard errors of the estimate), and by their
// exact semantics where they have no randomness.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "analysis/fault_kinds.hpp"
#include "faults/gilbert_elliott.hpp"
#include "faults/value_faults.hpp"

using namespace twinbed::faults;

namespace {
/// Runs `n` samples at 1 Hz (t = 1..n) through a fault; value starts at `x`.
std::vector<SampleContext> run(ValueFault& f, int n, double x = 0.0, double lo = 0.0, double hi = 100.0) {
  std::vector<SampleContext> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int k = 1; k <= n; ++k) {
    SampleContext s;
    s.t_s = k;
    s.period_s = 1.0;
    s.value = x;
    s.range_lo = lo;
    s.range_hi = hi;
    f.apply(s);
    out.push_back(s);
  }
  return out;
}

ValueFaultParams params(const std::string& kind) {
  ValueFaultParams p;
  p.kind = kind;
  return p;
}

EpisodeParams stochastic(double onset_rate_per_s, Law duration) {
  EpisodeParams e;
  e.stochastic = true;
  e.onset_rate_per_s = onset_rate_per_s;
  e.duration = duration;
  return e;
}
}  // namespace

TEST_CASE("episodes: a scheduled window is one episode, labelled once") {
  EpisodeProcess e({100, 200, false, 0, Law::fixed(0)}, RandomStream(1, "x", "a"));
  CHECK_FALSE(e.active_at(50));
  CHECK(e.active_at(100));
  CHECK(e.active_at(199.9));
  CHECK_FALSE(e.active_at(200));
  REQUIRE(e.windows().size() == 1);
  CHECK(e.windows()[0].start_s == 100);
  CHECK(e.windows()[0].end_s == 200);
}

TEST_CASE("episodes: renewal availability matches E[D] / (1/rate + E[D])") {
  // Onsets every 1000 s on average while quiet, lognormal durations of median
  // 150 s and sigma 0.8 (mean 206.6 s): availability 0.1712. Over 2e7 s
  // (~16 600 cycles) the estimate's standard error is ~0.0015; tolerance 0.006.
  const Law d{LawKind::kLognormal, 150.0, 0.8};
  EpisodeProcess e(stochastic(1.0 / 1000, d), RandomStream(7, "renewal", "a"));
  std::int64_t active = 0;
  const std::int64_t n = 20'000'000;
  for (std::int64_t t = 0; t < n; ++t) active += e.active_at(static_cast<double>(t));
  const double expected = d.mean() / (1000.0 + d.mean());
  CHECK(static_cast<double>(active) / n == doctest::Approx(expected).epsilon(0.035));
  // Every episode is labelled, with the law's mean duration.
  double total = 0;
  for (const auto& w : e.windows()) total += w.end_s - w.start_s;
  CHECK(total / e.windows().size() == doctest::Approx(d.mean()).epsilon(0.05));
}

TEST_CASE("offset, gain and linear drift are exact inside their window and absent outside") {
  auto p = params("offset");
  p.bias = 2.5;
  p.activity = {10, 20, false, 0, Law::fixed(0)};
  auto off = make_value_fault(p, 1, "s");
  auto o = run(*off, 30, 1.0);
  CHECK(o[8].value == 1.0);  // t = 9
  CHECK(o[9].value == 3.5);  // t = 10
  CHECK(o[9].mask == kFaultOffset);
  CHECK(o[19].value == 1.0);  // t = 20: the window is half-open

  auto g = params("gain");
  g.gain = -0.1;
  auto gain = make_value_fault(g, 1, "s");
  CHECK(run(*gain, 1, 50.0)[0].value == doctest::Approx(45.0));

  auto d = params("drift");
  d.rate_per_s = 0.01;
  d.activity = {100, 200, false, 0, Law::fixed(0)};
  d.hold_after_end = true;
  auto drift = make_value_fault(d, 1, "s");
  auto r = run(*drift, 300);
  CHECK(r[149].value == doctest::Approx(0.5));  // t = 150: 50 s in
  CHECK(r[249].value == doctest::Approx(1.0));  // held at rate × 100 s
  std::vector<FaultEvent> ev;
  drift->events(ev, 300);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].end_s == 300);  // a held drift's label runs to the end
}

TEST_CASE("random-walk drift: Var b(T) = sigma^2 T") {
  // 3000 independent walks (one stream each), T = 400 s at 1 Hz, sigma 0.05:
  // Var = 1.0. The sample variance's relative standard error is sqrt(2/3000)
  // = 2.6 %; tolerance 8 %.
  double sum = 0, sum2 = 0;
  const int walks = 3000;
  for (int i = 0; i < walks; ++i) {
    auto p = params("random_walk_drift");
    p.sigma = 0.05;
    auto f = make_value_fault(p, 3, "rw" + std::to_string(i));
    const double b = run(*f, 400).back().value;
    sum += b;
    sum2 += b * b;
  }
  const double mean = sum / walks, var = sum2 / walks - mean * mean;
  CHECK(std::fabs(mean) < 0.1);
  CHECK(var == doctest::Approx(0.05 * 0.05 * 400).epsilon(0.08));
}

TEST_CASE("Gauss-Markov drift: stationary std sigma, lag-1 correlation exp(-dt/tau)") {
  auto p = params("gauss_markov_drift");
  p.sigma = 2.0;
  p.tau_s = 50.0;
  auto f = make_value_fault(p, 4, "gm");
  auto r = run(*f, 400'000);
  // Skip the first 10 tau (the walk starts at 0), then estimate.
  double s = 0, s2 = 0, lag = 0;
  const std::size_t from = 500;
  for (std::size_t k = from; k < r.size(); ++k) {
    s += r[k].value;
    s2 += r[k].value * r[k].value;
    if (k > from) lag += r[k].value * r[k - 1].value;
  }
  const double n = static_cast<double>(r.size() - from);
  const double var = s2 / n - (s / n) * (s / n);
  // ~4000 correlation times: the variance's relative error is ~3 %; tolerance 10 %.
  CHECK(std::sqrt(var) == doctest::Approx(2.0).epsilon(0.05));
  CHECK(lag / n / var == doctest::Approx(std::exp(-1.0 / 50.0)).epsilon(0.01));
}

TEST_CASE("EMI spikes: Poisson count at the stated rate, heavy-tailed amplitudes labelled one by one") {
  // 20 spikes per hour for 500 h = 10 000 expected; Poisson sd 100; tolerance 400.
  auto p = params("emi_spikes");
  p.rate_per_s_events = 20.0 / 3600;
  p.amplitude = {LawKind::kPareto, 1.0, 2.5};
  auto f = make_value_fault(p, 5, "emi");
  auto r = run(*f, 500 * 3600);
  std::vector<FaultEvent> ev;
  f->events(ev, 500 * 3600);
  CHECK(std::fabs(static_cast<double>(ev.size()) - 10000.0) < 400.0);
  std::size_t touched = 0;
  for (const auto& s : r) touched += (s.mask & kFaultEmiSpike) ? 1 : 0;
  CHECK(touched == ev.size());  // width 1: one sample per spike
  double mean_abs = 0;
  for (const auto& e : ev) mean_abs += std::fabs(e.magnitude);
  // Pareto(1, 2.5) mean 5/3; its sd is ~1.5, so the mean of 10 000 is within 0.1.
  CHECK(mean_abs / ev.size() == doctest::Approx(5.0 / 3.0).epsilon(0.06));
}

TEST_CASE("EMI spikes: spikes last width_samples, and arrivals during a spike merge into it") {
  auto p = params("emi_spikes");
  p.rate_per_s_events = 30.0 / 3600;
  p.width_samples = 2;
  p.amplitude = Law::fixed(5.0);
  auto f = make_value_fault(p, 11, "edge-01/vib");
  const int n = 500 * 3600;
  auto r = run(*f, n);
  std::vector<FaultEvent> ev;
  f->events(ev, n);
  // 15 000 arrivals expected; a 2 s spike absorbs the ~1.7 % that fall in it.
  CHECK(static_cast<double>(ev.size()) == doctest::Approx(15000 * (1 - 30.0 / 3600 * 2)).epsilon(0.03));
  const auto hit = std::count_if(r.begin(), r.end(), [](const SampleContext& s) { return s.mask != 0; });
  CHECK(static_cast<double>(hit) == doctest::Approx(2.0 * ev.size()).epsilon(0.001));
}

TEST_CASE("EMI bursts: rate x spikes per burst, and none while the heavy load is off") {
  // Centres 10/h, 4 spikes per burst on average, over 400 h: 16 000 spikes
  // (sd ~ sqrt(4000 * (4 + 16)) = 283 for a compound Poisson); tolerance 1000.
  auto p = params("emi_bursts");
  p.rate_per_s_events = 10.0 / 3600;
  p.spikes_per_burst = 4.0;
  p.burst_spread_s = 5.0;
  p.amplitude = Law::fixed(3.0);
  auto f = make_value_fault(p, 6, "bursts");
  run(*f, 400 * 3600);
  std::vector<FaultEvent> ev;
  f->events(ev, 400 * 3600);
  CHECK(std::fabs(static_cast<double>(ev.size()) - 16000.0) < 1000.0);
  // The motor runs in the first half of every hour only: half the bursts.
  p.gate = [](double t) { return std::fmod(t, 3600.0) < 1800.0; };
  auto gated = make_value_fault(p, 6, "bursts-gated");
  run(*gated, 400 * 3600);
  std::vector<FaultEvent> ev2;
  gated->events(ev2, 400 * 3600);
  CHECK(std::fabs(static_cast<double>(ev2.size()) - 8000.0) < 700.0);
  for (const auto& e : ev2) CHECK(std::fmod(e.start_s, 3600.0) < 1800.0 + 60.0);  // spread after the centre
}

TEST_CASE("Middleton Class A: impulse fraction 1 - e^-A and total power sigma^2") {
  auto p = params("impulsive_noise");
  p.sigma = 1.0;
  p.impulsive_index = 0.1;
  p.gaussian_ratio = 0.01;
  auto f = make_value_fault(p, 8, "classA");
  auto r = run(*f, 1'000'000);
  double s2 = 0;
  std::size_t impulses = 0;
  for (const auto& s : r) {
    s2 += s.value * s.value;
    impulses += (s.mask & kFaultImpulsiveNoise) ? 1 : 0;
  }
  CHECK(static_cast<double>(impulses) / r.size() == doctest::Approx(1 - std::exp(-0.1)).epsilon(0.02));
  CHECK(s2 / r.size() == doctest::Approx(1.0).epsilon(0.03));
  // Heavy tails: far more 5-sigma samples than a Gaussian's 5.7e-7.
  std::size_t big = 0;
  for (const auto& s : r) big += std::fabs(s.value) > 5.0 ? 1 : 0;
  CHECK(big > 100);
}

TEST_CASE("sentinels: the catalogue's codes, per sample at rate p, and hold-last") {
  auto p = params("sentinel");
  p.code = "-9999";
  p.probability = 0.02;
  auto f = make_value_fault(p, 9, "sent");
  auto r = run(*f, 200'000, 42.0);
  std::size_t replaced = 0;
  for (const auto& s : r)
    if (s.mask & kFaultSentinel) {
      ++replaced;
      CHECK(s.value == -9999.0);
    }
  // Binomial(200 000, 0.02): mean 4000, sd 63; tolerance 250.
  CHECK(std::fabs(static_cast<double>(replaced) - 4000.0) < 250.0);
  std::vector<FaultEvent> ev;
  f->events(ev, 200'000);
  CHECK(ev.size() == replaced);

  for (const char* code : {"nan", "+inf", "-inf"}) {
    auto q = params("sentinel");
    q.code = code;
    auto g = make_value_fault(q, 9, "all");
    CHECK_FALSE(std::isfinite(run(*g, 1)[0].value));
  }
  auto h = params("sentinel");
  h.code = "hold_last";
  h.activity = {5, 8, false, 0, Law::fixed(0)};
  auto hold = make_value_fault(h, 9, "hold");
  std::vector<double> seen;
  for (int k = 1; k <= 10; ++k) {
    SampleContext s;
    s.t_s = k;
    s.value = k * 10.0;
    hold->apply(s);
    seen.push_back(s.value);
  }
  CHECK(seen == std::vector<double>{10, 20, 30, 40, 40, 40, 40, 80, 90, 100});
}

TEST_CASE("4-20 mA loop failure: a naive conversion makes NAMUR failure currents plausible") {
  auto p = params("current_loop_failure");
  p.current_ma = 3.6;
  auto naive = make_value_fault(p, 1, "loop");
  // Range 0..10 bar: 3.6 mA reads -0.25 bar, inside a 5 % plausibility margin.
  CHECK(run(*naive, 1, 5.0, 0.0, 10.0)[0].value == doctest::Approx(-0.25));
  p.current_ma = 21.0;
  CHECK(run(*make_value_fault(p, 1, "loop"), 1, 5.0, 0.0, 10.0)[0].value == doctest::Approx(10.625));
  p.naive_conversion = false;
  CHECK(std::isnan(run(*make_value_fault(p, 1, "loop"), 1, 5.0, 0.0, 10.0)[0].value));
}

TEST_CASE("stuck-at holds the first value of each episode; dropout removes samples at rate p") {
  auto p = params("stuck_at");
  p.activity = stochastic(1.0 / 200, Law::fixed(50));
  auto f = make_value_fault(p, 10, "stuck");
  std::uint64_t episode_values_ok = 0;
  double held = NAN;
  bool in = false;
  for (int k = 1; k <= 20'000; ++k) {
    SampleContext s;
    s.t_s = k;
    s.value = k;
    f->apply(s);
    const bool stuck = s.mask & kFaultStuckAt;
    if (stuck && !in) held = k;  // the first sample of the episode
    if (stuck) episode_values_ok += s.value == held;
    if (stuck) CHECK(s.value == held);
    in = stuck;
  }
  CHECK(episode_values_ok > 1000);

  auto d = params("dropout");
  d.probability = 0.1;
  auto drop = make_value_fault(d, 11, "drop");
  auto r = run(*drop, 100'000);
  const auto missing = std::count_if(r.begin(), r.end(), [](const SampleContext& s) { return s.missing; });
  CHECK(std::fabs(static_cast<double>(missing) - 10000.0) < 400.0);  // sd 95
}

TEST_CASE("ADC faults: coarser quantisation and narrower rails") {
  auto q = params("quantisation");
  q.adc_bits = 4;  // 15 steps over 0..150: q = 10
  auto f = make_value_fault(q, 1, "adc");
  CHECK(run(*f, 1, 44.0, 0.0, 150.0)[0].value == doctest::Approx(40.0));
  auto s = params("saturation");
  s.rail_lo = 0.0;
  s.rail_hi = 12.0;
  auto sat = make_value_fault(s, 1, "adc");
  const auto r = run(*sat, 1, 30.0);
  CHECK(r[0].value == 12.0);
  CHECK(r[0].mask == kFaultSaturation);
}

TEST_CASE("value faults draw from their own streams: another fault on the same sensor changes nothing") {
  auto p = params("high_noise");
  p.sigma = 1.0;
  auto a1 = make_value_fault(p, 12, "f1@edge-1/vib");
  auto first = run(*a1, 1000);
  // The same fault again, with another fault's draws interleaved on the same samples.
  auto a2 = make_value_fault(p, 12, "f1@edge-1/vib");
  auto other_p = params("emi_spikes");
  other_p.rate_per_s_events = 0.1;
  other_p.amplitude = Law::fixed(5);
  auto other = make_value_fault(other_p, 12, "f2@edge-1/vib");
  for (int k = 1; k <= 1000; ++k) {
    SampleContext s;
    s.t_s = k;
    a2->apply(s);
    const double mine = s.value;
    other->apply(s);
    CHECK(mine == first[static_cast<std::size_t>(k - 1)].value);
  }
}

TEST_CASE("every value fault's label kind is one that attribution knows as a sensor fault") {
  const auto& known = twinbed::analysis::sensor_label_kinds();
  for (const std::string& kind : value_fault_kinds()) {
    auto p = params(kind);
    p.code = "zero";
    auto f = make_value_fault(p, 1, "x");
    CHECK_MESSAGE(std::find(known.begin(), known.end(), f->kind()) != known.end(), f->kind());
    CHECK(fault_bit_of(kind) != 0);
  }
}

TEST_CASE("outage renewal: Weibull up times, Pareto down times, availability E[up]/(E[up]+E[down])") {
  // Up ~ Weibull(scale 20 000 s, shape 1.5): mean 18 055 s. Down ~ Pareto(x_m
  // 600 s, alpha 2.5): mean 1000 s, heavy-tailed. Unavailability 0.05248.
  // Over 5e8 s (~26 000 cycles) the heavy tail makes the estimate noisier
  // than a binomial one; tolerance 8 % relative.
  EpisodeParams e;
  e.stochastic = true;
  e.quiet_law = true;
  e.quiet = {LawKind::kWeibull, 20000.0, 1.5};
  e.duration = {LawKind::kPareto, 600.0, 2.5};
  EpisodeProcess p(e, RandomStream(21, "site", "outage"));
  double down = 0;
  const double horizon = 5e8;
  for (const auto& w : p.windows_until(horizon)) down += std::min(w.end_s, horizon) - w.start_s;
  const double expected = e.duration.mean() / (e.quiet.mean() + e.duration.mean());
  CHECK(down / horizon == doctest::Approx(expected).epsilon(0.08));
  // Windows are ordered and never overlap (an alternating process).
  const auto& w = p.windows();
  for (std::size_t i = 1; i < w.size(); ++i) CHECK(w[i].start_s >= w[i - 1].end_s);
}

TEST_CASE("Gilbert-Elliott: mean loss [r(1-k) + p(1-h)]/(p+r) and mean burst length 1/r") {
  // The FAULTS.md example: p = 0.015, r = 0.735, 1-h = 1, 1-k = 0: 2 % loss,
  // bursts of 1.36 packets. Over 2 M packets: ~40 000 losses in ~29 400 bursts.
  GilbertElliottParams ge{0.015, 0.735, 0.0, 1.0};
  GilbertElliott link(ge, RandomStream(31, "edge-1", "uplink"));
  const int n = 2'000'000;
  int lost = 0, bursts = 0;
  bool previous = false;
  for (int i = 0; i < n; ++i) {
    const bool l = link.lost();
    lost += l;
    bursts += l && !previous;
    previous = l;
  }
  CHECK(ge.mean_loss() == doctest::Approx(0.02));
  CHECK(static_cast<double>(lost) / n == doctest::Approx(0.02).epsilon(0.03));
  CHECK(static_cast<double>(lost) / bursts == doctest::Approx(1.0 / 0.735).epsilon(0.03));
  // Loss in the Good state too (1-k = 0.01), partial loss in Bad (1-h = 0.5).
  GilbertElliottParams mixed{0.05, 0.2, 0.01, 0.5};
  GilbertElliott link2(mixed, RandomStream(31, "edge-2", "uplink"));
  int lost2 = 0;
  for (int i = 0; i < n; ++i) lost2 += link2.lost();
  CHECK(static_cast<double>(lost2) / n == doctest::Approx(mixed.mean_loss()).epsilon(0.03));
}
