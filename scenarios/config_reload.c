/* scenarios/config_reload.c — a service that reloads its configuration
 * when the file changes, watching it with uv_fs_event (Node's fs.watch).
 *
 *   let version = 0;
 *   fs.watch('/etc/app.conf', () => {        // buggy
 *     version++;                             // "each event is one save"
 *     apply(version);
 *   });
 *
 * Another process (a deploy tool: two `external write` fault rules)
 * saves version 1 at 100 ms and version 2 at 102 ms.
 *
 * Invariant: once things settle (1 s), the configuration in use is the
 * one in the file.
 *
 * The bug: one callback per save is an assumption inotify does not keep.
 * On an idle machine the loop reads the first save's event before the
 * second save, and the counter is right. If the loop reads late (the
 * fs_event_latency decision: 10 ms) the second save's IN_MODIFY finds the
 * first one still unread and inotify merges them (fs_event_coalesce):
 * one callback for two saves, and the service runs version 1 for ever.
 *
 * The fix: an event only says "something changed"; re-read the file on
 * every event and apply what it says (coalesced events then cost
 * nothing, and a spurious one re-applies the same version).
 */
#include <fcntl.h>
#include <stdlib.h>

#include "scn.h"

#define CR_PATH "/etc/app.conf"

static struct {
  int fixed;
  int version;                  /* the configuration in use                */
  int events;
  uv_fs_event_t watch;
  uv_timer_t settle;
} cr;

/* The version the file holds ("version=N"), read synchronously. */
static int file_version(void) {
  uv_fs_t req;
  char buf[64];
  int fd = uv_fs_open(scn_loop, &req, CR_PATH, O_RDONLY, 0, NULL);
  uv_fs_req_cleanup(&req);
  UVSIM_CHECK(fd >= 0, "open %s: %s", CR_PATH, uv_err_name(fd));
  uv_buf_t b = uv_buf_init(buf, sizeof buf - 1);
  int n = uv_fs_read(scn_loop, &req, fd, &b, 1, 0, NULL);
  uv_fs_req_cleanup(&req);
  uv_fs_close(scn_loop, &req, fd, NULL);
  uv_fs_req_cleanup(&req);
  buf[n > 0 ? n : 0] = '\0';
  return strncmp(buf, "version=", 8) == 0 ? atoi(buf + 8) : -1;
}

static void on_config_change(uv_fs_event_t* h, const char* filename, int events, int status) {
  (void)h;
  (void)filename;
  (void)events;
  UVSIM_CHECK(status == 0, "watch error %d", status);
  cr.events++;
  if (cr.fixed) cr.version = file_version();   /* what the file says */
  else cr.version++;                           /* the bug: one event, one save */
}

static void on_settled(uv_timer_t* t) {
  UVSIM_CHECK(cr.version == file_version(),
              "running configuration version %d, the file holds version %d (%d events)",
              cr.version, file_version(), cr.events);
  uv_close((uv_handle_t*)&cr.watch, NULL);
  uv_close((uv_handle_t*)t, NULL);
}

static void config_reload(int fixed) {
  memset(&cr, 0, sizeof cr);
  cr.fixed = fixed;
  uv_loop_t* loop = scn_begin();
  uvsim_fs_put(CR_PATH, "version=0", 9);
  UVSIM_CHECK(uvsim_fault("external write " CR_PATH " data=version=1 at=100ms") == 0,
              "external rule refused");
  UVSIM_CHECK(uvsim_fault("external write " CR_PATH " data=version=2 at=102ms") == 0,
              "external rule refused");
  cr.version = file_version();
  uv_fs_event_init(loop, &cr.watch);
  int rc = uv_fs_event_start(&cr.watch, on_config_change, CR_PATH, 0);
  UVSIM_CHECK(rc == 0, "uv_fs_event_start: %s", uv_err_name(rc));
  uv_timer_init(loop, &cr.settle);
  uv_timer_start(&cr.settle, on_settled, 1000, 0);
  scn_run();
  scn_end();
}

static void config_reload_buggy(void) { config_reload(0); }
static void config_reload_fixed(void) { config_reload(1); }

UVSIM_SCENARIO(config_reload, buggy, config_reload_buggy,
               .description = "config reloader counts watcher events as saves; inotify merges two",
               .invariant = "the configuration in use is the one in the file",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(config_reload, fixed, config_reload_fixed,
               .description = "config reloader re-reads the file on every watcher event",
               .invariant = "the configuration in use is the one in the file",
               .expect = UVSIM_EXPECT_CLEAN);
