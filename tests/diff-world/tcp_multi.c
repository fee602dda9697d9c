/* Three clients; the server collects one message from each (all the bytes
 * a connection sends until EOF: TCP may split them) and prints them sorted
 * (which client is accepted first is not the point here). */
#include "net.h"

#define N 3
static uv_tcp_t server, clients[N];
static uv_connect_t creqs[N];
static uv_write_t wreqs[N];
static char names[N][16];
static char got[N][16];
static int ngot, accepted, closed;

static int cmp(const void* a, const void* b) { return strcmp(a, b); }

typedef struct peer {
  uv_tcp_t h;                   /* first: the handle is the peer */
  char msg[16];
  size_t len;
} peer;

static void on_close(uv_handle_t* h) {
  if (h != (uv_handle_t*)&server && (h < (uv_handle_t*)&clients[0] || h > (uv_handle_t*)&clients[N - 1])) free(h);
  closed++;
}

static void server_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  peer* p = (peer*)s;
  if (n > 0) {
    size_t room = sizeof p->msg - 1 - p->len;
    size_t k = (size_t)n < room ? (size_t)n : room;
    memcpy(p->msg + p->len, buf->base, k);
    p->len += k;
  } else if (n < 0) {
    p->msg[p->len] = '\0';
    snprintf(got[ngot++], sizeof got[0], "%s", p->msg);
    if (ngot == N) {
      qsort(got, N, sizeof got[0], cmp);
      for (int i = 0; i < N; i++) printf("got %s\n", got[i]);
      uv_close((uv_handle_t*)&server, on_close);
    }
    uv_close((uv_handle_t*)s, on_close);
  }
}

static void on_connection(uv_stream_t* s, int status) {
  if (status) { show("connection", status); return; }
  peer* p = calloc(1, sizeof *p);
  uv_tcp_t* c = &p->h;
  uv_tcp_init(s->loop, c);
  if (uv_accept(s, (uv_stream_t*)c) == 0) accepted++;
  uv_read_start((uv_stream_t*)c, alloc_cb, server_read);
}

static void on_written(uv_write_t* req, int status) {
  if (status) show("write", status);
  uv_close((uv_handle_t*)req->handle, on_close);
}

static void on_connect(uv_connect_t* req, int status) {
  if (status) { show("connect", status); return; }
  int i = (int)(req - creqs);
  uv_buf_t b = uv_buf_init(names[i], (unsigned)strlen(names[i]));
  uv_write(&wreqs[i], req->handle, &b, 1, on_written);
}

int main(void) {
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in addr;
  listen_any(loop, &server, on_connection, &addr);
  for (int i = 0; i < N; i++) {
    snprintf(names[i], sizeof names[i], "client-%d", i);
    uv_tcp_init(loop, &clients[i]);
    uv_tcp_connect(&creqs[i], &clients[i], (const struct sockaddr*)&addr, on_connect);
  }
  uv_run(loop, UV_RUN_DEFAULT);
  printf("accepted %d closed %d\n", accepted, closed);
  printf("close: %s\n", uv_loop_close(loop) == 0 ? "OK" : "BUSY");
  return 0;
}
