#include <doctest/doctest.h>

#include "devices/reading_buffer.hpp"

using namespace twinbed::devices;

namespace {
Reading reading(std::uint64_t seq) {
  Reading r;
  r.record.seq = seq;
  r.truth.true_time_s = static_cast<double>(seq);
  return r;
}
}  // namespace

TEST_CASE("buffer: drop_oldest keeps the newest readings and reports each eviction") {
  ReadingBuffer b(4, OverflowPolicy::kDropOldest);
  std::vector<std::uint64_t> evicted;
  for (std::uint64_t s = 0; s < 10; ++s)
    if (auto lost = b.push(reading(s))) evicted.push_back(lost->record.seq);
  CHECK(evicted == std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5});
  CHECK(b.size() == 4);
  CHECK(b.overflows() == 6);
  std::vector<twinbed::pipeline::Record> out;
  std::vector<ReadingTruth> truth;
  b.take_into(10, out, truth);
  REQUIRE(out.size() == 4);
  CHECK(out.front().seq == 6);
  CHECK(out.back().seq == 9);
  CHECK(truth.back().true_time_s == 9.0);
}

TEST_CASE("buffer: drop_newest keeps the oldest readings") {
  ReadingBuffer b(4, OverflowPolicy::kDropNewest);
  std::vector<std::uint64_t> rejected;
  for (std::uint64_t s = 0; s < 10; ++s)
    if (auto lost = b.push(reading(s))) rejected.push_back(lost->record.seq);
  CHECK(rejected == std::vector<std::uint64_t>{4, 5, 6, 7, 8, 9});
  std::vector<twinbed::pipeline::Record> out;
  std::vector<ReadingTruth> truth;
  b.take_into(2, out, truth);
  CHECK(out[0].seq == 0);
  CHECK(out[1].seq == 1);
  CHECK(b.oldest_true_time_s() == 2.0);
  CHECK(b.peak() == 4);
}

TEST_CASE("buffer: order is preserved across wrap-around and growth") {
  ReadingBuffer b(1000, OverflowPolicy::kDropOldest);
  std::uint64_t next = 0, expect = 0;
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 37; ++i) CHECK_FALSE(b.push(reading(next++)));
    std::vector<twinbed::pipeline::Record> out;
    std::vector<ReadingTruth> truth;
    b.take_into(29, out, truth);
    for (const auto& r : out) CHECK(r.seq == expect++);
  }
  CHECK(b.size() == next - expect);
}

TEST_CASE("buffer: drained rings are recycled between buffers without mixing their readings") {
  // Three buffers fill and drain in turn, as devices of one time slot do: each
  // takes back a ring another just returned, and must see only its own data.
  std::vector<ReadingBuffer> buffers;
  for (int i = 0; i < 3; ++i) buffers.emplace_back(100, OverflowPolicy::kDropOldest);
  std::vector<std::uint64_t> next(3, 0), expect(3, 0);
  for (int round = 0; round < 20; ++round) {
    for (std::size_t d = 0; d < buffers.size(); ++d) {
      const int n = 5 + round % 7 + static_cast<int>(d) * 20;  // sizes cross the 16/32/64 classes
      for (int i = 0; i < n; ++i) buffers[d].push(reading(d * 1'000'000 + next[d]++));
      std::vector<twinbed::pipeline::Record> out;
      std::vector<ReadingTruth> truth;
      buffers[d].take_into(1000, out, truth);
      CHECK(buffers[d].empty());
      REQUIRE(out.size() == static_cast<std::size_t>(n));
      for (const auto& r : out) CHECK(r.seq == d * 1'000'000 + expect[d]++);
    }
  }
  // A buffer that was drained and refilled keeps ring order across a wrap.
  ReadingBuffer b(8, OverflowPolicy::kDropOldest);
  for (std::uint64_t s = 0; s < 3; ++s) b.push(reading(s));
  std::vector<twinbed::pipeline::Record> out;
  std::vector<ReadingTruth> truth;
  b.take_into(3, out, truth);
  for (std::uint64_t s = 10; s < 30; ++s) b.push(reading(s));  // 20 into capacity 8: keeps 22..29
  out.clear();
  b.take_into(100, out, truth);
  REQUIRE(out.size() == 8);
  CHECK(out.front().seq == 22);
  CHECK(out.back().seq == 29);
}

TEST_CASE("buffer: downsample keeps a uniform, coarser record of the whole span") {
  ReadingBuffer b(8, OverflowPolicy::kDownsample);
  std::vector<std::uint64_t> thinned;
  auto push = [&](std::uint64_t s, std::uint32_t sensor = 0) {
    Reading r = reading(s);
    r.record.sensor = sensor;
    CHECK_FALSE(b.push(r).has_value());  // nothing is refused outright
    for (const Reading& t : b.thinned()) thinned.push_back(t.record.seq);
    b.thinned().clear();
  };
  auto drain = [&] {
    std::vector<twinbed::pipeline::Record> out;
    std::vector<ReadingTruth> truth;
    b.take_into(100, out, truth);
    std::vector<std::uint64_t> kept;
    for (const auto& r : out) kept.push_back(r.seq);
    return kept;
  };
  for (std::uint64_t s = 0; s <= 8; ++s) push(s);  // the 9th reading halves the buffer: stride 2
  CHECK(thinned == std::vector<std::uint64_t>{1, 3, 5, 7});
  CHECK(b.size() == 5);
  for (std::uint64_t s = 9; s <= 20; ++s)
    push(s);  // every second new one; full at 14, halved again at 16: stride 4
  CHECK(thinned == std::vector<std::uint64_t>{1, 3, 5, 7, 9, 11, 13, 15, 2, 6, 10, 14, 17, 18, 19});
  CHECK(b.overflows() == 15);
  CHECK(drain() == std::vector<std::uint64_t>{0, 4, 8, 12, 16, 20});  // evenly spaced, oldest to newest
  // Drained: the stride is back to 1.
  thinned.clear();
  for (std::uint64_t s = 21; s <= 24; ++s) push(s);
  CHECK(thinned.empty());
  CHECK(drain() == std::vector<std::uint64_t>{21, 22, 23, 24});
  // Each sensor is thinned on its own: interleaved sensors both keep half.
  for (std::uint64_t s = 0; s <= 8; ++s) push(100 + s, static_cast<std::uint32_t>(s % 2));
  CHECK(drain() == std::vector<std::uint64_t>{100, 101, 104, 105, 108});
}

TEST_CASE("reading buffer: a range near the tail is taken out and the rest closes the gap") {
  ReadingBuffer b(100, OverflowPolicy::kDropOldest);
  for (std::uint64_t i = 0; i < 40; ++i) {
    Reading r;
    r.truth.serial = i;
    r.record.seq = i;
    b.push(r);
  }
  CHECK(b.count_tail_from(30) == 10);
  CHECK(b.count_tail_from(0) == 40);
  CHECK(b.count_tail_from(40) == 0);
  std::vector<twinbed::pipeline::Record> records;
  std::vector<ReadingTruth> truth;
  b.take_range_into(30, 4, records, truth);  // serials 30..33
  REQUIRE(records.size() == 4);
  CHECK(records.front().seq == 30);
  CHECK(records.back().seq == 33);
  CHECK(b.size() == 36);
  CHECK(b.at(29).truth.serial == 29);
  CHECK(b.at(30).truth.serial == 34);
  CHECK(b.count_tail_from(30) == 6);
  records.clear();
  truth.clear();
  b.take_into(36, records, truth);
  REQUIRE(records.size() == 36);
  for (std::size_t i = 1; i < records.size(); ++i) CHECK(records[i].seq > records[i - 1].seq);
}

TEST_CASE("reading buffer: aggregate keeps the whole span as means of equal runs, nothing lost") {
  ReadingBuffer b(8, OverflowPolicy::kAggregate);
  for (std::uint64_t i = 0; i < 32; ++i) {
    Reading r;
    r.truth.serial = i;
    r.record.seq = i;
    r.record.device_time_s = static_cast<double>(i);
    r.record.value = static_cast<double>(i);
    r.truth.true_value = 2.0 * static_cast<double>(i);
    CHECK_FALSE(b.push(r).has_value());  // an aggregating buffer never loses a reading
  }
  CHECK(b.overflows() == 0);
  CHECK(b.merged().size() == 24);
  std::vector<twinbed::pipeline::Record> records;
  std::vector<ReadingTruth> truth;
  b.take_into(8, records, truth);
  REQUIRE(records.size() == 8);
  for (std::size_t k = 0; k < 8; ++k) {  // runs of 4: 0..3, 4..7, …, the mean of each
    CHECK(records[k].count == 4);
    CHECK(records[k].seq == 4 * k);
    CHECK(records[k].device_time_s == doctest::Approx(4.0 * static_cast<double>(k)));
    CHECK(records[k].value == doctest::Approx(4.0 * static_cast<double>(k) + 1.5));
    CHECK(truth[k].true_value == doctest::Approx(2.0 * (4.0 * static_cast<double>(k) + 1.5)));
  }
  // Drained: the stride is back to 1, new readings take a slot each.
  Reading r;
  r.record.value = 7.0;
  b.push(r);
  b.push(r);
  CHECK(b.size() == 2);
}

TEST_CASE("reading buffer: aggregates are per sensor; a sentinel poisons its run's mean") {
  ReadingBuffer b(4, OverflowPolicy::kAggregate);
  for (std::uint64_t i = 0; i < 8; ++i) {
    Reading r;
    r.record.sensor = static_cast<std::uint32_t>(i % 2);
    r.record.seq = i;
    r.record.value = (i == 6) ? -9999.0 : 10.0 * static_cast<double>(r.record.sensor);
    b.push(r);
  }
  std::vector<twinbed::pipeline::Record> records;
  std::vector<ReadingTruth> truth;
  b.take_into(4, records, truth);
  REQUIRE(records.size() == 4);
  CHECK(records[0].sensor == 0);
  CHECK(records[0].value == doctest::Approx(0.0));
  CHECK(records[1].sensor == 1);
  CHECK(records[1].value == doctest::Approx(10.0));
  CHECK(records[2].sensor == 0);
  CHECK(records[2].value == doctest::Approx(-9999.0 / 2.0));  // the naive mean of 0 and -9999
  CHECK(records[3].value == doctest::Approx(10.0));
  for (const auto& rec : records) CHECK(rec.count == 2);
}
