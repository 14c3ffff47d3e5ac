// The A/B OTA state machine: transitions (table), the bootable-slot invariant
// under a power loss at every step, rollback after N failed trial boots, and
// what resuming a download saves against restarting it.
#include <doctest/doctest.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "devices/ota_update.hpp"

using namespace twinbed::devices;

namespace {
constexpr std::uint32_t kOld = 1;
constexpr std::uint32_t kNew = 2;
constexpr std::uint64_t kImageBytes = 64 * 1024;

enum class ImageKind { kGood, kCorrupt, kCrashes };

FirmwareImage image(ImageKind kind = ImageKind::kGood) {
  return {kNew, kImageBytes, kind == ImageKind::kCorrupt, kind == ImageKind::kCrashes};
}

/// A fresh device (v1 in slot A) driven to `state` with `img`; the clock at 40 s.
OtaUpdater at(OtaState state, ImageKind img = ImageKind::kGood, OtaParams p = {}) {
  OtaUpdater u(p, kOld);
  if (state == OtaState::kIdle) return u;
  REQUIRE(u.begin_download(0.0, image(img)));
  REQUIRE(u.receive(10.0, kImageBytes / 2 + 100) == kImageBytes / 2 + 100);  // mid-chunk
  if (state == OtaState::kDownloading) return u;
  u.receive(20.0, kImageBytes);
  if (state == OtaState::kVerifying) return u;
  REQUIRE(u.verify(30.0));
  if (state == OtaState::kPendingReboot) return u;
  u.reboot(40.0);
  REQUIRE(u.state() == OtaState::kTrial);
  return u;
}

enum class Action { kBegin, kReceiveAll, kInterrupt, kVerify, kConfirm, kReboot, kPowerLoss, kTrialExpires };

/// Applies `a` at 100 s; returns what the call returned (true for the events).
bool apply(OtaUpdater& u, Action a, ImageKind img) {
  switch (a) {
    case Action::kBegin:
      return u.begin_download(100.0, image(img));
    case Action::kReceiveAll:
      return u.receive(100.0, kImageBytes) > 0;
    case Action::kInterrupt:
      return u.interrupt_download(100.0);
    case Action::kVerify:
      return u.verify(100.0);
    case Action::kConfirm:
      return u.confirm(100.0);
    case Action::kReboot:
      u.reboot(100.0);
      return true;
    case Action::kPowerLoss:
      u.power_loss(100.0);
      return true;
    case Action::kTrialExpires:
      u.advance(40.0 + 300.0 + 1.0);  // the trial booted at 40 s; 300 s to confirm
      return true;
  }
  return false;
}

void check_bootable(const OtaUpdater& u) {
  CHECK(u.has_bootable_slot());
  CHECK(u.slot(u.active_slot()).verified);
  CHECK(u.slot(u.running_slot()).verified);
  CHECK(u.running_version() == u.slot(u.running_slot()).version);
  CHECK((u.running_version() == kOld || u.running_version() == kNew));
}
}  // namespace

TEST_CASE("OTA: the A/B state machine's transitions") {
  using S = OtaState;
  using A = Action;
  using I = ImageKind;
  struct Row {
    S from;
    I img;
    A action;
    bool returns;
    S to;
    Slot active;
    std::uint32_t running;
  };
  const std::vector<Row> table{
      {S::kIdle, I::kGood, A::kBegin, true, S::kDownloading, Slot::kA, kOld},
      {S::kIdle, I::kGood, A::kReceiveAll, false, S::kIdle, Slot::kA, kOld},
      {S::kIdle, I::kGood, A::kVerify, false, S::kIdle, Slot::kA, kOld},
      {S::kIdle, I::kGood, A::kConfirm, false, S::kIdle, Slot::kA, kOld},
      {S::kIdle, I::kGood, A::kReboot, true, S::kIdle, Slot::kA, kOld},
      {S::kIdle, I::kGood, A::kPowerLoss, true, S::kIdle, Slot::kA, kOld},
      {S::kDownloading, I::kGood, A::kReceiveAll, true, S::kVerifying, Slot::kA, kOld},
      {S::kDownloading, I::kGood, A::kInterrupt, true, S::kDownloading, Slot::kA, kOld},
      {S::kDownloading, I::kGood, A::kBegin, false, S::kDownloading, Slot::kA, kOld},
      {S::kDownloading, I::kGood, A::kVerify, false, S::kDownloading, Slot::kA, kOld},
      {S::kDownloading, I::kGood, A::kReboot, true, S::kIdle, Slot::kA, kOld},
      {S::kDownloading, I::kGood, A::kPowerLoss, true, S::kIdle, Slot::kA, kOld},
      {S::kVerifying, I::kGood, A::kVerify, true, S::kPendingReboot, Slot::kA, kOld},
      {S::kVerifying, I::kCorrupt, A::kVerify, false, S::kIdle, Slot::kA, kOld},
      {S::kVerifying, I::kGood, A::kBegin, false, S::kVerifying, Slot::kA, kOld},
      {S::kVerifying, I::kGood, A::kPowerLoss, true, S::kIdle, Slot::kA, kOld},
      {S::kPendingReboot, I::kGood, A::kReboot, true, S::kTrial, Slot::kA, kNew},
      {S::kPendingReboot, I::kGood, A::kPowerLoss, true, S::kTrial, Slot::kA, kNew},
      {S::kPendingReboot, I::kGood, A::kConfirm, false, S::kPendingReboot, Slot::kA, kOld},
      {S::kPendingReboot, I::kGood, A::kBegin, false, S::kPendingReboot, Slot::kA, kOld},
      {S::kPendingReboot, I::kCrashes, A::kReboot, true, S::kIdle, Slot::kA, kOld},  // 3 crashes: rolled back
      {S::kTrial, I::kGood, A::kConfirm, true, S::kIdle, Slot::kB, kNew},
      {S::kTrial, I::kGood, A::kReboot, true, S::kTrial, Slot::kA, kNew},  // 2nd trial boot
      {S::kTrial, I::kGood, A::kPowerLoss, true, S::kTrial, Slot::kA, kNew},
      {S::kTrial, I::kGood, A::kTrialExpires, true, S::kTrial, Slot::kA, kNew},
      {S::kTrial, I::kGood, A::kBegin, false, S::kTrial, Slot::kA, kNew},
  };
  for (std::size_t i = 0; i < table.size(); ++i) {
    const Row& r = table[i];
    CAPTURE(i);
    CAPTURE(std::string(to_string(r.from)));
    OtaUpdater u = at(r.from, r.img);
    CHECK(apply(u, r.action, r.img) == r.returns);
    CHECK(to_string(u.state()) == to_string(r.to));
    CHECK(u.active_slot() == r.active);
    CHECK(u.running_version() == r.running);
    check_bootable(u);
  }
}

TEST_CASE("OTA: a happy update's trace and counters") {
  OtaUpdater u(OtaParams{}, kOld);
  CHECK(u.begin_download(0.0, image()));
  CHECK(u.receive(5.0, kImageBytes + 999) == kImageBytes);  // nothing past the image's end
  CHECK(u.verify(6.0));
  CHECK(u.next_boot_slot() == Slot::kB);
  u.reboot(7.0);
  CHECK(u.trial_deadline_s() == 307.0);
  CHECK(u.confirm(307.0));  // at the deadline: still in time
  CHECK(u.active_slot() == Slot::kB);
  CHECK(u.running_version() == kNew);
  CHECK(u.slot(Slot::kA).version == kOld);  // the old image stays until the next update overwrites it
  const std::vector<OtaEventKind> kinds{OtaEventKind::kDownloadStarted, OtaEventKind::kDownloadComplete,
                                        OtaEventKind::kVerified,        OtaEventKind::kReboot,
                                        OtaEventKind::kTrialBoot,       OtaEventKind::kCommitted};
  const std::vector<double> times{0.0, 5.0, 6.0, 7.0, 7.0, 307.0};
  REQUIRE(u.events().size() == kinds.size());
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    CAPTURE(i);
    CHECK(u.events()[i].kind == kinds[i]);
    CHECK(u.events()[i].t_s == times[i]);
  }
  const OtaCounters& c = u.counters();
  CHECK(c.attempts == 1);
  CHECK(c.successes == 1);
  CHECK(c.rollbacks == 0);
  CHECK(c.bytes_downloaded == kImageBytes);
  CHECK(c.trial_boots == 1);
  CHECK(c.failed_boots == 0);
  // The next update goes to slot A, over the old image.
  CHECK(u.begin_download(400.0, {3, 1000, false, false}));
  CHECK(u.slot(Slot::kA).version == 3);
  CHECK_FALSE(u.slot(Slot::kA).verified);
  CHECK(u.has_bootable_slot());
  CHECK_THROWS_AS(u.receive(399.0, 10), std::logic_error);  // time does not go back
}

TEST_CASE("OTA: a corrupt image is rejected; the active slot and version are unchanged") {
  OtaUpdater u = at(OtaState::kVerifying, ImageKind::kCorrupt);
  CHECK_FALSE(u.verify(50.0));
  CHECK(u.state() == OtaState::kIdle);
  CHECK(u.active_slot() == Slot::kA);
  CHECK(u.running_version() == kOld);
  CHECK_FALSE(u.slot(Slot::kB).verified);
  CHECK(u.next_boot_slot() == Slot::kA);
  CHECK(u.counters().corrupt_rejects == 1);
  CHECK(u.events().back().kind == OtaEventKind::kCorruptRejected);
  u.reboot(60.0);
  CHECK(u.running_version() == kOld);
  // The next, good download of the same version starts over (nothing to resume) and commits.
  CHECK(u.begin_download(70.0, image()));
  CHECK(u.download_received_bytes() == 0);
  CHECK(u.counters().attempts == 2);
  u.receive(80.0, kImageBytes);
  CHECK(u.verify(81.0));
  u.reboot(82.0);
  CHECK(u.confirm(90.0));
  CHECK(u.running_version() == kNew);
  CHECK(u.active_slot() == Slot::kB);
}

TEST_CASE("OTA: a power loss at every step never leaves the device without a bootable slot") {
  // The whole update as steps of 1000 B (66 receives), cut by a power loss after each step in turn.
  for (ImageKind img : {ImageKind::kGood, ImageKind::kCorrupt, ImageKind::kCrashes}) {
    for (bool resume : {true, false}) {
      OtaParams p;
      p.resume = resume;
      std::vector<std::function<void(OtaUpdater&, double)>> steps;
      steps.push_back([&](OtaUpdater& u, double t) { u.begin_download(t, image(img)); });
      for (std::uint64_t b = 0; b < kImageBytes; b += 1000)
        steps.push_back([](OtaUpdater& u, double t) { u.receive(t, 1000); });
      steps.push_back([](OtaUpdater& u, double t) { u.verify(t); });
      steps.push_back([](OtaUpdater& u, double t) { u.reboot(t); });
      steps.push_back([](OtaUpdater& u, double t) { u.confirm(t); });
      for (std::size_t cut = 0; cut <= steps.size(); ++cut) {
        CAPTURE(static_cast<int>(img));
        CAPTURE(resume);
        CAPTURE(cut);
        OtaUpdater u(p, kOld);
        double t = 0.0;
        for (std::size_t i = 0; i < cut; ++i) steps[i](u, t += 1.0);
        const OtaState before = u.state();
        for (int losses = 0; losses < 4; ++losses) {  // repeated cuts, e.g. a brown-out loop
          u.power_loss(t += 1.0);
          check_bootable(u);
          if (before == OtaState::kIdle || before == OtaState::kDownloading || before == OtaState::kVerifying)
            CHECK(u.running_version() == (u.active_slot() == Slot::kA ? kOld : kNew));
        }
        // Power back for good: the update is taken up again and ends committed or rolled back.
        if (u.state() == OtaState::kIdle && u.active_slot() == Slot::kA && u.counters().rollbacks == 0) {
          u.begin_download(t += 1.0, image(img));
          u.receive(t += 1.0, kImageBytes);
          u.verify(t += 1.0);
          u.reboot(t += 1.0);
        }
        u.confirm(t += 1.0);
        check_bootable(u);
        CHECK(u.state() == OtaState::kIdle);
        if (img == ImageKind::kGood && u.counters().rollbacks == 0) {
          CHECK(u.active_slot() == Slot::kB);
          CHECK(u.running_version() == kNew);
        } else {
          CHECK(u.active_slot() == Slot::kA);
          CHECK(u.running_version() == kOld);
        }
        if (img != ImageKind::kGood) CHECK(u.counters().successes == 0);
      }
    }
  }
}

TEST_CASE("OTA: rollback after max_boot_attempts failed trial boots, at the exact deadlines") {
  for (int n = 1; n <= 5; ++n) {
    CAPTURE(n);
    OtaParams p;
    p.max_boot_attempts = n;
    p.trial_timeout_s = 300.0;
    // A firmware that boots but never confirms (it cannot reach its server).
    OtaUpdater u = at(OtaState::kTrial, ImageKind::kGood, p);  // trial boot 1 at 40 s
    u.advance(40.0 + n * 300.0);                               // the last deadline itself: not yet past
    CHECK(u.state() == OtaState::kTrial);
    CHECK(u.failed_trial_boots() == n - 1);
    u.advance(40.0 + n * 300.0 + 0.5);
    CHECK(u.state() == OtaState::kIdle);
    CHECK(u.running_version() == kOld);
    CHECK(u.active_slot() == Slot::kA);
    CHECK_FALSE(u.slot(Slot::kB).verified);  // marked invalid
    CHECK(u.next_boot_slot() == Slot::kA);
    CHECK(u.counters().trial_boots == static_cast<std::uint64_t>(n));
    CHECK(u.counters().failed_boots == static_cast<std::uint64_t>(n));
    CHECK(u.counters().rollbacks == 1);
    CHECK(u.events().back().kind == OtaEventKind::kRolledBack);
    CHECK(u.events().back().t_s == 40.0 + n * 300.0);
    int timeouts = 0;
    for (const OtaEvent& e : u.events()) timeouts += e.kind == OtaEventKind::kTrialTimeout;
    CHECK(timeouts == n);
    CHECK_FALSE(u.confirm(2000.0));  // too late: nothing to commit
    // A build that crashes on boot: N failed boots at once, then the rollback.
    OtaUpdater c = at(OtaState::kPendingReboot, ImageKind::kCrashes, p);
    c.reboot(50.0);
    CHECK(c.state() == OtaState::kIdle);
    CHECK(c.running_version() == kOld);
    CHECK(c.counters().trial_boots == static_cast<std::uint64_t>(n));
    CHECK(c.counters().failed_boots == static_cast<std::uint64_t>(n));
    CHECK(c.counters().rollbacks == 1);
    CHECK(c.events().back().t_s == 50.0);
  }
  // Two failed trials (a crash, a timeout), the third confirms: committed, not rolled back.
  OtaUpdater u = at(OtaState::kTrial);  // max 3
  u.reboot(100.0);                      // crash in trial 1 → trial 2 at 100 s
  u.advance(500.0);                     // trial 2 times out at 400 s → trial 3
  CHECK(u.failed_trial_boots() == 2);
  CHECK(u.trial_deadline_s() == 700.0);
  CHECK(u.confirm(650.0));
  CHECK(u.active_slot() == Slot::kB);
  CHECK(u.counters().rollbacks == 0);
  CHECK(u.counters().trial_boots == 3);
}

TEST_CASE("OTA: resuming from the last whole chunk saves bytes against restarting") {
  constexpr std::uint64_t image_bytes = 1'000'000;
  constexpr std::uint64_t packet_bytes = 1500;
  const FirmwareImage img{kNew, image_bytes, false, false};
  // The link drops after each connection has carried `drops_after[i]` bytes; with
  // `finish`, a last connection then carries the rest. Returns the bytes downloaded.
  auto download = [&](OtaUpdater& u, const std::vector<std::uint64_t>& drops_after, bool finish) {
    double t = 0.0;
    u.begin_download(t, img);
    for (std::uint64_t limit : drops_after) {
      std::uint64_t this_connection = 0;
      while (u.state() == OtaState::kDownloading && this_connection < limit)
        this_connection += u.receive(t += 0.01, packet_bytes);
      if (u.state() == OtaState::kDownloading) u.interrupt_download(t += 1.0);
    }
    while (finish && u.state() == OtaState::kDownloading) u.receive(t += 0.01, packet_bytes);
    return u.counters().bytes_downloaded;
  };
  OtaParams with;
  with.chunk_bytes = 4096;
  with.resume = true;
  OtaParams without = with;
  without.resume = false;
  SUBCASE("one drop at 600,000 B") {
    OtaUpdater r(with, kOld), s(without, kOld);
    // Resume: 600,000 B, back to 146 × 4096 = 598,016, then the remaining 401,984.
    CHECK(download(r, {600'000}, true) == 600'000 + 401'984);
    CHECK(r.state() == OtaState::kVerifying);
    CHECK(r.counters().interrupted_downloads == 1);
    // Restart: 600,000 B wasted, then the whole image.
    CHECK(download(s, {600'000}, true) == 1'600'000);
    CHECK(s.state() == OtaState::kVerifying);
    CHECK(r.verify(100.0));
    CHECK(s.verify(100.0));
  }
  SUBCASE("a link that drops every 600,000 B: restarting never finishes") {
    OtaUpdater r(with, kOld), s(without, kOld);
    const std::vector<std::uint64_t> drops(10, 600'000);
    CHECK(download(r, drops, false) == 1'001'984);
    CHECK(r.state() == OtaState::kVerifying);
    CHECK(download(s, drops, false) == 6'000'000);
    CHECK(s.state() == OtaState::kDownloading);
    CHECK(s.download_offset_bytes() == 0);
    CHECK(s.counters().interrupted_downloads == 10);
  }
  SUBCASE("the persisted offset survives a power loss; the same version resumes") {
    OtaUpdater u(with, kOld);
    u.begin_download(0.0, img);
    u.receive(1.0, 10'000);  // two whole chunks (8192) persisted, 1808 B in RAM
    CHECK(u.download_offset_bytes() == 8192);
    u.power_loss(2.0);
    CHECK(u.state() == OtaState::kIdle);
    CHECK(u.running_version() == kOld);
    CHECK(u.begin_download(3.0, img));
    CHECK(u.events().back().kind == OtaEventKind::kDownloadResumed);
    CHECK(u.download_received_bytes() == 8192);
    CHECK(u.counters().attempts == 1);  // the same attempt
    CHECK(u.receive(4.0, image_bytes) == image_bytes - 8192);
    CHECK(u.counters().bytes_downloaded == image_bytes + 1808);
    // A different version does not resume.
    OtaUpdater v(with, kOld);
    v.begin_download(0.0, img);
    v.receive(1.0, 10'000);
    v.power_loss(2.0);
    v.begin_download(3.0, {kNew + 1, image_bytes, false, false});
    CHECK(v.download_received_bytes() == 0);
    CHECK(v.counters().attempts == 2);
  }
}
