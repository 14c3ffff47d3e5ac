#include "analysis/scoring.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "analysis/fault_kinds.hpp"

namespace twinbed::analysis {

TargetType target_type_of(const std::string& kind) {
  const auto& sensor = sensor_label_kinds();
  if (std::find(sensor.begin(), sensor.end(), kind) != sensor.end()) return TargetType::kSensor;
  if (kind == "load_change") return TargetType::kAsset;
  return TargetType::kDevice;  // outage, packet_loss
}

Score score_run(const RunData& run, const ScoringOptions& options) {
  Score score = score_episodes(run, run.episodes, options);
  score.sensor_faults = score_sensor_faults(run, run.sensor_fault_episodes, options);
  for (const ComparedPipeline& p : run.compared) {
    score.compared.push_back(score_episodes(run, p.episodes, options));
    score.compared.back().sensor_faults = score_sensor_faults(run, p.sensor_fault_episodes, options);
  }
  score.calibration = check_calibration(run, options.early_warning_s, options.post_failure_grace_s);
  return score;
}

SensorFaultScore score_sensor_faults(const RunData& run, const std::vector<Episode>& episodes,
                                     const ScoringOptions& options) {
  // The injected sensor faults: labels of a sensor kind naming a sensor, merged per (fault, sensor).
  std::map<std::pair<std::string, std::string>, std::pair<double, double>> injected;  // -> [start, end]
  for (const FaultLabel& f : run.faults) {
    if (target_type_of(f.kind) != TargetType::kSensor || f.target.find('/') == std::string::npos) continue;
    auto [it, fresh] = injected.try_emplace({f.fault_id, f.target}, f.start_s, f.end_s);
    if (!fresh) {
      it->second.first = std::min(it->second.first, f.start_s);
      it->second.second = std::max(it->second.second, f.end_s);
    }
  }
  std::unordered_map<std::string, std::vector<std::pair<double, double>>> by_sensor;
  for (const auto& [key, span] : injected) by_sensor[key.second].push_back(span);
  auto path_of = [&](std::uint32_t sensor) {
    const SensorMeta& m = run.sensors[sensor];
    return m.device + "/" + m.sensor;
  };
  SensorFaultScore s;
  s.flagged = episodes.size();
  for (const Episode& ep : episodes) {
    const auto it = by_sensor.find(path_of(ep.sensor));
    const double from = ep.trigger_true_time_s - options.attribution_lookback_s, to = ep.trigger_true_time_s;
    const bool correct = it != by_sensor.end() &&
                         std::any_of(it->second.begin(), it->second.end(),
                                     [&](const auto& w) { return w.first <= to && w.second >= from; });
    ++(correct ? s.flagged_correct : s.flagged_wrong);
    s.episode_correct.push_back(correct);
  }
  s.injected = injected.size();
  for (const auto& [key, span] : injected) {
    const bool hit = std::any_of(episodes.begin(), episodes.end(), [&](const Episode& ep) {
      return path_of(ep.sensor) == key.second && ep.trigger_true_time_s >= span.first &&
             ep.trigger_true_time_s <= span.second + options.attribution_lookback_s;
    });
    ++(hit ? s.detected : s.missed);
  }
  return s;
}

Score score_episodes(const RunData& run, const std::vector<Episode>& episodes,
                     const ScoringOptions& options) {
  Score score;
  score.episode_is_tp.assign(episodes.size(), false);

  // Scoring windows of incidents, by asset.
  std::unordered_map<std::string, std::vector<std::size_t>> incidents_by_asset;
  for (std::size_t k = 0; k < run.incidents.size(); ++k)
    incidents_by_asset[run.incidents[k].asset].push_back(k);
  auto window_of = [&](const Incident& inc) {
    const double start = inc.abnormal_from_s - options.early_warning_s;
    const double end = std::min(run.duration_s, inc.failure_s + options.post_failure_grace_s);
    return std::make_pair(start, end);
  };

  for (std::size_t k = 0; k < run.incidents.size(); ++k) score.incidents.push_back({k, false, 0.0, 0});

  for (std::size_t e = 0; e < episodes.size(); ++e) {
    const Episode& ep = episodes[e];
    const auto it = incidents_by_asset.find(run.sensors[ep.sensor].asset);
    if (it == incidents_by_asset.end()) continue;
    for (std::size_t k : it->second) {
      const auto [start, end] = window_of(run.incidents[k]);
      if (ep.trigger_true_time_s < start || ep.trigger_true_time_s > end) continue;
      score.episode_is_tp[e] = true;
      IncidentOutcome& out = score.incidents[k];
      const double delay = ep.raise_time_s - run.incidents[k].abnormal_from_s;
      if (!out.detected || delay < out.detection_delay_s) {
        out.detected = true;
        out.detection_delay_s = delay;
        out.first_episode = e;
      }
    }
  }

  // Fault labels indexed by target for attribution. Only the kinds listed as
  // causes count (analysis/fault_kinds.cpp): packet loss and network
  // duplication, for one, never change a value (QoS 1 retries; de-duplication
  // removes the copies).
  std::unordered_map<std::string, std::vector<const FaultLabel*>> labels_by_target;
  for (const FaultLabel& f : run.faults) labels_by_target[f.target].push_back(&f);

  for (std::size_t e = 0; e < episodes.size(); ++e) {
    if (score.episode_is_tp[e]) {
      ++score.true_positives;
      continue;
    }
    const Episode& ep = episodes[e];
    const SensorMeta& meta = run.sensors[ep.sensor];
    const double from = ep.trigger_true_time_s - options.attribution_lookback_s, to = ep.trigger_true_time_s;
    std::set<std::string> causes, ids;
    // Ids of sensors, devices and assets are separate namespaces: each label
    // kind is looked up only under the kind of target it applies to.
    const std::pair<std::string, TargetType> targets[] = {
        {meta.device + "/" + meta.sensor, TargetType::kSensor},
        {meta.device, TargetType::kDevice},
        {meta.asset, TargetType::kAsset}};
    for (const auto& [target, type] : targets) {
      const auto it = labels_by_target.find(target);
      if (it == labels_by_target.end()) continue;
      for (const FaultLabel* f : it->second) {
        // An attack is the cause when the alert's trigger record was the attacker's (its window alone is
        // not).
        const bool attack = f->kind == "spoof" || f->kind == "replay" || f->kind == "tamper";
        if (attack && f->kind != forged_fault_kind(ep.forged)) continue;
        if (target_type_of(f->kind) == type && is_attribution_cause(f->kind) && f->start_s <= to &&
            f->end_s >= from) {
          causes.insert(f->kind);
          ids.insert(f->fault_id);
        }
      }
    }
    if (ep.forged != 0) causes.insert(forged_fault_kind(ep.forged));
    if (causes.empty()) causes.insert("none");
    FalsePositive fp{e, {causes.begin(), causes.end()}, {ids.begin(), ids.end()}};
    for (const auto& c : fp.causes) ++score.attribution[c];
    score.false_positives.push_back(std::move(fp));
  }
  return score;
}

}  // namespace twinbed::analysis
