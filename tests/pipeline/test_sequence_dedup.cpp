#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "pipeline/sequence_dedup.hpp"

using twinbed::pipeline::SequenceDedup;

TEST_CASE("dedup: each (device, boot, seq) is first exactly once, in any order, with any number of copies") {
  std::vector<std::uint64_t> seqs(5000);
  std::iota(seqs.begin(), seqs.end(), 0);
  std::vector<std::uint64_t> deliveries = seqs;
  deliveries.insert(deliveries.end(), seqs.begin(), seqs.begin() + 1200);  // 1200 duplicates
  std::mt19937_64 rng(7);
  std::shuffle(deliveries.begin(), deliveries.end(), rng);
  SequenceDedup dedup;
  std::size_t firsts = 0;
  for (auto s : deliveries) firsts += dedup.first_time(3, 1, s) ? 1 : 0;
  CHECK(firsts == 5000);
  CHECK(dedup.duplicates() == 1200);
}

TEST_CASE("dedup: boots and devices are separate streams") {
  SequenceDedup dedup;
  CHECK(dedup.first_time(1, 1, 0));
  CHECK(dedup.first_time(1, 2, 0));  // same seq after a reboot: a different reading
  CHECK(dedup.first_time(2, 1, 0));
  CHECK_FALSE(dedup.first_time(1, 1, 0));
  CHECK(dedup.duplicates() == 1);
}

TEST_CASE("dedup: a gap that never closes does not break later de-duplication") {
  SequenceDedup dedup;
  for (std::uint64_t s = 0; s < 100000; ++s)
    if (s != 17) CHECK(dedup.first_time(0, 1, s));
  CHECK_FALSE(dedup.first_time(0, 1, 99999));
  CHECK_FALSE(dedup.first_time(0, 1, 5));
  CHECK(dedup.first_time(0, 1, 17));  // the late arrival is still new
  CHECK_FALSE(dedup.first_time(0, 1, 17));
}
