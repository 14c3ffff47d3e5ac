#include "faults/value_faults.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <queue>
#include <stdexcept>

namespace twinbed::faults {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

/// Per-sample Bernoulli(p) trials by skipping: the gap to the next success is
/// geometric, so one draw per success instead of one per sample (sentinels and
/// dropouts at p = 1e-4 on 10,000 sensors would otherwise draw 10,000 times a
/// second). The sequence of successes has exactly the Bernoulli law.
class BernoulliSkipper {
 public:
  explicit BernoulliSkipper(double p) : p_(p) {}
  /// One trial; true on a success.
  bool trial(RandomStream& s) {
    if (p_ >= 1.0) return true;
    if (p_ <= 0.0) return false;
    if (gap_ < 0) draw_gap(s);
    if (gap_-- > 0) return false;
    draw_gap(s);
    return true;
  }

 private:
  void draw_gap(RandomStream& s) {  // failures before the next success: Geometric(p) on {0, 1, ...}
    const double g = std::floor(std::log(s.uniform_open0()) / std::log1p(-p_));
    gap_ = g > 9e18 ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(g);
  }
  double p_;
  std::int64_t gap_ = -1;
};

// ---- kCalibration ---------------------------------------------------------

class Offset final : public ValueFault {
 public:
  Offset(const ValueFaultKind& k, const ValueFaultParams& p, RandomStream a, RandomStream v)
      : ValueFault(k, p.activity, a, v), bias_(p.bias) {
    magnitude_ = bias_;
  }
  void apply(SampleContext& s) override {
    if (!activity_.active_at(s.t_s)) return;
    s.value += bias_;
    mark(s);
  }

 private:
  double bias_;
};

class Gain final : public ValueFault {
 public:
  Gain(const ValueFaultKind& k, const ValueFaultParams& p, RandomStream a, RandomStream v)
      : ValueFault(k, p.activity, a, v), gain_(p.gain) {
    magnitude_ = gain_;
  }
  void apply(SampleContext& s) override {
    if (!activity_.active_at(s.t_s)) return;
    s.value *= 1.0 + gain_;
    mark(s);
  }

 private:
  double gain_;
};

// ---- kAdditive --------------------------------------------------------------

/// b(t) = rate · (t − episode start). A held drift keeps its final bias after
/// a scheduled window ends (no recalibration); its label runs to the end.
class LinearDrift final : public ValueFault {
 public:
  LinearDrift(const ValueFaultKind& k, const ValueFaultParams& p, RandomStream a, RandomStream v)
      : ValueFault(k, p.activity, a, v), rate_(p.rate_per_s), hold_(p.hold_after_end) {}
  void apply(SampleContext& s) override {
    if (activity_.active_at(s.t_s)) {
      s.value += rate_ * (s.t_s - activity_.current().start_s);
      mark(s);
    } else if (hold_ && !activity_.windows().empty()) {
      const Window& w = activity_.windows().back();
      s.value += rate_ * (w.end_s - w.start_s);
      mark(s);
    }
  }
  void events(std::vector<FaultEvent>& out, double run_end_s) const override {
    for (const Window& w : activity_.windows())
      out.push_back({w.start_s, hold_ ? run_end_s : w.end_s, rate_});
  }

 private:
  double rate_;
  bool hold_;
};

/// b_k = b_{k−1} + σ·√Δt·N(0,1), restarting at 0 with each episode.
class RandomWalkDrift final : public ValueFault {
 public:
  RandomWalkDrift(const ValueFaultKind& k, const ValueFaultParams& p, RandomStream a, RandomStream v)
      : ValueFault(k, p.activity, a, v), sigma_(p.sigma) {
    magnitude_ = sigma_;
  }
  void apply(SampleContext& s) override {
    if (!activity_.active_at(s.t_s)) return;
    if (activity_.episode_number() != episode_) {
      episode_ = activity_.episode_number();
      bias_ = 0.0;
      last_t_ = activity_.current().start_s;
    }
    bias_ += sigma_ * std::sqrt(std::max(0.0, s.t_s - last_t_)) * stream_.normal();
    last_t_ = s.t_s;
    s.value += bias_;
    mark(s);
  }

 private:
  double sigma_, bias_ = 0.0, last_t_ = 0.0;
  std::uint64_t episode_ = 0;
};

/// First-order Gauss–Markov: b_k = e^{−Δt/τ}·b_{k−1} + σ·√(1−e^{−2Δt/τ})·N(0,1),
/// stationary standard deviation σ, starting at 0 with each episode.
class GaussMarkovDrift final : public ValueFault {
 public:
  GaussMarkovDrift(const ValueFaultKind& k, const ValueFaultParams& p, RandomStream a, RandomStream v)
      : ValueFault(k, p.activity, a, v), sigma_(p.sigma), tau_s_(p.tau_s) {
    magnitude_ = sigma_;
  }
  void apply(SampleContext& s) override {
    if (!activity_.active_at(s.t_s)) return;
    if (activity_.episode_number() != episode_) {
      episode_ = activity_.episode_number();
      bias_ = 0.0;
      last_t_ = activity_.current().start_s;
    }
    const double phi = std::exp(-std::max(0.0, s.t_s - last_t_) / tau_s_);
    bias_ = phi * bias_ + sigma_ * std::sqrt(1.0 - phi * phi) * stream_.normal();
    last_t_ = s.t_s;
    s.value += bias_;
    mark(s);
  }

 private:
  double sigma_, tau_s_, bias_ = 0.0, last_t_ = 0.0;
  std::uint64_t episode_ = 0;
};

class HighNoise final : public ValueFault {
 public:
  HighNoise(const ValueFaultKind& k, const ValueFaultParams& p, RandomStream a, RandomStream v)
      : ValueFault(k, p.activity, a, v), sigma_(p.sigma) {
    magnitude_ = sigma_;
  }
  void apply(SampleContext& s) override {
    if (!activity_.active_at(s.t_s)) return;
    s.value += sigma_ * stream_.normal();
    mark(s);
  }

 private:
  double sigma_;
};

/// Middleton Class A: the number of overlapping impulses m ~ Poisson(A); the
/// sample gets N(0, σ_m²) with σ_m² = σ²·(m/A + Γ)/(1 + Γ) (total power σ²).
/// The fault bit marks samples with at least one impulse.
class ImpulsiveNoise final : public ValueFault {
 public:
  ImpulsiveNoise(const ValueFaultKind& k, const ValueFaultParams& p, RandomStream a, RandomStream v)
      : ValueFault(k, p.activity, a, v), sigma_(p.sigma), a_(p.impulsive_index), gamma_(p.gaussian_ratio) {
    magnitude_ = a_;
  }
  void apply(SampleContext& s) override {
    if (!activity_.active_at(s.t_s)) return;
    // Poisson(A) by inversion: A is small (0.01–1), so a few steps at most.
    int m = 0;
    double p = std::exp(-a_), cdf = p;
    const double u = stream_.uniform();
    while (u > cdf && m < 1000) {
      ++m;
      p *= a_ / m;
      cdf += p;
    }
    const double var = sigma_ * sigma_ * (m / a_ + gamma_) / (1.0 + gamma_);
    s.value += std::sqrt(var) * stream_.normal();
    if (m > 0) mark(s);
  }

 private:
  double sigma_, a_, gamma_;
};

/// EMI spikes: Poisson arrivals, amplitude |law| with a random sign, each
/// lasting width_samples samples; arrivals during a spike merge into it.
class EmiSpikes final : public ValueFault {
 public:
  EmiSpikes(const ValueFaultKind& k, const ValueFaultParams& p, RandomStream a, RandomStream v)
      : ValueFault(k, p.activity, a, v),
        rate_(p.rate_per_s_events),
        amplitude_(p.amplitude),
        width_(p.width_samples) {
    per_event_ = true;
    next_arrival_s_ = p.activity.start_s;
    draw_next();
  }
  void apply(SampleContext& s) override {
    if (samples_left_ > 0) {
      --samples_left_;
      while (next_arrival_s_ <= s.t_s) draw_next();
      s.value += amplitude_now_;
      mark(s);
      return;
    }
    if (s.t_s < next_arrival_s_) return;
    while (next_arrival_s_ <= s.t_s) draw_next();
    if (!activity_.active_at(s.t_s)) return;
    const double sign = stream_.bernoulli(0.5) ? 1.0 : -1.0;
    amplitude_now_ = sign * std::fabs(amplitude_.sample(stream_));
    samples_left_ = width_ - 1;
    events_.push_back({s.t_s, s.t_s + width_ * s.period_s, amplitude_now_});
    s.value += amplitude_now_;
    mark(s);
  }

 private:
  void draw_next() {
    next_arrival_s_ = rate_ > 0 ? next_arrival_s_ + stream_.exponential(1.0 / rate_) : kInf;
  }
  double rate_;
  Law amplitude_;
  int width_;
  double next_arrival_s_ = 0, amplitude_now_ = 0;
  int samples_left_ = 0;
};

/// EMI bursts: a Neyman–Scott cluster process. Burst centres arrive as a
/// Poisson process; a centre at which gate(t) is false (the heavy load is off)
/// makes no burst. Each burst has Poisson(μ) spikes at exponential offsets
/// (mean `spread`) after its centre; a spike hits the first sample at or after
/// it, and spikes hitting one sample add up.
class EmiBursts final : public ValueFault {
 public:
  EmiBursts(const ValueFaultKind& k, const ValueFaultParams& p, RandomStream a, RandomStream v)
      : ValueFault(k, p.activity, a, v),
        rate_(p.rate_per_s_events),
        mu_(p.spikes_per_burst),
        spread_s_(p.burst_spread_s),
        amplitude_(p.amplitude),
        gate_(p.gate) {
    per_event_ = true;
    next_centre_s_ = p.activity.start_s;
    draw_centre();
  }
  void apply(SampleContext& s) override {
    while (next_centre_s_ <= s.t_s) {  // every centre up to now seeds its spikes
      if (activity_.active_at(next_centre_s_) && (!gate_ || gate_(next_centre_s_)))
        seed_burst(next_centre_s_);
      draw_centre();
    }
    double total = 0;
    bool hit = false;
    while (!pending_.empty() && pending_.top().first <= s.t_s) {
      const auto [t, amp] = pending_.top();  // between two samples: it hits the next one
      pending_.pop();
      total += amp;
      hit = true;
      events_.push_back({t, t + s.period_s, amp});
    }
    if (!hit) return;
    s.value += total;
    mark(s);
  }

 private:
  void draw_centre() {
    next_centre_s_ = rate_ > 0 ? next_centre_s_ + stream_.exponential(1.0 / rate_) : kInf;
  }
  void seed_burst(double centre_s) {
    // Poisson(μ) by multiplication of uniforms (μ is a few spikes).
    int n = 0;
    for (double prod = stream_.uniform_open0(), limit = std::exp(-mu_); prod > limit;
         prod *= stream_.uniform_open0())
      ++n;
    for (int i = 0; i < n; ++i) {
      const double t = centre_s + (spread_s_ > 0 ? stream_.exponential(spread_s_) : 0.0);
      const double sign = stream_.bernoulli(0.5) ? 1.0 : -1.0;
      pending_.push({t, sign * std::fabs(amplitude_.sample(stream_))});
    }
  }
  using Spike = std::pair<double, double>;
  struct Later {
    bool operator()(const Spike& a, const Spike& b) const { return a.first > b.first; }
  };
  double rate_, mu_, spread_s_;
  Law amplitude_;
  std::function<bool(double)> gate_;
  double next_centre_s_ = 0;
  std::priority_queue<Spike, std::vector<Spike>, Later> pending_;
};

// ---- kTransducer ------------------------------------------------------------

/// A 4–20 mA transmitter in failure drives its loop to a NAMUR NE 43 failure
/// current (≤ 3.6 mA low, ≥ 21 mA high). A naive conversion maps the current
/// linearly onto the range, 4 mA → range_lo, 20 mA → range_hi, so 3.6 mA reads
/// range_lo − 2.5 % of span: a plausible value. A NE 43-aware conversion
/// (`naive_conversion` false) reports NaN for currents outside 3.8–20.5 mA.
class CurrentLoopFailure final : public ValueFault {
 public:
  CurrentLoopFailure(const ValueFaultKind& k, const ValueFaultParams& p, RandomStream a, RandomStream v)
      : ValueFault(k, p.activity, a, v), current_ma_(p.current_ma), naive_(p.naive_conversion) {
    magnitude_ = current_ma_;
  }
  void apply(SampleContext& s) override {
    if (!activity_.active_at(s.t_s)) return;
    mark(s);
    if (!naive_ && (current_ma_ < 3.8 || current_ma_ > 20.5)) {
      s.value = kNaN;
      return;
    }
    s.value = s.range_lo + (current_ma_ - 4.0) / 16.0 * (s.range_hi - s.range_lo);
  }

 private:
  double current_ma_;
  bool naive_;
};

// ---- kConverter ---------------------------------------------------------------

/// A coarser ADC: `bits` over the sensor's range, v = lo + round((v−lo)/q)·q.
class Quantisation final : public ValueFault {
 public:
  Quantisation(const ValueFaultKind& k, const ValueFaultParams& p, RandomStream a, RandomStream v)
      : ValueFault(k, p.activity, a, v), bits_(p.adc_bits) {
    magnitude_ = bits_;
  }
  void apply(SampleContext& s) override {
    if (!activity_.active_at(s.t_s) || !std::isfinite(s.value)) return;
    const double q = (s.range_hi - s.range_lo) / (std::ldexp(1.0, bits_) - 1.0);
    s.value = s.range_lo + std::round((s.value - s.range_lo) / q) * q;
    mark(s);
  }

 private:
  int bits_;
};

/// Rails narrower than the range (a mis-set gain, a dying reference): clip.
class Saturation final : public ValueFault {
 public:
  Saturation(const ValueFaultKind& k, const ValueFaultParams& p, RandomStream a, RandomStream v)
      : ValueFault(k, p.activity, a, v), lo_(p.rail_lo), hi_(p.rail_hi) {
    magnitude_ = hi_;
  }
  void apply(SampleContext& s) override {
    if (!activity_.active_at(s.t_s) || !std::isfinite(s.value)) return;
    const double clipped = std::clamp(s.value, lo_, hi_);
    if (clipped != s.value) mark(s);
    s.value = clipped;
  }

 private:
  double lo_, hi_;
};

// ---- kOutput ------------------------------------------------------------------

/// The output freezes at the first value of the episode (or at a given value).
class StuckAt final : public ValueFault {
 public:
  StuckAt(const ValueFaultKind& k, const ValueFaultParams& p, RandomStream a, RandomStream v)
      : ValueFault(k, p.activity, a, v), fixed_(p.stuck_at_value), value_(p.stuck_value) {}
  void apply(SampleContext& s) override {
    if (!activity_.active_at(s.t_s)) return;
    if (activity_.episode_number() != episode_) {
      episode_ = activity_.episode_number();
      held_ = fixed_ ? value_ : s.value;
    }
    s.value = held_;
    mark(s);
  }

 private:
  bool fixed_;
  double value_, held_ = 0;
  std::uint64_t episode_ = 0;
};

/// The sentinel catalogue: named codes and their values.
const std::map<std::string, double>& code_catalogue() {
  static const std::map<std::string, double> c = {
      {"-9999", -9999.0}, {"-999", -999.0},       {"9999", 9999.0},        {"99999", 99999.0},
      {"nan", kNaN},      {"+inf", kInf},         {"-inf", -kInf},         {"zero", 0.0},
      {"1e30", 1e30},     {"int16_max", 32767.0}, {"int16_min", -32768.0}, {"uint16_max", 65535.0}};
  return c;
}

/// A fault code takes the place of the value: per sample with `probability`
/// while active (labels: one event per replaced sample), or for whole episodes
/// (probability 1; labels: the windows). Also the firmware bug that maps a
/// fault code into the normal range (kind firmware_code_mapping).
class Sentinel final : public ValueFault {
 public:
  Sentinel(const ValueFaultKind& k, const ValueFaultParams& p, RandomStream a, RandomStream v)
      : ValueFault(k, p.activity, a, v),
        code_(p.code),
        code_value_(code_catalogue().count(p.code) ? code_catalogue().at(p.code) : p.code_value),
        trials_(p.probability) {
    per_event_ = p.probability < 1.0;  // whole episodes are labelled by their windows
    magnitude_ = code_value_;
  }
  void apply(SampleContext& s) override {
    const bool replace = activity_.active_at(s.t_s) && trials_.trial(stream_);
    if (!replace) {
      if (std::isfinite(s.value)) last_good_ = s.value;
      return;
    }
    s.value = code_value(s);
    mark(s);
    if (per_event_) events_.push_back({s.t_s, s.t_s + s.period_s, s.value});
  }

 private:
  double code_value(const SampleContext& s) const {
    if (code_ == "hold_last") return last_good_;
    if (code_ == "adc_low") return s.range_lo;
    if (code_ == "adc_high") return s.range_hi;
    if (code_ == "midrange") return 0.5 * (s.range_lo + s.range_hi);
    return code_value_;  // a catalogue code's value, or code_value
  }
  std::string code_;
  double code_value_;
  BernoulliSkipper trials_;
  double last_good_ = 0;
};

/// The sample goes missing: per sample with `probability` while active.
class Dropout final : public ValueFault {
 public:
  Dropout(const ValueFaultKind& k, const ValueFaultParams& p, RandomStream a, RandomStream v)
      : ValueFault(k, p.activity, a, v), trials_(p.probability) {
    magnitude_ = p.probability;
  }
  void apply(SampleContext& s) override {
    if (!activity_.active_at(s.t_s)) return;
    if (trials_.trial(stream_)) {
      s.missing = true;
      mark(s);
    }
  }

 private:
  BernoulliSkipper trials_;
};

}  // namespace

void ValueFault::events(std::vector<FaultEvent>& out, double run_end_s) const {
  if (per_event_) {
    for (const FaultEvent& e : events_) out.push_back({e.start_s, std::min(e.end_s, run_end_s), e.magnitude});
    return;
  }
  for (const Window& w : activity_.windows()) out.push_back({w.start_s, w.end_s, magnitude_});
}

const std::vector<std::string>& sentinel_codes() {
  static const std::vector<std::string> codes = [] {
    std::vector<std::string> v;
    for (const auto& [name, value] : code_catalogue()) v.push_back(name);
    for (const char* extra : {"hold_last", "adc_low", "adc_high", "midrange", "value"}) v.push_back(extra);
    return v;
  }();
  return codes;
}

namespace {
template <typename Fault>
std::unique_ptr<ValueFault> make(const ValueFaultKind& k, const ValueFaultParams& p, RandomStream a,
                                 RandomStream v) {
  return std::make_unique<Fault>(k, p, a, v);
}
using Factory = std::unique_ptr<ValueFault> (*)(const ValueFaultKind&, const ValueFaultParams&, RandomStream,
                                                RandomStream);
struct KindRow {
  ValueFaultKind kind;
  Factory make;
};

/// The one table of value-fault kinds: scenario name, label, stage, fault bit, class.
const std::vector<KindRow>& kind_table() {
  static const std::vector<KindRow> rows = {
      {{"offset", "offset", Stage::kCalibration, kFaultOffset}, make<Offset>},
      {{"gain", "gain", Stage::kCalibration, kFaultGain}, make<Gain>},
      {{"drift", "drift", Stage::kAdditive, kFaultDrift}, make<LinearDrift>},
      {{"random_walk_drift", "random_walk_drift", Stage::kAdditive, kFaultRandomWalkDrift},
       make<RandomWalkDrift>},
      {{"gauss_markov_drift", "gauss_markov_drift", Stage::kAdditive, kFaultGaussMarkovDrift},
       make<GaussMarkovDrift>},
      {{"high_noise", "high_noise", Stage::kAdditive, kFaultHighNoise}, make<HighNoise>},
      {{"impulsive_noise", "impulsive_noise", Stage::kAdditive, kFaultImpulsiveNoise}, make<ImpulsiveNoise>},
      {{"emi_spikes", "emi_spike", Stage::kAdditive, kFaultEmiSpike}, make<EmiSpikes>},
      {{"emi_bursts", "emi_burst", Stage::kAdditive, kFaultEmiBurst}, make<EmiBursts>},
      {{"current_loop_failure", "current_loop_failure", Stage::kTransducer, kFaultCurrentLoop},
       make<CurrentLoopFailure>},
      {{"quantisation", "quantisation", Stage::kConverter, kFaultQuantisation}, make<Quantisation>},
      {{"saturation", "saturation", Stage::kConverter, kFaultSaturation}, make<Saturation>},
      {{"stuck_at", "stuck_at", Stage::kOutput, kFaultStuckAt}, make<StuckAt>},
      {{"sentinel", "sentinel", Stage::kOutput, kFaultSentinel}, make<Sentinel>},
      {{"firmware_code_mapping", "firmware_code_mapping", Stage::kOutput, kFaultFirmwareCodeMapping},
       make<Sentinel>},
      {{"dropout", "dropout", Stage::kOutput, kFaultDropout}, make<Dropout>}};
  return rows;
}
}  // namespace

const std::vector<std::string>& value_fault_kinds() {
  static const std::vector<std::string> kinds = [] {
    std::vector<std::string> v;
    for (const KindRow& r : kind_table()) v.push_back(r.kind.kind);
    return v;
  }();
  return kinds;
}

std::uint32_t fault_bit_of(const std::string& kind) {
  for (const KindRow& r : kind_table())
    if (kind == r.kind.kind || kind == r.kind.label) return r.kind.bit;
  return 0;
}

std::unique_ptr<ValueFault> make_value_fault(const ValueFaultParams& p, std::uint64_t seed,
                                             const std::string& stream_entity) {
  const RandomStream a(seed, stream_entity, "activity"), v(seed, stream_entity, "value");
  for (const KindRow& r : kind_table()) {
    if (p.kind != r.kind.kind) continue;
    return r.make(r.kind, p, a, v);
  }
  throw std::invalid_argument("unknown value fault kind \"" + p.kind + "\"");
}

}  // namespace twinbed::faults
