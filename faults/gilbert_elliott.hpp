// GilbertElliott: bursty packet loss from a two-state Markov chain.
//
// States Good and Bad; per packet the chain moves G→B with probability p and
// B→G with probability r, then the packet is lost with probability
// `loss_good` (1−k) in Good or `loss_bad` (1−h) in Bad. Stationary loss:
//   [r·loss_good + p·loss_bad] / (p + r);
// with loss_good = 0 and loss_bad = 1 losses come in bursts of mean length
// 1/r. Example (FAULTS.md): p = 0.015, r = 0.735 ⇒ 2 % loss, bursts of 1.36.
// The chain starts in its stationary distribution. One draw source per link
// direction, so traffic on one direction never shifts the other's draws.
#pragma once

#include "faults/random_stream.hpp"

namespace twinbed::faults {

struct GilbertElliottParams {
  double p_good_to_bad = 0.0;
  double p_bad_to_good = 1.0;
  double loss_good = 0.0;
  double loss_bad = 1.0;

  double mean_loss() const {
    const double s = p_good_to_bad + p_bad_to_good;
    return s > 0 ? (p_bad_to_good * loss_good + p_good_to_bad * loss_bad) / s : loss_good;
  }
};

class GilbertElliott {
 public:
  GilbertElliott(const GilbertElliottParams& params, RandomStream stream) : p_(params), stream_(stream) {
    const double s = p_.p_good_to_bad + p_.p_bad_to_good;
    bad_ = s > 0 && stream_.uniform() < p_.p_good_to_bad / s;
  }
  /// True when this packet is lost. Consumes two draws.
  bool lost() {
    bad_ = bad_ ? !(stream_.uniform() < p_.p_bad_to_good) : stream_.uniform() < p_.p_good_to_bad;
    return stream_.uniform() < (bad_ ? p_.loss_bad : p_.loss_good);
  }
  bool in_bad_state() const { return bad_; }

 private:
  GilbertElliottParams p_;
  RandomStream stream_;
  bool bad_ = false;
};

}  // namespace twinbed::faults
