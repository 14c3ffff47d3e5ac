#include "sim/plugin_pipeline.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "pipeline/plugin_abi.h"

namespace twinbed::sim {

// The layout docs/plugins.md states: a change here is an ABI change.
static_assert(sizeof(twinbed_record) == 48 && sizeof(twinbed_alert) == 40 && sizeof(twinbed_str) == 16);
static_assert(sizeof(twinbed_sensor_info) == 88 && sizeof(twinbed_field_decl) == 40);

class PluginLibrary {
 public:
  PluginLibrary(void* handle, const twinbed_plugin_api* api, std::string path)
      : handle_(handle), api_(api), path_(std::move(path)) {}
  ~PluginLibrary() { dlclose(handle_); }
  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;

  const twinbed_plugin_api& api() const { return *api_; }
  const std::string& path() const { return path_; }
  /// "pipeline plugin "name" (path)": how errors name it.
  std::string label() const { return "pipeline plugin \"" + std::string(api_->name) + "\" (" + path_ + ")"; }

 private:
  void* handle_;
  const twinbed_plugin_api* api_;
  std::string path_;
};

std::shared_ptr<const PluginLibrary> open_plugin(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw PluginError("pipeline plugin " + path + ": no such file");
  // A path with a '/' is opened as is, never searched for on the library path.
  const std::string open_path = path.find('/') == std::string::npos ? "./" + path : path;
  void* handle = dlopen(open_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    throw PluginError("pipeline plugin " + path + ": cannot be loaded: " + (why ? why : "unknown reason"));
  }
  dlerror();
  void* entry = dlsym(handle, TWINBED_PLUGIN_ENTRY_SYMBOL);
  if (!entry) {
    dlclose(handle);
    throw PluginError("pipeline plugin " + path +
                      ": exports no entry point " TWINBED_PLUGIN_ENTRY_SYMBOL
                      "() (is it a twinbed plugin? see docs/plugins.md)");
  }
  const auto fn = reinterpret_cast<twinbed_plugin_entry_fn>(entry);
  const twinbed_plugin_api* api = fn();
  auto fail = [&](const std::string& why) {
    dlclose(handle);
    throw PluginError("pipeline plugin " + path + ": " + why);
  };
  if (!api) fail(TWINBED_PLUGIN_ENTRY_SYMBOL "() returned no table");
  if (api->abi_version != TWINBED_PLUGIN_ABI_VERSION)
    fail("built against plugin ABI version " + std::to_string(api->abi_version) + ", this twinbed expects " +
         std::to_string(TWINBED_PLUGIN_ABI_VERSION) +
         " (rebuild it against this twinbed's pipeline/plugin_abi.h)");
  if (api->struct_size < sizeof(twinbed_plugin_api))
    fail("its function table has " + std::to_string(api->struct_size) + " bytes, ABI version " +
         std::to_string(TWINBED_PLUGIN_ABI_VERSION) + " has " + std::to_string(sizeof(twinbed_plugin_api)));
  if (!api->name || !api->create || !api->configure || !api->ingest || !api->finish || !api->counters ||
      !api->last_error || !api->destroy)
    fail("its function table leaves a name or a function null");
  return std::make_shared<const PluginLibrary>(handle, api, path);
}

std::string plugin_name(const PluginLibrary& library) {
  return library.api().name;
}

namespace {

twinbed_str str(std::string_view s) {
  return {s.data(), s.size()};
}

bool valid_counter_name(const char* name) {
  if (!name || !*name) return false;
  for (const char* c = name; *c; ++c)
    if (!std::isalnum(static_cast<unsigned char>(*c)) && *c != '_' && *c != '-' && *c != '.') return false;
  return true;
}

/// A plugin's string for a message: in quotes (JSON-escaped), or null.
std::string quoted(const char* s) {
  return s ? nlohmann::json(std::string(s)).dump() : std::string("null");
}

class PluginPipeline final : public pipeline::CloudPipeline {
 public:
  PluginPipeline(std::shared_ptr<const PluginLibrary> library, const std::string& config_json)
      : lib_(std::move(library)), api_(lib_->api()) {
    handle_ = api_.create(config_json.c_str());
    if (!handle_) {
      const char* why = api_.last_error(nullptr);
      throw PluginError(lib_->label() + " refused its configuration " + config_json + ": " +
                        (why && *why ? why : "(no reason given)"));
    }
  }
  ~PluginPipeline() override { api_.destroy(handle_); }
  PluginPipeline(const PluginPipeline&) = delete;
  PluginPipeline& operator=(const PluginPipeline&) = delete;

  void configure(std::span<const pipeline::SensorInfo> sensors,
                 std::span<const std::string> devices) override {
    sensor_count_ = sensors.size();
    std::vector<twinbed_sensor_info> s;
    s.reserve(sensors.size());
    for (const auto& x : sensors)
      s.push_back({str(x.device_id), str(x.sensor_id), str(x.measurand), str(x.unit), x.range_lo, x.range_hi,
                   x.rate_hz});
    std::vector<twinbed_str> d;
    d.reserve(devices.size());
    for (const auto& x : devices) d.push_back(str(x));
    const twinbed_registry registry{s.data(), static_cast<std::uint32_t>(s.size()),
                                    static_cast<std::uint32_t>(d.size()), d.data()};
    check(api_.configure(handle_, &registry), "configure()");
  }

  void ingest(const pipeline::MessageInfo& message, std::span<const pipeline::Record> records,
              double ingest_time_s, std::vector<pipeline::AlertEvent>& alerts) override {
    fields_.clear();
    for (const auto& f : message.fields) fields_.push_back({f.sensor, 0, str(f.key), str(f.unit)});
    records_.clear();
    for (const auto& r : records)
      records_.push_back({r.sensor,
                          r.device,
                          r.boot,
                          r.count,
                          r.seq,
                          r.device_time_s,
                          r.value,
                          static_cast<std::uint8_t>(r.status),
                          {}});
    const twinbed_message_info info{message.device, message.schema_version, fields_.data(), fields_.size()};
    Collect c{this, &alerts, records, {}};
    const twinbed_alert_sink sink{&c, &PluginPipeline::emit};
    run("ingest()", c, api_.ingest(handle_, &info, records_.data(), records_.size(), ingest_time_s, &sink));
  }

  void finish(double end_time_s, std::vector<pipeline::AlertEvent>& alerts) override {
    Collect c{this, &alerts, {}, {}};
    const twinbed_alert_sink sink{&c, &PluginPipeline::emit};
    run("finish()", c, api_.finish(handle_, end_time_s, &sink));
  }

  pipeline::PipelineCounters counters() const override {
    // The sinks never throw: an exception must not unwind through the plugin's
    // frames. A fault is noted, and reported once the plugin's call returned.
    struct Put {
      pipeline::PipelineCounters out;
      std::string fault;
    } put;
    const twinbed_counter_sink sink{&put, [](void* ctx, const char* name, std::uint64_t value) {
                                      auto* p = static_cast<Put*>(ctx);
                                      if (!p->fault.empty()) return;
                                      if (valid_counter_name(name))
                                        p->out[name] = value;
                                      else
                                        p->fault = "reported a counter named " + quoted(name) +
                                                   " (names: letters, digits, '_', '-', '.')";
                                    }};
    const int status = api_.counters(handle_, &sink);
    if (!put.fault.empty()) misbehaved("counters()", put.fault);
    check(status, "counters()");
    return put.out;
  }

 private:
  /// What emit() needs to check and keep an alert, and the first fault found.
  struct Collect {
    const PluginPipeline* self;
    std::vector<pipeline::AlertEvent>* alerts;
    std::span<const pipeline::Record> records;  ///< the message's (none in finish())
    std::string fault;
  };

  void run(const char* call, Collect& c, int status) const {
    if (!c.fault.empty()) misbehaved(call, c.fault);
    check(status, call);
  }

  static void emit(void* context, const twinbed_alert* a) {
    auto* c = static_cast<Collect*>(context);
    if (c->fault.empty()) c->fault = c->self->accept(*c, a);
  }

  /// Keeps a valid alert; otherwise says what is wrong with it.
  std::string accept(const Collect& c, const twinbed_alert* a) const {
    if (!a) return "emitted a null alert";
    if (a->sensor >= sensor_count_)
      return "raised an alert for sensor " + std::to_string(a->sensor) + "; the registry has " +
             std::to_string(sensor_count_) + " sensors (0 to " + std::to_string(sensor_count_ - 1) + ")";
    if (a->transition > TWINBED_ALERT_CLEAR)
      return "emitted an alert with transition " + std::to_string(a->transition) + " (0 raise, 1 clear)";
    if (a->severity != TWINBED_SEVERITY_WARNING && a->severity != TWINBED_SEVERITY_CRITICAL)
      return "emitted an alert with severity " + std::to_string(a->severity) + " (1 warning, 2 critical)";
    if (a->kind > TWINBED_KIND_SENSOR_FAULT)
      return "emitted an alert of kind " + std::to_string(a->kind) + " (0 process, 1 sensor fault)";
    if (a->transition == TWINBED_ALERT_RAISE) {
      const auto it = std::find_if(c.records.begin(), c.records.end(), [&](const pipeline::Record& r) {
        return r.device == a->device && r.boot == a->boot && r.seq == a->seq;
      });
      if (it == c.records.end())
        return "raised an alert naming record (device " + std::to_string(a->device) + ", boot " +
               std::to_string(a->boot) + ", seq " + std::to_string(a->seq) + "), " +
               (c.records.empty() ? "but finish() has no record to raise on"
                                  : "which is not in the message it was given");
    }
    c.alerts->push_back({a->sensor, static_cast<pipeline::AlertTransition>(a->transition),
                         static_cast<pipeline::Severity>(a->severity), a->device, a->boot, a->seq,
                         a->device_time_s, a->score, static_cast<pipeline::AlertKind>(a->kind)});
    return {};
  }

  void check(int status, const char* call) const {
    if (status == 0) return;
    const char* why = api_.last_error(handle_);
    misbehaved(call, std::string("failed: ") + (why && *why ? why : "(no reason given)"));
  }

  [[noreturn]] void misbehaved(const char* call, const std::string& what) const {
    throw PluginError(lib_->label() + ": " + call + " " + what);
  }

  std::shared_ptr<const PluginLibrary> lib_;
  const twinbed_plugin_api& api_;
  void* handle_ = nullptr;
  std::size_t sensor_count_ = 0;
  std::vector<twinbed_field_decl> fields_;  ///< scratch: the message's header as C structs
  std::vector<twinbed_record> records_;     ///< scratch: its records as C structs
};

}  // namespace

std::unique_ptr<pipeline::CloudPipeline> make_plugin_pipeline(std::shared_ptr<const PluginLibrary> library,
                                                              const std::string& config_json) {
  return std::make_unique<PluginPipeline>(std::move(library), config_json);
}

}  // namespace twinbed::sim
