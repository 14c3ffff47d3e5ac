/* The twinbed pipeline plugin ABI, version 1 (docs/plugins.md).
 *
 * Guarantees: a shared library that exports twinbed_pipeline_plugin_v1() with
 * this header runs in the loop as a cloud pipeline, whatever compiler or
 * standard library built it. Plain C99: fixed-width integers, doubles,
 * pointers and (pointer, length) strings; no C++ type crosses the boundary,
 * nothing is allocated by one side and freed by the other. A plugin receives
 * exactly what pipeline::CloudPipeline receives (pipeline/cloud_pipeline.hpp,
 * API version 3): the registry, each arriving message's header and records,
 * the cloud's clock. Never ground truth.
 *
 * Versioning: TWINBED_PLUGIN_ABI_VERSION changes with any change to a type or
 * a function below; the host refuses a plugin built against another version.
 * A new major ABI gets a new entry symbol (twinbed_pipeline_plugin_v2).
 *
 * Ownership and lifetime (every pointer):
 *  - what the host passes in (registry, message, records, strings, sinks) is
 *    owned by the host and valid only during the call that receives it: copy
 *    what you keep (the registry's strings included);
 *  - an alert or a counter handed to a sink is copied by the host before the
 *    sink returns: pass a pointer to your own (stack) storage;
 *  - the handle returned by create() is owned by the plugin and freed by
 *    destroy(); the host calls destroy() exactly once per handle;
 *  - the api table, its name and the strings last_error() returns are owned
 *    by the plugin: the table and name for as long as the library is loaded,
 *    a last_error() string until the next call on the same handle.
 *
 * Threading: none. The host calls one plugin instance from one thread, one
 * call at a time, in the order create, configure, ingest..., finish,
 * counters, destroy (counters may also be called at any point after configure).
 * Errors: a function returns 0 on success, non-zero on failure (then
 * last_error(handle) says why); create() returns NULL on failure (then
 * last_error(NULL)). A plugin must not let an exception, a longjmp or a signal
 * cross the boundary. Bad data is not an error: it is the pipeline's job.
 */
#ifndef TWINBED_PIPELINE_PLUGIN_ABI_H
#define TWINBED_PIPELINE_PLUGIN_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TWINBED_PLUGIN_ABI_VERSION 1u
#define TWINBED_PLUGIN_ENTRY_SYMBOL "twinbed_pipeline_plugin_v1"

#if defined(__GNUC__) || defined(__clang__)
#define TWINBED_PLUGIN_VISIBLE __attribute__((visibility("default")))
#else
#define TWINBED_PLUGIN_VISIBLE
#endif

/** A string the host owns: `size` bytes at `data`, not NUL-terminated. */
typedef struct twinbed_str {
  const char* data;
  uint64_t size;
} twinbed_str;

/** Record status the device firmware attached (pipeline::DeviceStatus). */
enum { TWINBED_STATUS_GOOD = 0, TWINBED_STATUS_SENSOR_FAULT = 1 };
/** Alert fields (pipeline::AlertTransition, Severity, AlertKind). */
enum { TWINBED_ALERT_RAISE = 0, TWINBED_ALERT_CLEAR = 1 };
enum { TWINBED_SEVERITY_WARNING = 1, TWINBED_SEVERITY_CRITICAL = 2 };
enum { TWINBED_KIND_PROCESS = 0, TWINBED_KIND_SENSOR_FAULT = 1 };
/** FieldDecl.sensor of a field the registry does not know. */
#define TWINBED_UNREGISTERED_FIELD 0xFFFFFFFFu

/** One reading as it arrives at the cloud (pipeline::Record). 48 bytes. */
typedef struct twinbed_record {
  uint32_t sensor;      /**< index into registry.sensors */
  uint32_t device;      /**< index into registry.devices */
  uint32_t boot;        /**< the device's boot epoch */
  uint32_t count;       /**< readings this record stands for (>1: an aggregate, their mean) */
  uint64_t seq;         /**< sequence number within the boot epoch */
  double device_time_s; /**< timestamp of the device's own clock */
  double value;         /**< as transmitted: may be a sentinel, NaN, out of range */
  uint8_t status;       /**< TWINBED_STATUS_* */
  uint8_t reserved[7];  /**< zero */
} twinbed_record;

/** What the registry says about one sensor (pipeline::SensorInfo). */
typedef struct twinbed_sensor_info {
  twinbed_str device_id; /**< e.g. "edge-01" */
  twinbed_str sensor_id; /**< e.g. "vib", unique within its device */
  twinbed_str measurand; /**< e.g. "vibration_rms" */
  twinbed_str unit;      /**< e.g. "mm/s" */
  double range_lo;       /**< the instrument's calibrated range */
  double range_hi;
  double rate_hz; /**< nominal sampling rate */
} twinbed_sensor_info;

/** The device registry, given once to configure(). */
typedef struct twinbed_registry {
  const twinbed_sensor_info* sensors; /**< sensor i is sensors[i] */
  uint32_t sensor_count;
  uint32_t device_count;
  const twinbed_str* devices; /**< device i is devices[i] */
} twinbed_registry;

/** One field a message's payload declares (pipeline::FieldDecl). */
typedef struct twinbed_field_decl {
  uint32_t sensor; /**< registry index, or TWINBED_UNREGISTERED_FIELD */
  uint32_t reserved;
  twinbed_str key;  /**< the field's name in the payload */
  twinbed_str unit; /**< the unit the payload declares */
} twinbed_field_decl;

/** An arriving message's header (pipeline::MessageInfo). */
typedef struct twinbed_message_info {
  uint32_t device;         /**< the sender the message names */
  uint32_t schema_version; /**< the payload schema the device declares */
  const twinbed_field_decl* fields;
  uint64_t field_count;
} twinbed_message_info;

/** An alert transition (pipeline::AlertEvent). A raise names the record that
 *  caused it (device, boot, seq of a record of the same ingest() call). */
typedef struct twinbed_alert {
  uint32_t sensor;
  uint8_t transition; /**< TWINBED_ALERT_* */
  uint8_t severity;   /**< TWINBED_SEVERITY_* */
  uint8_t kind;       /**< TWINBED_KIND_* */
  uint8_t reserved;
  uint32_t device;
  uint32_t boot;
  uint64_t seq;
  double device_time_s; /**< the triggering record's timestamp */
  double score;         /**< the detector statistic at the transition */
} twinbed_alert;

/** Where a plugin puts its alerts: call emit(context, &alert) once per alert. */
typedef struct twinbed_alert_sink {
  void* context;
  void (*emit)(void* context, const twinbed_alert* alert);
} twinbed_alert_sink;

/** Where a plugin puts its counters: put(context, name, value) once per
 *  counter. Names: non-empty, of letters, digits, '_', '-' and '.'. */
typedef struct twinbed_counter_sink {
  void* context;
  void (*put)(void* context, const char* name, uint64_t value);
} twinbed_counter_sink;

/** The table a plugin exports. */
typedef struct twinbed_plugin_api {
  uint32_t abi_version; /**< TWINBED_PLUGIN_ABI_VERSION the plugin was built with */
  uint32_t struct_size; /**< sizeof(twinbed_plugin_api) as the plugin was built */
  const char* name;     /**< NUL-terminated, e.g. "rolling_median" */
  /** A new instance from its configuration (JSON text, NUL-terminated, the
   *  scenario's `plugin.config`; "{}" when none). NULL: refused. */
  void* (*create)(const char* config_json);
  /** The registry, once, before any message. */
  int (*configure)(void* handle, const twinbed_registry* registry);
  /** One arriving message (in arrival order, duplicates and all). */
  int (*ingest)(void* handle, const twinbed_message_info* message, const twinbed_record* records,
                uint64_t record_count, double ingest_time_s, const twinbed_alert_sink* alerts);
  /** End of stream: may clear open alerts, cannot raise one. */
  int (*finish)(void* handle, double end_time_s, const twinbed_alert_sink* alerts);
  /** What the pipeline counted. */
  int (*counters)(void* handle, const twinbed_counter_sink* sink);
  /** Why the last call on `handle` failed (NULL handle: the last create()). */
  const char* (*last_error)(void* handle);
  void (*destroy)(void* handle);
} twinbed_plugin_api;

/** The entry point a plugin exports (C linkage, default visibility). */
typedef const twinbed_plugin_api* (*twinbed_plugin_entry_fn)(void);
TWINBED_PLUGIN_VISIBLE const twinbed_plugin_api* twinbed_pipeline_plugin_v1(void);

#ifdef __cplusplus
}
#endif

#endif /* TWINBED_PIPELINE_PLUGIN_ABI_H */
