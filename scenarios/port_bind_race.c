/* scenarios/port_bind_race.c — two workers pick a port by check-then-bind
 * (plain libuv API).
 *
 *   worker(name):                                    // buggy
 *     port = 8080
 *     probe: connect to 127.0.0.1:port; refused → free, else try port + 1
 *     load the worker's config (a pool job), then bind + listen on port
 *   worker A at 0 ms; worker B at 1 ms
 *
 * Invariant: both workers end up listening (on different ports).
 *
 * The bug: the probe and the bind are separate steps; another worker can
 * take the port in between. On an idle machine worker A is listening before
 * worker B probes, so B moves on to 8081. If A's config load is slow (a
 * 10 ms pool job: one decision), both probes find 8080 free and the second
 * bind fails with EADDRINUSE.
 *
 * The fix: no probe — bind and listen, and on EADDRINUSE try the next port
 * (the kernel is the only arbiter of who owns a port).
 */
#include "scn.h"

#define PB_WORKERS 2
#define PB_BASE_PORT 8080
#define PB_PORTS 4

typedef struct worker {
  int id;
  int port;
  int listening;
  int failed;
  uv_tcp_t* server;                 /* the listening one, when listening */
  /* one handle per attempt: a closing handle is never re-initialised */
  uv_tcp_t servers[PB_PORTS];
  uv_tcp_t probes[PB_PORTS];
  uv_connect_t connect_reqs[PB_PORTS];
  int nservers, nprobes;
  uv_work_t config_job;
  uv_tcp_t accepted[PB_PORTS];
  int naccepted;
} worker;

static struct {
  int fixed;
  worker w[PB_WORKERS];
  uv_timer_t start_b;
  int bind_err;
} pb;

static void on_closed(uv_handle_t* h) { (void)h; }

/* A worker's listener accepts the other worker's probe and hangs up. */
static void on_connection(uv_stream_t* srv, int status) {
  worker* w = srv->data;
  if (status != 0 || w->naccepted == PB_PORTS) return;
  uv_tcp_t* c = &w->accepted[w->naccepted++];
  uv_tcp_init(srv->loop, c);
  uv_accept(srv, (uv_stream_t*)c);
  uv_close((uv_handle_t*)c, on_closed);
}

/* bind + listen on w->port; 0 or a libuv error (EADDRINUSE may come from
 * either call on real libuv). */
static int try_listen(worker* w) {
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", w->port, &addr);
  uv_tcp_t* srv = &w->servers[w->nservers++];
  uv_tcp_init(scn_loop, srv);
  srv->data = w;
  int rc = uv_tcp_bind(srv, (const struct sockaddr*)&addr, 0);
  if (rc == 0) rc = uv_listen((uv_stream_t*)srv, 8, on_connection);
  if (rc != 0) uv_close((uv_handle_t*)srv, on_closed);
  else w->server = srv;
  return rc;
}

static void start_listening(worker* w) {
  for (;;) {
    int rc = try_listen(w);
    if (rc == 0) {
      w->listening = 1;
      return;
    }
    if (pb.fixed && rc == UV_EADDRINUSE && w->port < PB_BASE_PORT + PB_PORTS - 1) {
      w->port++;
      continue;
    }
    w->failed = 1;
    pb.bind_err = rc;
    UVSIM_CHECK(0, "worker %d cannot listen on its probed port: %s", w->id,
                uv_err_name(rc));
    return;
  }
}

static void config_work(uv_work_t* req) { (void)req; }

static void config_loaded(uv_work_t* req, int status) {
  (void)status;
  start_listening(req->data);
}

static void load_config_then_listen(worker* w) {
  w->config_job.data = w;
  int rc = uv_queue_work(scn_loop, &w->config_job, config_work, config_loaded);
  UVSIM_CHECK(rc == 0, "uv_queue_work: %s", uv_err_name(rc));
}

static void probe(worker* w);

static void probe_done(uv_connect_t* req, int status) {
  worker* w = req->data;
  uv_close((uv_handle_t*)req->handle, on_closed);
  if (status == UV_ECONNREFUSED) {   /* nobody listens: "free" */
    load_config_then_listen(w);
    return;
  }
  w->port++;                         /* taken (or odd): try the next one */
  if (w->port < PB_BASE_PORT + PB_PORTS) probe(w);
  else w->failed = 1;
}

static void probe(worker* w) {
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", w->port, &addr);
  uv_tcp_t* h = &w->probes[w->nprobes];
  uv_connect_t* req = &w->connect_reqs[w->nprobes++];
  uv_tcp_init(scn_loop, h);
  req->data = w;
  int rc = uv_tcp_connect(req, h, (const struct sockaddr*)&addr, probe_done);
  UVSIM_CHECK(rc == 0, "uv_tcp_connect: %s", uv_err_name(rc));
}

static void worker_start(worker* w) {
  w->port = PB_BASE_PORT;
  if (pb.fixed) load_config_then_listen(w);
  else probe(w);
}

static void start_b(uv_timer_t* t) {
  uv_close((uv_handle_t*)t, on_closed);
  worker_start(&pb.w[1]);
}

/* Both workers stop once both are up (or one gave up). */
static void shut_down(void) {
  for (int i = 0; i < PB_WORKERS; i++)
    if (pb.w[i].listening) uv_close((uv_handle_t*)pb.w[i].server, on_closed);
}

static void check_up(uv_check_t* h) {
  int settled = 0;
  for (int i = 0; i < PB_WORKERS; i++) settled += pb.w[i].listening || pb.w[i].failed;
  if (settled < PB_WORKERS) return;
  uv_check_stop(h);
  uv_close((uv_handle_t*)h, on_closed);
  shut_down();
}

static uv_check_t pb_check;

static void port_bind_race(int fixed) {
  memset(&pb, 0, sizeof pb);
  memset(&pb_check, 0, sizeof pb_check);
  pb.fixed = fixed;
  for (int i = 0; i < PB_WORKERS; i++) pb.w[i].id = i + 1;
  uv_loop_t* loop = scn_begin();
  worker_start(&pb.w[0]);
  uv_timer_init(loop, &pb.start_b);
  uv_timer_start(&pb.start_b, start_b, 1, 0);
  uv_check_init(loop, &pb_check);
  uv_check_start(&pb_check, check_up);
  uv_unref((uv_handle_t*)&pb_check);
  if (scn_run()) {
    for (int i = 0; i < PB_WORKERS; i++)
      UVSIM_CHECK(pb.w[i].listening, "worker %d is not listening", i + 1);
    UVSIM_CHECK(pb.w[0].port != pb.w[1].port, "both workers on one port");
  }
  scn_end();
}

static void port_bind_race_buggy(void) { port_bind_race(0); }
static void port_bind_race_fixed(void) { port_bind_race(1); }

UVSIM_SCENARIO(port_bind_race, buggy, port_bind_race_buggy,
               .description = "libuv: probe a port with connect, then bind it: EADDRINUSE",
               .invariant = "both workers end up listening on different ports",
               .expect = UVSIM_EXPECT_BUG);
UVSIM_SCENARIO(port_bind_race, fixed, port_bind_race_fixed,
               .description = "libuv: bind directly, next port on EADDRINUSE",
               .invariant = "both workers end up listening on different ports",
               .expect = UVSIM_EXPECT_CLEAN);
