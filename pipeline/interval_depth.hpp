// IntervalDepth: a growing multiset of weighted closed intervals and its
// deepest point — the value the heaviest set of intervals agrees on (the
// boot anchor's robust estimate, docs/reconciliation.md "Timestamp repair").
//
// Guarantees:
// - deepest() is a function of the *set* (multiset) of intervals added, not
//   of the order they came in: the region of maximal depth (the total
//   integer weight of the intervals containing a point; closed intervals, so
//   touching ones overlap), the leftmost one when several regions tie.
//   Integer weights make the sums exact, so no tie depends on the order.
// - That region is the intersection of the intervals that contain it, and
//   every interval either contains it or is disjoint from it.
// - add() is O(log n) expected, deepest() O(1) after it (a treap over the
//   endpoints, each node carrying its subtree's sum and maximal prefix sum;
//   its shape depends on a hash of the insertion count, its answers do not).
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace twinbed::pipeline {

class IntervalDepth {
 public:
  struct Region {
    std::int64_t depth = 0;  ///< total weight of the intervals containing it (0: no interval yet)
    double lo = std::numeric_limits<double>::quiet_NaN(), hi = std::numeric_limits<double>::quiet_NaN();
  };

  /// Adds [lo, hi] (lo <= hi) with weight >= 1.
  void add(double lo, double hi, std::int64_t weight = 1);
  const Region& deepest() const { return deepest_; }
  std::size_t size() const { return nodes_.size() / 2; }

 private:
  struct Node {
    double x = 0;
    std::uint8_t closing = 0;  ///< 0: an interval opens here (+weight), 1: one closes here (−weight)
    std::uint32_t id = 0;      ///< insertion order: only to make keys distinct
    std::int64_t delta = 0;
    std::uint64_t priority = 0;
    std::int32_t left = -1, right = -1;
    std::int64_t sum = 0;       ///< of the subtree's deltas
    std::int64_t best = 0;      ///< the subtree's largest prefix sum (over non-empty prefixes)
    std::int32_t best_at = -1;  ///< the node ending the leftmost such prefix
  };
  bool less(const Node& a, const Node& b) const;
  void pull(std::int32_t n);
  std::int32_t merge(std::int32_t a, std::int32_t b);
  /// Splits t into (keys < node k, keys >= node k).
  void split(std::int32_t t, std::int32_t k, std::int32_t& l, std::int32_t& r);
  void insert(std::int32_t k);
  /// The node following k in key order (-1: none).
  std::int32_t successor(std::int32_t k) const;

  std::vector<Node> nodes_;
  std::int32_t root_ = -1;
  Region deepest_;
};

}  // namespace twinbed::pipeline
