// RandomStream: a seeded, portable pseudo-random stream for one (seed, entity,
// purpose) triple.
//
// Guarantees:
// - Determinism across platforms and standard libraries: the generator is
//   xoshiro256** and every distribution is implemented here, not taken from
//   <random> (whose distributions differ between library versions).
// - Independence by construction: the state is derived by hashing the seed,
//   the entity id and the purpose, so adding a fault or a device elsewhere in a
//   scenario never shifts the draws of this stream.
// - Random access where needed: `RandomStream::at(seed, entity, purpose, k)`
//   gives the k-th independent value without advancing any state.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <string_view>

namespace twinbed::faults {

/// FNV-1a, 64 bit: a stable hash for entity and purpose names.
constexpr std::uint64_t fnv1a64(std::string_view text, std::uint64_t hash = 0xcbf29ce484222325ULL) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

/// SplitMix64 step: the standard seeder for the xoshiro family.
constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class RandomStream {
 public:
  RandomStream(std::uint64_t seed, std::string_view entity, std::string_view purpose) {
    std::uint64_t mix = key(seed, entity, purpose);
    for (auto& word : state_) word = splitmix64(mix);
  }

  /// Uniform 64-bit word (xoshiro256**).
  std::uint64_t next_u64() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  /// Uniform in [0, 1), 53 bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  /// Uniform in (0, 1]: safe for logarithms.
  double uniform_open0() { return 1.0 - uniform(); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  bool bernoulli(double p) { return uniform() < p; }
  /// Exponential with the given mean.
  double exponential(double mean) { return -mean * std::log(uniform_open0()); }
  /// Standard normal (Marsaglia's polar method: no trigonometry; the second
  /// value of each pair is cached).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double factor = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * factor;
    has_spare_ = true;
    return u * factor;
  }
  double normal(double mean, double std_dev) { return mean + std_dev * normal(); }
  /// Laplace (double exponential) with location 0 and the given scale.
  double laplace(double scale) {
    const double u = uniform() - 0.5;
    return (u < 0 ? scale : -scale) * std::log(1.0 - 2.0 * std::fabs(u));
  }
  /// Pareto type I with minimum x_m and shape alpha.
  double pareto(double x_m, double alpha) { return x_m / std::pow(uniform_open0(), 1.0 / alpha); }

  /// Key of a counter-based stream: hash once, then draw with `uniform_at(key, k)`.
  static std::uint64_t key(std::uint64_t seed, std::string_view entity, std::string_view purpose) {
    return seed ^ fnv1a64(purpose, fnv1a64(entity) ^ 0x5bd1e995ULL);
  }
  /// The k-th value of a counter-based uniform stream: no state, random access.
  static double uniform_at(std::uint64_t key, std::uint64_t k) {
    std::uint64_t mix = key ^ (k * 0xd1342543de82ef95ULL);
    splitmix64(mix);
    return static_cast<double>(splitmix64(mix) >> 11) * 0x1.0p-53;
  }
  /// The k-th standard normal of a counter-based stream (Box–Muller on two uniforms).
  static double normal_at(std::uint64_t key, std::uint64_t k) {
    const double u1 = 1.0 - uniform_at(key, 2 * k);
    const double u2 = uniform_at(key, 2 * k + 1);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4]{};
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace twinbed::faults
