/* uv_random as libuv 1.44 checks and delivers it: E2BIG before EINVAL,
 * both before anything else, in the synchronous and the pool form; a
 * zero-length request; the pool form counted as an active request until
 * its callback, which gets the caller's buffer and length; two requests
 * complete in submission order (one pool thread). The bytes themselves
 * differ (real entropy, a seeded stream), so only "not all zero" is
 * printed. */
#include "d.h"

static unsigned char scratch[2][64];

static int all_zero(const unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return 0;
  return 1;
}

static void random_cb(uv_random_t* req, int status, void* buf, size_t buflen) {
  int which = (int)(intptr_t)req->data;
  SAY("random_cb %d: %s buf-ok=%d len=%zu zero=%d type=%s", which, E(status),
      buf == scratch[which % 2], buflen, buflen ? all_zero(buf, buflen) : -1,
      uv_req_type_name(req->type));
}

int main(void) {
  unsigned char buf[256];
  SAY("sync flags: %s", E(uv_random(NULL, NULL, buf, sizeof buf, 1, NULL)));
  SAY("sync E2BIG first: %s", E(uv_random(NULL, NULL, buf, (size_t)-1, (unsigned)-1, NULL)));
  SAY("sync 2^31: %s", E(uv_random(NULL, NULL, buf, 0x80000000u, 0, NULL)));
  SAY("sync empty: %s", E(uv_random(NULL, NULL, buf, 0, 0, NULL)));
  memset(buf, 0, sizeof buf);
  int r = uv_random(NULL, NULL, buf, sizeof buf, 0, NULL);
  SAY("sync: %s zero=%d", E(r), all_zero(buf, sizeof buf));

  uv_loop_t* loop = uv_default_loop();
  uv_random_t req[3];
  req[0].data = (void*)(intptr_t)0;
  SAY("async flags: %s", E(uv_random(loop, &req[0], scratch[0], 64, 7, random_cb)));
  SAY("async E2BIG: %s", E(uv_random(loop, &req[0], scratch[0], (size_t)-1, 7, random_cb)));
  SAY("alive after refusals: %d", uv_loop_alive(loop));
  SAY("async empty: %s", E(uv_random(loop, &req[0], scratch[0], 0, 0, random_cb)));
  SAY("alive: %d", uv_loop_alive(loop));
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  req[1].data = (void*)(intptr_t)1;
  req[2].data = (void*)(intptr_t)2;
  SAY("async 1: %s", E(uv_random(loop, &req[1], scratch[1], 64, 0, random_cb)));
  SAY("async 2: %s", E(uv_random(loop, &req[2], scratch[0], 32, 0, random_cb)));
  SAY("loop_close busy: %s", E(uv_loop_close(loop)));
  SAY("run: %s", E(uv_run(loop, UV_RUN_DEFAULT)));
  close_loop(loop);
  return 0;
}
