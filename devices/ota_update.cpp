#include "devices/ota_update.hpp"

#include <algorithm>
#include <stdexcept>

namespace twinbed::devices {

std::string_view to_string(OtaState s) {
  switch (s) {
    case OtaState::kIdle:
      return "idle";
    case OtaState::kDownloading:
      return "downloading";
    case OtaState::kVerifying:
      return "verifying";
    case OtaState::kPendingReboot:
      return "pending_reboot";
    case OtaState::kTrial:
      return "trial";
  }
  return "?";
}

std::string_view to_string(OtaEventKind k) {
  switch (k) {
    case OtaEventKind::kDownloadStarted:
      return "download_started";
    case OtaEventKind::kDownloadResumed:
      return "download_resumed";
    case OtaEventKind::kDownloadInterrupted:
      return "download_interrupted";
    case OtaEventKind::kDownloadComplete:
      return "download_complete";
    case OtaEventKind::kVerified:
      return "verified";
    case OtaEventKind::kCorruptRejected:
      return "corrupt_rejected";
    case OtaEventKind::kTrialBoot:
      return "trial_boot";
    case OtaEventKind::kBootFailed:
      return "boot_failed";
    case OtaEventKind::kTrialTimeout:
      return "trial_timeout";
    case OtaEventKind::kCommitted:
      return "committed";
    case OtaEventKind::kRolledBack:
      return "rolled_back";
    case OtaEventKind::kPowerLoss:
      return "power_loss";
    case OtaEventKind::kReboot:
      return "reboot";
  }
  return "?";
}

OtaUpdater::OtaUpdater(OtaParams p, std::uint32_t installed_version) : p_(p) {
  if (p_.chunk_bytes == 0) throw std::invalid_argument("OtaParams: chunk_bytes must be positive");
  if (p_.max_boot_attempts < 1)
    throw std::invalid_argument("OtaParams: max_boot_attempts must be at least 1");
  if (!(p_.trial_timeout_s > 0.0)) throw std::invalid_argument("OtaParams: trial_timeout_s must be positive");
  SlotImage& a = slots_[index(Slot::kA)];
  a.version = installed_version;
  a.verified = true;
}

void OtaUpdater::clock(double now_s) {
  if (now_s < now_s_) throw std::logic_error("OtaUpdater: time went back");
  now_s_ = now_s;
}

void OtaUpdater::advance(double now_s) {
  clock(now_s);
  while (state_ == OtaState::kTrial && now_s > trial_deadline_s_) {
    const double t = trial_deadline_s_;
    event(OtaEventKind::kTrialTimeout, t, slot(running_).version);
    trial_failed(t);
  }
}

Slot OtaUpdater::next_boot_slot() const {
  return upgrade_available_ && boot_count_ < p_.max_boot_attempts ? other(active_) : active_;
}

bool OtaUpdater::has_bootable_slot() const {
  return slot(active_).verified && slot(next_boot_slot()).verified;
}

bool OtaUpdater::begin_download(double now_s, const FirmwareImage& image) {
  advance(now_s);
  if (state_ != OtaState::kIdle) return false;
  if (image.bytes == 0) throw std::invalid_argument("OtaUpdater::begin_download: an empty image");
  image_ = image;
  SlotImage& t = target();
  const bool resumable = p_.resume && download_version_ == image.version && t.version == image.version &&
                         t.image_bytes == image.bytes && !t.verified && persisted_offset_ > 0;
  if (resumable) {
    received_ = persisted_offset_;
    event(OtaEventKind::kDownloadResumed, now_s, image.version);
  } else {
    ++counters_.attempts;
    t = SlotImage{image.version, image.bytes, 0, false, false};  // erase the inactive slot
    download_version_ = image.version;
    persisted_offset_ = 0;
    received_ = 0;
    event(OtaEventKind::kDownloadStarted, now_s, image.version);
  }
  state_ = OtaState::kDownloading;
  if (received_ == image.bytes) {  // complete before the cut: only the check was lost
    state_ = OtaState::kVerifying;
    event(OtaEventKind::kDownloadComplete, now_s, image.version);
  }
  return true;
}

std::uint64_t OtaUpdater::receive(double now_s, std::uint64_t bytes) {
  advance(now_s);
  if (state_ != OtaState::kDownloading) return 0;
  const std::uint64_t accepted = std::min(bytes, image_.bytes - received_);
  received_ += accepted;
  counters_.bytes_downloaded += accepted;
  persisted_offset_ = received_ == image_.bytes ? received_ : received_ / p_.chunk_bytes * p_.chunk_bytes;
  target().written_bytes = persisted_offset_;
  if (received_ == image_.bytes) {
    state_ = OtaState::kVerifying;
    event(OtaEventKind::kDownloadComplete, now_s, image_.version);
  }
  return accepted;
}

bool OtaUpdater::interrupt_download(double now_s) {
  advance(now_s);
  if (state_ != OtaState::kDownloading) return false;
  ++counters_.interrupted_downloads;
  if (!p_.resume) {
    persisted_offset_ = 0;
    target().written_bytes = 0;
  }
  received_ = persisted_offset_;
  event(OtaEventKind::kDownloadInterrupted, now_s, image_.version);
  return true;
}

bool OtaUpdater::verify(double now_s) {
  advance(now_s);
  if (state_ != OtaState::kVerifying) return false;
  download_version_ = 0;
  persisted_offset_ = 0;
  received_ = 0;
  if (image_.corrupt) {
    ++counters_.corrupt_rejects;
    target() = SlotImage{};  // never bootable; the active slot is untouched
    state_ = OtaState::kIdle;
    event(OtaEventKind::kCorruptRejected, now_s, image_.version);
    return false;
  }
  SlotImage& t = target();
  t.verified = true;
  t.crashes_on_boot = image_.crashes_on_boot;
  upgrade_available_ = true;  // the bootloader tries it at the next boot
  boot_count_ = 0;
  state_ = OtaState::kPendingReboot;
  event(OtaEventKind::kVerified, now_s, image_.version);
  return true;
}

bool OtaUpdater::confirm(double now_s) {
  advance(now_s);
  if (state_ != OtaState::kTrial) return false;
  active_ = running_;  // one atomic write of the bootloader's environment
  upgrade_available_ = false;
  boot_count_ = 0;
  state_ = OtaState::kIdle;
  ++counters_.successes;
  event(OtaEventKind::kCommitted, now_s, slot(active_).version);
  return true;
}

void OtaUpdater::reboot(double now_s) {
  advance(now_s);
  reset(now_s, OtaEventKind::kReboot);
}

void OtaUpdater::power_loss(double now_s) {
  advance(now_s);
  reset(now_s, OtaEventKind::kPowerLoss);
}

void OtaUpdater::reset(double t_s, OtaEventKind kind) {
  event(kind, t_s, running_version());
  switch (state_) {
    case OtaState::kDownloading:  // the chunk in RAM is lost; flash keeps the persisted offset
      ++counters_.interrupted_downloads;
      received_ = 0;
      break;
    case OtaState::kVerifying:  // complete in flash, never checked: not bootable
      received_ = 0;
      break;
    case OtaState::kTrial:
      trial_failed(t_s);
      return;
    case OtaState::kIdle:
    case OtaState::kPendingReboot:
      break;
  }
  boot(t_s);
}

void OtaUpdater::trial_failed(double t_s) {
  ++counters_.failed_boots;
  ++boot_count_;
  event(OtaEventKind::kBootFailed, t_s, slot(running_).version);
  boot(t_s);
}

void OtaUpdater::boot(double t_s) {
  while (upgrade_available_) {
    if (boot_count_ >= p_.max_boot_attempts) {
      rollback(t_s);
      return;
    }
    running_ = other(active_);
    const SlotImage& s = slot(running_);
    ++counters_.trial_boots;
    event(OtaEventKind::kTrialBoot, t_s, s.version);
    if (!s.crashes_on_boot) {
      state_ = OtaState::kTrial;
      trial_deadline_s_ = t_s + p_.trial_timeout_s;
      return;
    }
    ++counters_.failed_boots;  // crashed at once: the bootloader runs again
    ++boot_count_;
    event(OtaEventKind::kBootFailed, t_s, s.version);
  }
  running_ = active_;
  state_ = OtaState::kIdle;
}

void OtaUpdater::rollback(double t_s) {
  SlotImage& failed = target();
  failed.verified = false;  // marked invalid: never tried again
  upgrade_available_ = false;
  boot_count_ = 0;
  running_ = active_;
  state_ = OtaState::kIdle;
  ++counters_.rollbacks;
  event(OtaEventKind::kRolledBack, t_s, failed.version);
}

}  // namespace twinbed::devices
