#include "pipeline/interval_depth.hpp"

#include <tuple>

namespace twinbed::pipeline {

namespace {
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

bool IntervalDepth::less(const Node& a, const Node& b) const {
  return std::tie(a.x, a.closing, a.id) < std::tie(b.x, b.closing, b.id);
}

void IntervalDepth::pull(std::int32_t n) {
  Node& t = nodes_[n];
  const std::int64_t left_sum = t.left >= 0 ? nodes_[t.left].sum : 0;
  // Candidates in key order; a later one replaces only when strictly larger (leftmost wins ties).
  if (t.left >= 0) {
    t.best = nodes_[t.left].best;
    t.best_at = nodes_[t.left].best_at;
  } else {
    t.best = std::numeric_limits<std::int64_t>::min();
    t.best_at = -1;
  }
  if (left_sum + t.delta > t.best) {
    t.best = left_sum + t.delta;
    t.best_at = n;
  }
  if (t.right >= 0 && left_sum + t.delta + nodes_[t.right].best > t.best) {
    t.best = left_sum + t.delta + nodes_[t.right].best;
    t.best_at = nodes_[t.right].best_at;
  }
  t.sum = left_sum + t.delta + (t.right >= 0 ? nodes_[t.right].sum : 0);
}

std::int32_t IntervalDepth::merge(std::int32_t a, std::int32_t b) {
  if (a < 0) return b;
  if (b < 0) return a;
  if (nodes_[a].priority > nodes_[b].priority) {
    nodes_[a].right = merge(nodes_[a].right, b);
    pull(a);
    return a;
  }
  nodes_[b].left = merge(a, nodes_[b].left);
  pull(b);
  return b;
}

void IntervalDepth::split(std::int32_t t, std::int32_t k, std::int32_t& l, std::int32_t& r) {
  if (t < 0) {
    l = r = -1;
    return;
  }
  if (less(nodes_[t], nodes_[k])) {
    split(nodes_[t].right, k, nodes_[t].right, r);
    l = t;
  } else {
    split(nodes_[t].left, k, l, nodes_[t].left);
    r = t;
  }
  pull(t);
}

void IntervalDepth::insert(std::int32_t k) {
  pull(k);
  std::int32_t l = -1, r = -1;
  split(root_, k, l, r);
  root_ = merge(merge(l, k), r);
}

std::int32_t IntervalDepth::successor(std::int32_t k) const {
  std::int32_t t = root_, found = -1;
  while (t >= 0) {
    if (less(nodes_[k], nodes_[t])) {
      found = t;
      t = nodes_[t].left;
    } else {
      t = nodes_[t].right;
    }
  }
  return found;
}

void IntervalDepth::add(double lo, double hi, std::int64_t weight) {
  const auto id = static_cast<std::uint32_t>(nodes_.size());
  Node open, close;
  open.x = lo;
  open.closing = 0;
  open.id = id;
  open.delta = weight;
  open.priority = splitmix64(id);
  close.x = hi;
  close.closing = 1;
  close.id = id + 1;
  close.delta = -weight;
  close.priority = splitmix64(id + 1);
  nodes_.push_back(open);
  nodes_.push_back(close);
  insert(static_cast<std::int32_t>(id));
  insert(static_cast<std::int32_t>(id + 1));
  // The leftmost maximal prefix ends at an opening; the next endpoint closes the region.
  const Node& root = nodes_[root_];
  const std::int32_t end = successor(root.best_at);
  deepest_.depth = root.best;
  deepest_.lo = nodes_[root.best_at].x;
  deepest_.hi = end >= 0 ? nodes_[end].x : nodes_[root.best_at].x;
}

}  // namespace twinbed::pipeline
