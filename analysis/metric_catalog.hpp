// The names of every figure a report can hold (see docs/metrics.md).
// Scenario validation uses it to reject a typo in `expect` before a run; the
// report writer asserts that it only emits names listed here.
#pragma once

#include <string>
#include <vector>

namespace twinbed::analysis {

/// Every metric name, including the attribution causes and the reference
/// pipeline's counters (a new counter or cause must be added here).
const std::vector<std::string>& metric_names();
bool is_known_metric(const std::string& name);
/// "device.<id>.<figure>" with a figure of figures_of(DeviceFigures) (the id is
/// checked against the scenario by the loader).
bool is_device_metric(const std::string& name);
/// One pipeline's detection figures (alerts, precision, recall, false
/// positives and their attribution, detection delay): the top-level names,
/// and "pipelines.<name>.<figure>" for each pipeline of a run.
const std::vector<std::string>& detection_metric_names();
/// "pipelines.<name>.<figure>": a pipeline name (letters, digits, '_', '-') and a detection figure.
bool is_pipeline_metric(const std::string& name);
bool is_valid_pipeline_name(const std::string& name);
/// "calibration.<group>.<figure>": a calibrated detector's claimed against measured false-alarm rate.
bool is_calibration_metric(const std::string& name);
/// "pipeline.multivariate.<group>.<counter>": the reference pipeline's multivariate groups.
bool is_pipeline_counter(const std::string& name);
/// "pipeline.plugin.<counter>": a counter of a primary pipeline that is a
/// plugin (docs/plugins.md). Its names are the plugin's own, unknown before
/// the run: any name of letters, digits, '_', '-' and '.' is accepted, and an
/// expectation on a counter the plugin did not report fails after the run.
bool is_plugin_counter_metric(const std::string& name);

}  // namespace twinbed::analysis
