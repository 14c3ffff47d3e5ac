// The host side of pipeline plugins (docs/plugins.md): loads a shared
// library exporting the C ABI of pipeline/plugin_abi.h and runs it as a
// pipeline::CloudPipeline.
//
// Guarantees: a missing file, a library without the entry symbol, or one
// built against another ABI version is a PluginError naming the file (the
// command line turns it into exit code 2). The adapter hands the plugin
// exactly what CloudPipeline receives, nothing more, and checks everything
// the plugin hands back — an alert for an unknown sensor, a raise naming a
// record outside its message, a raise from finish(), an enum out of range, a
// malformed counter name, a failed call — turning the plugin's misbehaviour
// into a PluginError naming the plugin instead of a crash or a wrong score.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "pipeline/cloud_pipeline.hpp"

namespace twinbed::sim {

/// A plugin could not be loaded, refused its configuration, or misbehaved.
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class PluginLibrary;

/// Loads the library at `path` (dlopen) and checks its entry point and ABI
/// version. The library stays loaded while a pointer to it lives.
std::shared_ptr<const PluginLibrary> open_plugin(const std::string& path);

/// The name the library's table declares.
std::string plugin_name(const PluginLibrary& library);

/// A new instance of the plugin's pipeline, created from `config_json`.
/// Throws PluginError if the plugin refuses it.
std::unique_ptr<pipeline::CloudPipeline> make_plugin_pipeline(std::shared_ptr<const PluginLibrary> library,
                                                              const std::string& config_json);

}  // namespace twinbed::sim
