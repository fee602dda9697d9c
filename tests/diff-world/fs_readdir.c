/* opendir/readdir/closedir in batches; the order readdir gives is the
 * filesystem's own, so names are sorted before printing. */
#include "diff.h"

static int cmp(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

static uv_dirent_t ents[2];
static char* seen[16];
static int nseen, batches;

static void on_closedir(uv_fs_t* req) {
  show("closedir", (int)req->result);
  uv_fs_req_cleanup(req);
  qsort(seen, (size_t)nseen, sizeof *seen, cmp);
  for (int i = 0; i < nseen; i++) { printf("  %s\n", seen[i]); free(seen[i]); }
  printf("entries=%d batches>=3: %d\n", nseen, batches >= 3);
}

static void on_readdir(uv_fs_t* req) {
  uv_dir_t* dir = req->ptr;
  ssize_t n = req->result;
  /* Copy first: cleaning up a readdir request frees the entries' names. */
  for (ssize_t i = 0; i < n; i++) seen[nseen++] = strdup(dir->dirents[i].name);
  uv_fs_req_cleanup(req);
  if (n > 0) {
    batches++;
    uv_fs_readdir(req->loop, req, dir, on_readdir);
    return;
  }
  printf("readdir end: %zd\n", n);
  uv_fs_closedir(req->loop, req, dir, on_closedir);
}

static void on_opendir(uv_fs_t* req) {
  show("opendir", (int)req->result);
  uv_dir_t* dir = req->ptr;
  uv_fs_req_cleanup(req);
  dir->dirents = ents;
  dir->nentries = 2;
  uv_fs_readdir(req->loop, req, dir, on_readdir);
}

int main(void) {
  mktmp();
  put("c", ""); put("a", ""); put("e", ""); put("b", ""); put("d", "");
  uv_fs_t req;
  show("opendir missing", uv_fs_opendir(NULL, &req, P("none"), NULL));
  uv_fs_req_cleanup(&req);
  show("opendir file", uv_fs_opendir(NULL, &req, P("a"), NULL));
  uv_fs_req_cleanup(&req);
  /* Synchronous: one batch of up to 8. */
  if (uv_fs_opendir(NULL, &req, P(""), NULL) == 0) {
    uv_dir_t* dir = req.ptr;
    uv_fs_req_cleanup(&req);
    uv_dirent_t many[8];
    dir->dirents = many;
    dir->nentries = 8;
    int n = uv_fs_readdir(NULL, &req, dir, NULL);
    uv_fs_req_cleanup(&req);
    printf("sync readdir: %d (types file: %d)\n", n, n > 0 && many[0].type == UV_DIRENT_FILE);
    printf("sync readdir again: %d\n", uv_fs_readdir(NULL, &req, dir, NULL));
    uv_fs_req_cleanup(&req);
    show("sync closedir", uv_fs_closedir(NULL, &req, dir, NULL));
    uv_fs_req_cleanup(&req);
  }
  uv_fs_opendir(uv_default_loop(), &req, P(""), on_opendir);
  finish(uv_default_loop());
  rmtmp();
  return 0;
}
