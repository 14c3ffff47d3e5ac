// OtaUpdater: the A/B firmware-update state machine of a device, as Mender,
// SWUpdate, RAUC and ESP-IDF's otadata implement it.
//
// Two slots, A and B. The active slot holds the committed firmware; an update
// is written to the other one and tried there before it is committed.
//
//   kIdle ──begin_download──▶ kDownloading ──(last byte)──▶ kVerifying
//   kVerifying ──verify: ok──▶ kPendingReboot        (slot verified, marked "try")
//   kVerifying ──verify: corrupt──▶ kIdle            (slot erased, active unchanged)
//   kPendingReboot ──reboot──▶ kTrial                (the new slot boots)
//   kTrial ──confirm within trial_timeout_s──▶ kIdle (committed: the active slot switches)
//   kTrial ──crash / reboot / no confirm in time──▶ kTrial again, or, once
//            max_boot_attempts trial boots have failed, kIdle rolled back.
//
// Modelled:
// - Downloads in chunks: each whole chunk (and the image's last one) is
//   written to flash and its offset persisted. An interrupted download
//   (interrupt_download) resumes from the last whole chunk when `resume` is
//   on, else restarts from byte 0; the bytes past the last chunk are received
//   again. A download cut by a power loss or a reboot continues at the
//   persisted offset when the same version is begun again (`resume`), else it
//   starts over.
// - Verification (checksum and signature) of the whole image: a corrupt image
//   is rejected and never marked bootable.
// - The bootloader's environment (U-Boot's upgrade_available / bootcount /
//   bootlimit; ESP-IDF's otadata states): after a verified install the next
//   boot tries the new slot; every trial boot counts; a trial that crashes on
//   boot (FirmwareImage::crashes_on_boot), is rebooted (reboot, power_loss),
//   or does not confirm within `trial_timeout_s` of its boot (the watchdog
//   reboots it: advance) fails; the boot after `max_boot_attempts` failed
//   trial boots rolls back to the active slot and marks the new one invalid.
//   Committing (confirm) is one atomic write: the active slot becomes the new one.
// - Power loss at any point (power_loss: cut and restored at once): RAM is
//   lost, flash is kept, and the device boots what the bootloader picks.
//
// Guarantee (checked by the tests at every state): the bootloader only ever
// boots a verified slot, and while a trial is pending the active slot still
// holds a verified image to roll back to; so no interruption leaves the
// device without a bootable slot (has_bootable_slot()).
//
// Not modelled: the time the steps take (the caller says when each happens:
// download rate, verification, boot), flash wear and write failures,
// delta updates, bootloader updates, A/B of a data partition, the server's
// rollout policy, a power loss during the commit's single write (it is
// either before or after it).
//
// Deterministic: no random draws; time is what the caller passes (it must
// not go back: std::logic_error).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace twinbed::devices {

enum class Slot : std::uint8_t { kA = 0, kB = 1 };
constexpr Slot other(Slot s) {
  return s == Slot::kA ? Slot::kB : Slot::kA;
}

enum class OtaState : std::uint8_t { kIdle, kDownloading, kVerifying, kPendingReboot, kTrial };
std::string_view to_string(OtaState s);

/// An update as the server offers it, with the facts the device discovers.
struct FirmwareImage {
  std::uint32_t version = 0;
  std::uint64_t bytes = 0;
  bool corrupt = false;          ///< fails the checksum/signature check
  bool crashes_on_boot = false;  ///< verifies, but every boot of it crashes (a bad build)
};

struct OtaParams {
  std::uint64_t chunk_bytes = 4096;  ///< written to flash and its offset persisted chunk by chunk
  bool resume = true;                ///< an interrupted download resumes from the last whole chunk
  double trial_timeout_s = 300.0;    ///< each trial boot must confirm within this
  int max_boot_attempts = 3;         ///< failed trial boots before the bootloader rolls back
};

/// What a slot holds, as the bootloader sees it (flash: survives power loss).
struct SlotImage {
  std::uint32_t version = 0;
  std::uint64_t image_bytes = 0;
  std::uint64_t written_bytes = 0;
  bool verified = false;  ///< complete and checked: bootable
  bool crashes_on_boot = false;
};

enum class OtaEventKind : std::uint8_t {
  kDownloadStarted,
  kDownloadResumed,      ///< begun again after a power loss or reboot, from the persisted offset
  kDownloadInterrupted,  ///< the link dropped mid-download
  kDownloadComplete,
  kVerified,
  kCorruptRejected,
  kTrialBoot,     ///< the new slot booted (on trial)
  kBootFailed,    ///< a trial boot crashed or was rebooted before confirming
  kTrialTimeout,  ///< no confirmation within trial_timeout_s: the watchdog rebooted it
  kCommitted,     ///< the new slot is the active one
  kRolledBack,    ///< back to the active slot; the new one is marked invalid
  kPowerLoss,
  kReboot,
};
std::string_view to_string(OtaEventKind k);

struct OtaEvent {
  OtaEventKind kind;
  double t_s;
  std::uint32_t version;  ///< the update's version; kPowerLoss, kReboot: the version that was running
};

struct OtaCounters {
  std::uint64_t attempts = 0;   ///< updates begun (a resumed download is the same attempt)
  std::uint64_t successes = 0;  ///< updates committed
  std::uint64_t rollbacks = 0;
  std::uint64_t corrupt_rejects = 0;
  std::uint64_t interrupted_downloads =
      0;                               ///< interrupt_download, power losses and reboots while downloading
  std::uint64_t bytes_downloaded = 0;  ///< every byte received, those received again included
  std::uint64_t trial_boots = 0;
  std::uint64_t failed_boots = 0;
};

class OtaUpdater {
 public:
  /// A device whose slot A holds `installed_version`, active; slot B empty.
  OtaUpdater(OtaParams p, std::uint32_t installed_version);

  // The update's steps; each returns false (and changes nothing) when it
  // does not apply in the current state.
  /// kIdle → kDownloading into the inactive slot.
  bool begin_download(double now_s, const FirmwareImage& image);
  /// `bytes` more of the image arrived; returns those accepted (none past
  /// the image's end). The last byte moves to kVerifying.
  std::uint64_t receive(double now_s, std::uint64_t bytes);
  /// The download's connection dropped: it goes on from the last whole chunk
  /// (`resume`) or from byte 0 at the next receive().
  bool interrupt_download(double now_s);
  /// kVerifying → kPendingReboot (verified) or kIdle (corrupt: rejected).
  bool verify(double now_s);
  /// The trial firmware is up and connected: commit it (kTrial → kIdle).
  bool confirm(double now_s);

  // What happens to the device.
  /// A deliberate reboot (or a crash): from kPendingReboot it boots the new
  /// slot on trial; in kTrial it is a failed trial boot; elsewhere the
  /// running firmware restarts (RAM lost).
  void reboot(double now_s);
  /// Power cut and restored at `now_s`: RAM lost, the bootloader decides.
  void power_loss(double now_s);
  /// Time passes to `now_s`: trial deadlines that expired fire (the watchdog
  /// reboots at each deadline). Every other call does this first.
  void advance(double now_s);

  OtaState state() const { return state_; }
  Slot active_slot() const { return active_; }
  Slot running_slot() const { return running_; }
  std::uint32_t running_version() const { return slots_[index(running_)].version; }
  const SlotImage& slot(Slot s) const { return slots_[index(s)]; }
  /// The slot the bootloader boots at the next reset.
  Slot next_boot_slot() const;
  /// The invariant: the next boot and the fallback both hold verified images.
  bool has_bootable_slot() const;
  /// Bytes of the download persisted in flash (the resume point).
  std::uint64_t download_offset_bytes() const { return persisted_offset_; }
  /// Bytes received of the current download (persisted or still in RAM).
  std::uint64_t download_received_bytes() const { return received_; }
  /// Failed trial boots of the pending slot so far.
  int failed_trial_boots() const { return boot_count_; }
  /// When the running trial must have confirmed.
  double trial_deadline_s() const { return trial_deadline_s_; }
  const std::vector<OtaEvent>& events() const { return events_; }
  const OtaCounters& counters() const { return counters_; }

 private:
  static std::size_t index(Slot s) { return static_cast<std::size_t>(s); }
  void clock(double now_s);
  void event(OtaEventKind kind, double t_s, std::uint32_t version) {
    events_.push_back({kind, t_s, version});
  }
  /// A reboot or a power loss at `t_s`: RAM is lost and the bootloader runs.
  void reset(double t_s, OtaEventKind kind);
  void rollback(double t_s);
  /// A trial boot has failed at `t_s`: counted, then the bootloader runs.
  void trial_failed(double t_s);
  /// The bootloader at `t_s`: tries the pending slot or rolls back.
  void boot(double t_s);
  SlotImage& target() { return slots_[index(other(active_))]; }

  OtaParams p_;
  // Flash: survives power loss.
  std::array<SlotImage, 2> slots_{};
  Slot active_ = Slot::kA;
  bool upgrade_available_ = false;  ///< the bootloader tries the other slot at the next boot
  int boot_count_ = 0;              ///< failed trial boots of it
  std::uint32_t download_version_ = 0;
  std::uint64_t persisted_offset_ = 0;
  // RAM.
  OtaState state_ = OtaState::kIdle;
  Slot running_ = Slot::kA;
  FirmwareImage image_{};
  std::uint64_t received_ = 0;
  double trial_deadline_s_ = 0.0;
  double now_s_ = -1e300;
  std::vector<OtaEvent> events_;
  OtaCounters counters_;
};

}  // namespace twinbed::devices
