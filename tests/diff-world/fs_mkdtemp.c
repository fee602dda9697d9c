/* mkdtemp/mkstemp: the names are random, so print only their shape. */
#include "diff.h"

static void on_mkdtemp(uv_fs_t* req) {
  show("async mkdtemp", (int)req->result);
  printf("  prefix kept: %d len: %zu\n", strncmp(rel(req->path), "a-", 2) == 0, strlen(rel(req->path)));
  uv_fs_req_cleanup(req);
}

int main(void) {
  mktmp();
  uv_fs_t req, req2;
  char tmpl[512];
  snprintf(tmpl, sizeof tmpl, "%s", P("t-XXXXXX"));
  show("mkdtemp", uv_fs_mkdtemp(NULL, &req, tmpl, NULL));
  printf("  template untouched: %d\n", strcmp(tmpl, P("t-XXXXXX")) == 0);
  show("mkdtemp 2", uv_fs_mkdtemp(NULL, &req2, tmpl, NULL));
  printf("  distinct: %d\n", strcmp(req.path, req2.path) != 0);
  uv_fs_t st;
  if (uv_fs_stat(NULL, &st, req.path, NULL) == 0)
    printf("  is dir: %d mode: %o\n", (st.statbuf.st_mode & 0170000) == 0040000,
           (unsigned)(st.statbuf.st_mode & 0777));
  uv_fs_req_cleanup(&st);
  uv_fs_req_cleanup(&req);
  uv_fs_req_cleanup(&req2);
  show("mkdtemp bad template", uv_fs_mkdtemp(NULL, &req, P("bad-XXX"), NULL));
  uv_fs_req_cleanup(&req);
  show("mkdtemp missing parent", uv_fs_mkdtemp(NULL, &req, P("no/t-XXXXXX"), NULL));
  uv_fs_req_cleanup(&req);
  int fd = uv_fs_mkstemp(NULL, &req, P("s-XXXXXX"), NULL);
  printf("mkstemp: %s\n", fd >= 0 ? "fd" : uv_err_name(fd));
  if (fd >= 0) {
    uv_fs_t w;
    uv_buf_t b = uv_buf_init("tmp", 3);
    printf("  write: %d\n", uv_fs_write(NULL, &w, fd, &b, 1, 0, NULL));
    uv_fs_req_cleanup(&w);
    if (uv_fs_stat(NULL, &w, req.path, NULL) == 0) printf("  mode: %o size: %llu\n",
        (unsigned)(w.statbuf.st_mode & 0777), (unsigned long long)w.statbuf.st_size);
    uv_fs_req_cleanup(&w);
    uv_fs_close(NULL, &w, fd, NULL);
    uv_fs_req_cleanup(&w);
  }
  uv_fs_req_cleanup(&req);
  uv_fs_mkdtemp(uv_default_loop(), &req, P("a-XXXXXX"), on_mkdtemp);
  finish(uv_default_loop());
  rmtmp();
  return 0;
}
