// BernoulliLoss: each message on a link is lost independently with probability p.
// Uplink and downlink (acknowledgements) draw from separate streams, so a
// change in traffic on one direction does not shift the other's draws.
#pragma once

#include "faults/random_stream.hpp"

namespace twinbed::faults {

class BernoulliLoss {
 public:
  BernoulliLoss(double probability, RandomStream stream) : probability_(probability), stream_(stream) {}
  /// True when this message is lost. Consumes exactly one draw.
  bool lost() { return stream_.uniform() < probability_; }
  double probability() const { return probability_; }

 private:
  double probability_;
  RandomStream stream_;
};

}  // namespace twinbed::faults
