// A header-only C++ helper for writing a pipeline plugin (docs/plugins.md).
//
// Guarantees: a class derived from twinbed::plugin::Pipeline, exported with
// TWINBED_EXPORT_PIPELINE(Class, "name"), becomes a plugin of ABI version
// TWINBED_PLUGIN_ABI_VERSION (pipeline/plugin_abi.h). Every call is wrapped:
// an exception never crosses the boundary; it becomes the call's error,
// readable through last_error(). The class is built by the plugin's own
// compiler and library: nothing of it crosses the boundary but the C table.
//
// The class needs a constructor from the configuration text
// (std::string_view, JSON) that throws on a configuration it refuses.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/plugin_abi.h"

namespace twinbed::plugin {

inline std::string_view view(const twinbed_str& s) {
  return {s.data, static_cast<std::size_t>(s.size)};
}

/// Hands alerts to the host (copied at once).
class AlertSink {
 public:
  explicit AlertSink(const twinbed_alert_sink* sink) : sink_(sink) {}
  void emit(const twinbed_alert& a) const { sink_->emit(sink_->context, &a); }

 private:
  const twinbed_alert_sink* sink_;
};

using Counters = std::vector<std::pair<std::string, std::uint64_t>>;

class Pipeline {
 public:
  virtual ~Pipeline() = default;
  /// The registry; its strings are the host's until configure() returns: copy them.
  virtual void configure(const twinbed_registry& registry) = 0;
  virtual void ingest(const twinbed_message_info& message, std::span<const twinbed_record> records,
                      double ingest_time_s, const AlertSink& alerts) = 0;
  virtual void finish(double /*end_time_s*/, const AlertSink& /*alerts*/) {}
  virtual Counters counters() const = 0;
};

namespace detail {

struct Instance {
  std::unique_ptr<Pipeline> impl;
  std::string error;
};

inline std::string& create_error() {
  static std::string e;
  return e;
}

template <typename F>
int guarded(void* handle, F&& f) {
  auto* in = static_cast<Instance*>(handle);
  try {
    f(*in->impl);
    return 0;
  } catch (const std::exception& e) {
    in->error = e.what();
  } catch (...) {
    in->error = "an exception that is not a std::exception";
  }
  return 1;
}

template <typename T>
struct Table {
  static void* create(const char* config_json) {
    try {
      auto in = std::make_unique<Instance>();
      in->impl = std::make_unique<T>(std::string_view(config_json ? config_json : "{}"));
      return in.release();
    } catch (const std::exception& e) {
      create_error() = e.what();
    } catch (...) {
      create_error() = "an exception that is not a std::exception";
    }
    return nullptr;
  }
  static int configure(void* h, const twinbed_registry* r) {
    return guarded(h, [&](Pipeline& p) { p.configure(*r); });
  }
  static int ingest(void* h, const twinbed_message_info* m, const twinbed_record* records, std::uint64_t n,
                    double ingest_time_s, const twinbed_alert_sink* sink) {
    return guarded(h, [&](Pipeline& p) {
      p.ingest(*m, std::span<const twinbed_record>(records, static_cast<std::size_t>(n)), ingest_time_s,
               AlertSink(sink));
    });
  }
  static int finish(void* h, double end_time_s, const twinbed_alert_sink* sink) {
    return guarded(h, [&](Pipeline& p) { p.finish(end_time_s, AlertSink(sink)); });
  }
  static int counters(void* h, const twinbed_counter_sink* sink) {
    return guarded(h, [&](Pipeline& p) {
      for (const auto& [name, value] : p.counters()) sink->put(sink->context, name.c_str(), value);
    });
  }
  static const char* last_error(void* h) {
    return h ? static_cast<Instance*>(h)->error.c_str() : create_error().c_str();
  }
  static void destroy(void* h) { delete static_cast<Instance*>(h); }
};

}  // namespace detail

template <typename T>
const twinbed_plugin_api* api_of(const char* name) {
  static const twinbed_plugin_api api = {TWINBED_PLUGIN_ABI_VERSION,
                                         static_cast<std::uint32_t>(sizeof(twinbed_plugin_api)),
                                         name,
                                         &detail::Table<T>::create,
                                         &detail::Table<T>::configure,
                                         &detail::Table<T>::ingest,
                                         &detail::Table<T>::finish,
                                         &detail::Table<T>::counters,
                                         &detail::Table<T>::last_error,
                                         &detail::Table<T>::destroy};
  return &api;
}

}  // namespace twinbed::plugin

/// Exports `Class` (derived from twinbed::plugin::Pipeline) as this library's pipeline.
#define TWINBED_EXPORT_PIPELINE(Class, name)                                                     \
  extern "C" TWINBED_PLUGIN_VISIBLE const twinbed_plugin_api* twinbed_pipeline_plugin_v1(void) { \
    return ::twinbed::plugin::api_of<Class>(name);                                               \
  }
