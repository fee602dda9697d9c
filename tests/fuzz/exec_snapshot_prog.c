/* tests/fuzz/exec_snapshot_prog.c — an ordinary libuv program (built
 * against the real libuv, never told about uvsim) for the fork server's
 * snapshot mode (loop/snapshot.c): three pool jobs finish in some order,
 * printed by the last after-callback, and each mode does one thing that a
 * restore in place must undo, or refuse (exec_snapshot.sh):
 *   plain    nothing more
 *   offset   reads 4 bytes of a file opened before uv_run (no seek): a
 *            started run reads the first 4
 *   thread   starts a thread in a work callback that wakes every ms
 *   atexit   registers an atexit handler before uv_run that prints
 *   dtor     an ELF destructor prints (exec_snapshot_dtor, WITH_DTOR)
 *   grow     mallocs 8 MB in small blocks (the heap grows) and 32 MB in
 *            one (mmap), maps 1 MB more; prints on stderr how many
 *            mappings there were first, and the break's growth
 *   child    forks a child per run and leaves it unreaped; prints whether
 *            an earlier child is there to reap first
 *   mixed    order acb: _exit(5); bac: abort(); cab: exit(7); else returns */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

static const char* mode = "plain";
static char order[4];
static int done, file = -1;
static char* brk0;

static void* ticker(void* arg) {
  (void)arg;
  for (;;) usleep(1000);
  return NULL;
}

static void work(uv_work_t* req) {
  if (!strcmp(mode, "thread") && *(const char*)req->data == 'a') {
    pthread_t t;
    pthread_create(&t, NULL, ticker, NULL);
    pthread_detach(t);
  }
}

static int maps_lines(void) {
  FILE* f = fopen("/proc/self/maps", "r");
  int n = 0, c;
  while (f && (c = fgetc(f)) != EOF) n += c == '\n';
  if (f) fclose(f);
  return n;
}

/* On stderr: the mappings there are (those an earlier run left would
 * count) and how far the break is from where it was before uv_run. */
static void grow(void) {
  fprintf(stderr, "%d mappings\n", maps_lines());
  char* blocks[2048];
  for (int i = 0; i < 2048; i++) {
    blocks[i] = malloc(4096);
    memset(blocks[i], i & 0xff, 4096);
  }
  char* big = malloc(32u << 20);
  for (size_t i = 0; i < 32u << 20; i += 65536) big[i] = 1;
  char* m = mmap(NULL, 1u << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  memset(m, 2, 1u << 20);
  fprintf(stderr, "break +%ld\n", (long)((char*)sbrk(0) - brk0));
  /* nothing freed: the run's exit (or the restore) takes it all back */
}

static void after(uv_work_t* req, int status) {
  (void)status;
  order[done++] = *(const char*)req->data;
  if (done < 3) return;
  printf("%s\n", order);
  if (!strcmp(mode, "offset")) {
    char buf[5] = "";
    ssize_t n = read(file, buf, 4);
    printf("read %zd: %s\n", n, n > 0 ? buf : "");
  }
  if (!strcmp(mode, "grow")) grow();
  if (!strcmp(mode, "child")) {
    printf("%s\n", waitpid(-1, NULL, WNOHANG) > 0 ? "an earlier child" : "no child");
    if (fork() == 0) _exit(0);
  }
  if (!strcmp(mode, "mixed")) {
    fflush(stdout);
    if (!strcmp(order, "acb")) _exit(5);
    if (!strcmp(order, "bac")) abort();
    if (!strcmp(order, "cab")) exit(7);
  }
}

static void bye(void) { printf("atexit handler ran\n"); }

/* Built a second time as exec_snapshot_dtor with WITH_DTOR: an ELF
 * destructor in the binary refuses snapshot mode for every mode. */
static int dtor_on;
#ifdef WITH_DTOR
__attribute__((destructor)) static void dtor(void) {
  if (dtor_on) printf("destructor ran\n");
}
#endif

int main(int argc, char** argv) {
  if (argc > 1) mode = argv[1];
  if (!strcmp(mode, "offset")) {
    char path[] = "/tmp/exec_snapshot_prog.XXXXXX";
    file = mkstemp(path);
    unlink(path);
    if (file < 0 || write(file, "0123456789abcdefghijklmnopqrstuvwxyz", 36) != 36) return 2;
    lseek(file, 0, SEEK_SET);
  }
  if (!strcmp(mode, "atexit")) atexit(bye);
  if (!strcmp(mode, "dtor")) dtor_on = 1;
  if (!strcmp(mode, "grow")) brk0 = sbrk(0);
  uv_work_t a, b, c;
  a.data = "a";
  b.data = "b";
  c.data = "c";
  uv_queue_work(uv_default_loop(), &a, work, after);
  uv_queue_work(uv_default_loop(), &b, work, after);
  uv_queue_work(uv_default_loop(), &c, work, after);
  uv_run(uv_default_loop(), UV_RUN_DEFAULT);
  return 0;
}
