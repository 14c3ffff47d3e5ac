/* Test plugins that misbehave on purpose (tests/plugins/CMakeLists.txt), in
 * plain C99 (which also proves pipeline/plugin_abi.h is C99). Built once per
 * behaviour, selected by a macro:
 *   BROKEN_NO_ENTRY      exports no twinbed_pipeline_plugin_v1 (its table under _v0);
 *   BROKEN_ABI_VERSION   declares ABI version 999;
 *   (neither)            a valid plugin whose config picks a misbehaviour:
 *                        "unknown_sensor", "foreign_record", "raise_in_finish",
 *                        "bad_counter", "fail_ingest", or "refuse" (create fails).
 * Guarantees: each misbehaviour happens at the first message (or at finish),
 * so a run exercising it stops there with the host's error. */
#include <stdlib.h>
#include <string.h>

#include "pipeline/plugin_abi.h"

typedef struct broken {
  char mode[32];
} broken;

static const char* create_error = "";

static void* create(const char* config) {
  broken* b;
  if (strstr(config, "refuse")) {
    create_error = "this plugin refuses every configuration";
    return NULL;
  }
  b = (broken*)calloc(1, sizeof(broken));
  if (!b) return NULL;
  {
    const char* modes[] = {"unknown_sensor", "foreign_record", "raise_in_finish", "bad_counter",
                           "fail_ingest"};
    size_t i;
    for (i = 0; i < sizeof modes / sizeof modes[0]; ++i)
      if (strstr(config, modes[i])) strcpy(b->mode, modes[i]);
  }
  return b;
}

static int configure(void* h, const twinbed_registry* r) {
  (void)h;
  (void)r;
  return 0;
}

static int ingest(void* h, const twinbed_message_info* m, const twinbed_record* records, uint64_t n,
                  double now, const twinbed_alert_sink* sink) {
  broken* b = (broken*)h;
  twinbed_alert a;
  (void)m;
  (void)now;
  if (n == 0) return 0;
  if (strcmp(b->mode, "fail_ingest") == 0) return 1;
  memset(&a, 0, sizeof a);
  a.sensor = records[0].sensor;
  a.transition = TWINBED_ALERT_RAISE;
  a.severity = TWINBED_SEVERITY_WARNING;
  a.kind = TWINBED_KIND_PROCESS;
  a.device = records[0].device;
  a.boot = records[0].boot;
  a.seq = records[0].seq;
  if (strcmp(b->mode, "unknown_sensor") == 0) {
    a.sensor = 4000000000u;
    sink->emit(sink->context, &a);
  } else if (strcmp(b->mode, "foreign_record") == 0) {
    a.seq = records[0].seq + 1000000000u;
    sink->emit(sink->context, &a);
  }
  return 0;
}

static int finish(void* h, double end, const twinbed_alert_sink* sink) {
  broken* b = (broken*)h;
  twinbed_alert a;
  (void)end;
  if (strcmp(b->mode, "raise_in_finish") == 0) {
    memset(&a, 0, sizeof a);
    a.transition = TWINBED_ALERT_RAISE;
    a.severity = TWINBED_SEVERITY_WARNING;
    sink->emit(sink->context, &a);
  }
  return 0;
}

static int counters(void* h, const twinbed_counter_sink* sink) {
  broken* b = (broken*)h;
  sink->put(sink->context, strcmp(b->mode, "bad_counter") == 0 ? "no spaces allowed" : "messages", 1);
  return 0;
}

static const char* last_error(void* h) {
  return h ? "ingest failed on purpose" : create_error;
}

static void destroy(void* h) {
  free(h);
}

#ifdef BROKEN_ABI_VERSION
#define ABI 999u
#else
#define ABI TWINBED_PLUGIN_ABI_VERSION
#endif
static const twinbed_plugin_api api = {
    ABI,    sizeof(twinbed_plugin_api), "broken", create, configure, ingest, finish, counters, last_error,
    destroy};
#ifdef BROKEN_NO_ENTRY
/* The table under another name: what a library of another major ABI would export. */
const twinbed_plugin_api* twinbed_pipeline_plugin_v0(void);
const twinbed_plugin_api* twinbed_pipeline_plugin_v0(void) {
  return &api;
}
#else
const twinbed_plugin_api* twinbed_pipeline_plugin_v1(void) {
  return &api;
}
#endif
