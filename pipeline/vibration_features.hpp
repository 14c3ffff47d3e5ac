// Vibration features: RMS, peak, crest factor and kurtosis of a waveform
// window, and the edge stage that turns a waveform sensor into them.
//
// Definitions (x_1..x_n, the window's good samples):
//   rms      = sqrt(mean x^2)            (about zero, as a vibration meter reads)
//   peak     = max |x|
//   crest    = peak / rms                 (0 when rms is 0)
//   kurtosis = mean (x - m)^4 / (mean (x - m)^2)^2, m = mean x
//              (not excess: a sine 1.5, Gaussian noise 3, impacts more; 0 when flat)
// A sine of amplitude A: rms A/sqrt(2), crest sqrt(2), kurtosis 1.5.
//
// VibrationFeatures (the stage): each `window` consecutive readings of the
// source sensor become one record per feature on its derived channel,
// stamped with the window's last reading's time; the raw samples are not
// sent (EdgeFate::kSummarised, the ledger's samples.summarised.features).
// NaN and flagged samples count toward the window but not the statistics; a
// window with fewer than two good samples gives NaN features flagged
// kSensorFault. A window cut by a reboot (new boot epoch) is dropped; the
// next starts with the new epoch. A channel index of kNoChannel: that
// feature is not emitted.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "pipeline/edge_stage.hpp"

namespace twinbed::pipeline {

struct WaveformFeatures {
  double rms = 0, peak = 0, crest = 0, kurtosis = 0;
  std::size_t samples = 0;  ///< good samples behind them
};
enum class VibrationFeature : std::uint8_t { kRms = 0, kPeak = 1, kCrest = 2, kKurtosis = 3 };
inline constexpr std::array<const char*, 4> kVibrationFeatureNames = {"rms", "peak", "crest_factor",
                                                                      "kurtosis"};
/// The features of the finite values in `x`.
WaveformFeatures waveform_features(std::span<const double> x);
double feature_value(const WaveformFeatures& f, VibrationFeature which);

inline constexpr std::uint32_t kNoChannel = std::numeric_limits<std::uint32_t>::max();

class VibrationFeatures : public EdgeStage {
 public:
  struct Rule {
    std::uint32_t source = 0;  ///< the waveform sensor
    int window = 1024;         ///< samples per window, at least 2
    std::array<std::uint32_t, 4> channel = {kNoChannel, kNoChannel, kNoChannel, kNoChannel};
  };
  explicit VibrationFeatures(std::vector<Rule> rules);

  void transform(EdgePass& pass, const EdgeContext& context) override;
  std::uint64_t windows() const { return windows_; }

 private:
  struct State {
    Rule rule;
    std::vector<double> values;  ///< the window so far (NaN for a bad sample)
    std::uint32_t boot = 0;
    std::uint64_t first_seq = 0;
  };
  std::vector<State> states_;
  std::uint64_t windows_ = 0;
};

}  // namespace twinbed::pipeline
