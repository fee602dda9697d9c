/* cli/exec.c — `uvsim exec`: schedules of an unchanged program.
 *
 * The program is any dynamically linked libuv program, run as it is: each
 * run is a fresh process with libuvsim.so preloaded in place of libuv.so
 * (same ABI, so the dynamic linker binds every uv_* call to the simulation)
 * and UVSIM_SEED set, which makes that run one seeded schedule (sim/sim_world.c
 * reads it once). The first run has no seed: the natural order, the
 * baseline. A run fails when the process dies of a signal, exits non-zero,
 * outlives --timeout, or — with --same-output — prints something else than
 * the natural order did. Failures are grouped by signature; the first of
 * each is run again with the same seed to show it replays, and printed with
 * the one line that replays it, and its reproducer is written (the run's
 * decisions and what it saw outside the simulation: cli/exec_repro.c).
 *
 * What the harness measures (wall time for the timeout, child processes)
 * is outside the simulated path; inside, the run is as deterministic as the
 * program is: its own reads of the wall clock, real randomness or real
 * files are not uvsim's to control, and the replay check says when that
 * shows. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <link.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/ci.h"
#include "cli/cli.h"
#include "cli/exec.h"
#include "cli/exec_repro.h"
#include "cli/exec_server.h"
#include "loop/snapshot.h"
#include "sim/sim_fs.h"
#include "sim/sim_util.h"
#include "fuzz/fuzz.h"
#include "cli/node.h"

#define EXEC_JOBS_MAX 64
#define EXEC_OUTPUTS_MAX 4096
#define EXEC_ERR_KEEP (64 * 1024)

static const char* usage_exec =
  "usage: uvsim exec [options] [--] PROGRAM [ARGS...]\n"
  "\n"
  "Runs an unchanged, dynamically linked libuv program under many schedules:\n"
  "each run preloads libuvsim.so in place of libuv and sets UVSIM_SEED. The\n"
  "first run is the natural order (no seed).\n"
  "\n"
  "options:\n"
  "  --runs N        seeded runs after the natural one (default 200)\n"
  "  --time S        start no run after S wall seconds (the runs done are\n"
  "                  the same first ones as without it)\n"
  "  --seed S        campaign seed (default 1); run i uses splitmix64(S, i)\n"
  "  --jobs J        runs at once (default 1, at most 64); the report is the\n"
  "                  same for any J\n"
  "  --timeout S     wall seconds a run may take before it counts as a hang\n"
  "                  (default 10)\n"
  "  --memory MB     resident memory a run may use before it is stopped and\n"
  "                  reported as \"out of memory\" (default 4096)\n"
  "  --strategy random|pct|nodefz|dfs\n"
  "                  how the seeded runs' schedules are drawn (default: each\n"
  "                  decision uniform from the seed): `uvsim run`'s strategies,\n"
  "                  run in each child by libuvsim (UVSIM_STRATEGY); pct's k is\n"
  "                  the natural run's decision count; dfs runs one schedule\n"
  "                  at a time (no --jobs), each prefix sent as a tape\n"
  "  --slow, --bias-max B, --pct-depth D, --pct-k K, --nodefz-pool DOF,PCT,\n"
  "  --nodefz-io DOF,PCT, --nodefz-timer PCT, --nodefz-other PCT,\n"
  "  --dfs-depth N, --dfs-branch N (at most 256), --dfs-nonzero N\n"
  "                  the strategy's settings, as `uvsim run`'s; --slow also\n"
  "                  without --strategy (UVSIM_SLOW=1)\n"
  "  --same-output   a run whose stdout differs from the natural order's fails\n"
  "  --stop-at-first start no run after the first failing one; runs in flight\n"
  "                  after it are not counted, so the runs counted and the\n"
  "                  first failure are the same for any --jobs\n"
  "  --fuzz          coverage-guided instead of seeded: --runs tapes (byte\n"
  "                  strings of answers, UVSIM_TAPE) mutated from those that\n"
  "                  reached new ordering coverage, one at a time; the same\n"
  "                  --seed gives the same tapes and findings\n"
  "  --out DIR       with --fuzz: where each signature's tape is kept\n"
  "                  (default reports/out/exec-fuzz)\n"
  "  --runs-log FILE one line per run: its schedule (seed or tape), how it\n"
  "                  ended, its trace hash and output hashes\n"
  "  --no-fork-server\n"
  "                  start a process per run; by default the program starts\n"
  "                  once (per job) and serves the runs from its first\n"
  "                  uv_run, unless it made a decision or started a thread\n"
  "                  before (then it says so and starts a process per run)\n"
  "  --corpus DIR    where reproducers go (default corpus): one per failure\n"
  "                  signature, DIR/exec-PROGRAM/HASH.uvsim\n"
  "  --no-minimize   write each reproducer as found\n"
  "  --no-snapshot   with the fork server, fork a child per run; by default\n"
  "                  one forked worker runs schedule after schedule, its memory\n"
  "                  restored in place after each exit (snapshot mode; it\n"
  "                  forks again after a run it cannot restore soundly)\n"
  "  --map SIM=HOST[,ro|,snapshot]\n"
  "                  map a host directory into the program's simulated\n"
  "                  filesystem (repeatable; UVSIM_FS_MAP, docs/world.md)\n"
  "  --lib PATH      libuvsim.so to preload (default: $UVSIM_LIB, else\n"
  "                  ../lib/libuvsim.so from this uvsim binary when installed,\n"
  "                  else lib/libuvsim.so beside it in the build tree)\n"
  "  --quiet         no progress line\n"
  "  --junit FILE    also write JUnit XML: one test case for the program, a\n"
  "                  failure per signature with its replay line\n"
  "  --json          print a JSON summary on stdout (the usual output goes\n"
  "                  to stderr)\n"
  "\n"
  "Each failure is printed once per signature with the seed, whether running\n"
  "that seed again gave the same exit and output, and the command that\n"
  "replays it; and with its reproducer: the run's decisions, what it saw\n"
  "outside the simulation and its children's output, minimised, replayed\n"
  "twice; `uvsim replay FILE` replays it without running the children again.\n"
  "exit status: 0 no failure, 1 a failure, 2 bad usage.\n";

#define EXEC_MEMORY_MB_DEFAULT 4096u
/* How often a running child's resident memory is looked at. */
#define EXEC_MEMORY_POLL_S 0.02

/* ----------------------------------------------------------- one run */

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* FNV-1a of a whole file (from its start). */
static uint64_t hash_file(FILE* f) {
  uint64_t h = 1469598103934665603ull;
  char buf[8192];
  size_t n;
  rewind(f);
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)buf[i]) * 1099511628211ull;
  return h;
}

/* The same over stderr, blind to what differs between two identical
 * crashes: a sanitizer's "==PID==" and addresses ("0x7ffd..."), which ASLR
 * and the pid change from run to run. */
static uint64_t hash_err(FILE* f) {
  uint64_t h = 1469598103934665603ull;
  int c, prev = 0, in_hex = 0, in_pid = 0;
  rewind(f);
  while ((c = getc(f)) != EOF) {
    if (in_hex) {
      if (isxdigit(c)) continue;
      in_hex = 0;
    }
    if (in_pid) {
      if (isdigit(c)) continue;
      in_pid = 0;
    }
    if (prev == '0' && c == 'x') in_hex = 1;
    if (prev == '=' && c == '=') in_pid = 1;
    h = (h ^ (unsigned char)c) * 1099511628211ull;
    prev = c;
  }
  return h;
}

static void copy_str(char* out, size_t outlen, const char* s) {
  size_t n = strlen(s);
  if (n >= outlen) n = outlen - 1;
  memcpy(out, s, n);
  out[n] = '\0';
}

/* uvsim's own message, else an assertion's, else the first line. */
static void telling_line(FILE* f, char* out, size_t outlen) {
  char line[1024], first[1024] = "";
  out[0] = '\0';
  rewind(f);
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = '\0';
    if (!first[0] && line[0]) snprintf(first, sizeof first, "%s", line);
    if (!strncmp(line, "uvsim: ", 7) || strstr(line, "Assertion") ||
        strstr(line, "assert")) {
      copy_str(out, outlen, line);
      return;
    }
  }
  copy_str(out, outlen, first);
}

/* The environment a run gets (also used by `uvsim node`'s plain runs). */
void cli_exec_child_env(const exec_opts* o, const uint64_t* seed) {
  setenv("LD_PRELOAD", o->preload, 1);
  char s[32];
  unsetenv("UVSIM_REPLAY");
  unsetenv("UVSIM_STRATEGY");
  /* --slow: the seeded source's durations too (sim/sim_world.c) */
  if (o->params.slow) setenv("UVSIM_SLOW", "1", 1);
  if (o->replay) {
    setenv("UVSIM_REPLAY", o->replay, 1);
    unsetenv("UVSIM_SEED");
  } else if (seed) {
    if (o->spec[0]) setenv("UVSIM_STRATEGY", o->spec, 1);
    snprintf(s, sizeof s, "%" PRIu64, *seed);
    setenv("UVSIM_SEED", s, 1);
  } else {
    unsetenv("UVSIM_SEED");
  }
  if (o->maps[0]) setenv("UVSIM_FS_MAP", o->maps, 1);
  if (o->cwd[0]) setenv("UVSIM_CWD", o->cwd, 1);
  if (o->node && strstr(o->preload, "/libasan.so")) {
    /* A sanitized libuvsim in node: node's own allocations at exit are not
     * ours to report (LeakSanitizer would fail every run). */
    const char* old = getenv("ASAN_OPTIONS");
    char buf[2048];
    snprintf(buf, sizeof buf, "%s%sdetect_leaks=0", old && *old ? old : "",
             old && *old ? ":" : "");
    setenv("ASAN_OPTIONS", buf, 1);
  }
  if (o->lib_path[0]) {
    const char* old = getenv("LD_LIBRARY_PATH");
    char buf[8192];
    snprintf(buf, sizeof buf, "%s%s%s", o->lib_path, old && *old ? ":" : "",
             old ? old : "");
    setenv("LD_LIBRARY_PATH", buf, 1);
  }
}

/* A tape run reads its tape from a file beside its report; the ordering
 * coverage map is a descriptor the program keeps (no close-on-exec). */
static void child_tape_env(const exec_opts* o, const char* rep_path) {
  char v[4200];
  unsetenv("UVSIM_TAPE");
  unsetenv("UVSIM_ORDCOV_FD");
  if (o->tape_on) {
    snprintf(v, sizeof v, "%s.tape", rep_path);
    setenv("UVSIM_TAPE", v, 1);
  }
  if (o->ordcov_fd > 0) {
    snprintf(v, sizeof v, "%d", fcntl(o->ordcov_fd, F_DUPFD, 3));
    setenv("UVSIM_ORDCOV_FD", v, 1);
  }
}

static void child(const exec_opts* o, const uint64_t* seed, int out, int err,
                  const char* rep_path, int report, const exec_server* launch) {
  dup2(out, 1);
  dup2(err, 2);
  /* The report goes to a file libuvsim opens at exit, not to an inherited
   * descriptor: a program that closes what it inherited still reports. */
  setenv("UVSIM_REPORT_PATH", rep_path, 1);
  unsetenv("UVSIM_REPORT_FD");
  setpgid(0, 0);                /* a hung run is killed with its threads */
  cli_exec_child_env(o, seed);
  unsetenv("UVSIM_FORKSERVER");
  unsetenv("UVSIM_FORKSERVER_THREADS");
  if (launch) cli_xsrv_child_env(launch);
  /* node's platform threads wait idle at its first uv_run: the server may
   * fork past them (loop/forkserver.c checks that they do) */
  if (launch && o->node) setenv("UVSIM_FORKSERVER_THREADS", "idle", 1);
  if (o->no_snapshot) setenv("UVSIM_SNAPSHOT", "0", 1);
  child_tape_env(o, rep_path);
  char** argv = o->node ? cli_node_start_argv(o, seed) : o->argv;
  execvp(o->exe ? o->exe : argv[0], argv);
  int e = errno;
  ssize_t w = write(report, &e, sizeof e);
  (void)w;
  _exit(127);
}

/* Resident memory of a process, in MB (0 when it cannot be read). */
static uint64_t rss_mb(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/statm", (int)pid);
  FILE* f = fopen(path, "r");
  if (!f) return 0;
  unsigned long long size = 0, resident = 0;
  int got = fscanf(f, "%llu %llu", &size, &resident);
  fclose(f);
  if (got != 2) return 0;
  return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE) / (1024 * 1024);
}

enum { RUN_EXITED, RUN_TIMED_OUT, RUN_OUT_OF_MEMORY };

static void kill_run(pid_t pid, int* status) {
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  while (waitpid(pid, status, 0) < 0 && errno == EINTR) {}
}

/* Waits for pid up to the timeout, looking at its memory on the way. A
 * pidfd wakes us the moment the child exits; where the kernel has none,
 * poll. A cap on resident memory rather than RLIMIT_AS: sanitizers and V8
 * reserve far more address space than they use. */
static int wait_or_kill(pid_t pid, double deadline, uint64_t memory_mb, int* status) {
  int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
  struct timespec nap = { 0, 100000 };
  int how = RUN_EXITED;
  for (;;) {
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) break;
    double left = deadline - now_s();
    if (left <= 0) {
      kill_run(pid, status);
      how = RUN_TIMED_OUT;
      break;
    }
    if (rss_mb(pid) > memory_mb) {
      kill_run(pid, status);
      how = RUN_OUT_OF_MEMORY;
      break;
    }
    if (left > EXEC_MEMORY_POLL_S) left = EXEC_MEMORY_POLL_S;
    if (pfd >= 0) {
      struct pollfd p = { .fd = pfd, .events = POLLIN };
      poll(&p, 1, (int)(left * 1000) + 1);
    } else {
      nanosleep(&nap, NULL);
      if (nap.tv_nsec < 2000000) nap.tv_nsec *= 2;
    }
  }
  if (pfd >= 0) close(pfd);
  return how;
}

/* ------------------------------------------- descendants of finished runs
 *
 * Every run is its own process group, killed whole when its leader ends;
 * and uvsim is a child subreaper, so whatever a run forked that left the
 * group (setsid) is re-parented here when its parent dies, instead of
 * outliving the campaign. Between runs those orphans are killed and every
 * such child reaped; the run leaders themselves are reaped by waitpid on
 * their own pid only. */

static int is_live_run(pid_t pid);
static int is_server(pid_t pid);
static int runs_in_flight(void);

/* Children of this process that are not run leaders: killed (only when no
 * run is in flight: an orphan may belong to a running one) and reaped. */
/* One child: reaped when a zombie; killed first when kill_them. */
static void sweep_one(pid_t pid, char state, int kill_them) {
  if (is_live_run(pid) || is_server(pid)) return;
  if (state != 'Z' && !kill_them) return;
  if (state != 'Z') kill(pid, SIGKILL);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
}

/* The state and parent of a process from /proc/PID/stat; 0 when gone. */
static int proc_stat(const char* pid, char* state, int* ppid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%.20s/stat", pid);
  FILE* f = fopen(path, "r");
  if (!f) return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  const char* p = strrchr(buf, ')');    /* the name may hold anything */
  return p && sscanf(p + 1, " %c %d", state, ppid) == 2;
}

static void sweep_orphans(int kill_them) {
  DIR* d = opendir("/proc");
  if (!d) return;
  pid_t me = getpid();
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    char state;
    int ppid;
    if (proc_stat(e->d_name, &state, &ppid) && ppid == me)
      sweep_one((pid_t)atoi(e->d_name), state, kill_them);
  }
  closedir(d);
}

/* After each run: zombies among our children are reaped (waitid peeks
 * without reaping, so a run leader's status stays for its own waitpid),
 * and every EXEC_SWEEP_EVERY runs the whole of /proc is read for live
 * orphans: on a shared machine that is hundreds of processes, which cost
 * more than a forked run itself. The campaign's end sweeps them all. */
#define EXEC_SWEEP_EVERY 64

static void sweep_after_run(void) {
  static unsigned runs;
  for (;;) {
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid == 0) break;
    if (is_live_run(si.si_pid) || is_server(si.si_pid)) break;
    while (waitpid(si.si_pid, NULL, 0) < 0 && errno == EINTR) {}
  }
  if (++runs % EXEC_SWEEP_EVERY == 0) sweep_orphans(!runs_in_flight());
}

/* The children in flight, so that an interrupted exec takes them along:
 * each is its own process group (a hung one would outlive us otherwise). */
static volatile sig_atomic_t live_pids[EXEC_JOBS_MAX + 1];

static void live_add(pid_t pid) {
  for (size_t i = 0; i < EXEC_JOBS_MAX + 1; i++)
    if (live_pids[i] == 0) { live_pids[i] = pid; return; }
}

static void live_remove(pid_t pid) {
  for (size_t i = 0; i < EXEC_JOBS_MAX + 1; i++)
    if (live_pids[i] == pid) live_pids[i] = 0;
}

static int is_live_run(pid_t pid) {
  for (size_t i = 0; i < EXEC_JOBS_MAX + 1; i++)
    if (live_pids[i] == pid) return 1;
  return 0;
}

/* Fork-server runs asked for whose pid exec has not read yet. */
static int runs_pending;

static int runs_in_flight(void) {
  if (runs_pending > 0) return 1;
  for (size_t i = 0; i < EXEC_JOBS_MAX + 1; i++)
    if (live_pids[i] > 0) return 1;
  return 0;
}

static void on_interrupt(int sig) {
  for (size_t i = 0; i < EXEC_JOBS_MAX + 1; i++)
    if (live_pids[i] > 0) {
      kill(-live_pids[i], SIGKILL);
      kill(live_pids[i], SIGKILL);
    }
  signal(sig, SIG_DFL);
  raise(sig);
}

static void catch_interrupts(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
}

/* Reports come back through files in one private directory per uvsim
 * process, removed when it exits. */
static char report_dir[64];
static uint64_t report_seq;

static void remove_report_dir(void) {
  if (report_dir[0]) rmdir(report_dir);
}

static int report_path(char* out, size_t outlen) {
  if (!report_dir[0]) {
    const char* tmp = getenv("TMPDIR");
    snprintf(report_dir, sizeof report_dir, "%s/uvsim-exec-XXXXXX",
             tmp && *tmp && strlen(tmp) < 32 ? tmp : "/tmp");
    if (!mkdtemp(report_dir)) {
      report_dir[0] = '\0';
      return errno;
    }
    atexit(remove_report_dir);
  }
  snprintf(out, outlen, "%s/run-%" PRIu64, report_dir, report_seq++);
  return 0;
}

static void unlink_run_file(const char* prefix, const char* ext) {
  char path[4200];
  snprintf(path, sizeof path, "%s%s", prefix, ext);
  unlink(path);
}

/* The run's tape, when it has one, in the file its program reads
 * (PREFIX.tape: UVSIM_TAPE, or the fork server's child). 0 or errno. */
static int write_tape(const exec_opts* o, const char* rep_path) {
  if (!o->tape_on) return 0;
  char path[4200];
  snprintf(path, sizeof path, "%s.tape", rep_path);
  FILE* f = fopen(path, "wb");
  if (!f) return errno;
  size_t w = fwrite(o->tape, 1, o->tape_len, f);
  if (fclose(f) != 0 || w != o->tape_len) return EIO;
  return 0;
}

/* A started run: the child and where its output goes. */
typedef struct xrun {
  pid_t pid;
  FILE* out;
  FILE* err;
  char rep_path[4096];          /* the child's uvsim-run report */
  double deadline;              /* wall clock: the harness, not the run */
  uint64_t seed;
  int seeded;
  exec_server* srv;             /* the fork server whose child it is, or
                                   NULL: our own child, a process started */
} xrun;

/* Starts the program; 0, or -errno when it could not be started at all
 * (the child reports execvp's errno through a close-on-exec pipe). With
 * `launch`, the program is told to become that fork server. */
static int run_start_plain(const exec_opts* o, const uint64_t* seed, xrun* x,
                           exec_server* launch) {
  memset(x, 0, sizeof *x);
  x->seeded = seed != NULL;
  if (seed) x->seed = *seed;
  x->out = tmpfile();
  x->err = tmpfile();
  int pipefd[2];
  int e = report_path(x->rep_path, sizeof x->rep_path);
  if (!e) e = write_tape(o, x->rep_path);
  if (e || !x->out || !x->err || pipe2(pipefd, O_CLOEXEC) < 0) {
    e = e ? e : errno;
    if (x->out) fclose(x->out);
    if (x->err) fclose(x->err);
    return -e;
  }
  fflush(NULL);
  x->deadline = now_s() + o->timeout_s;
  x->pid = fork();
  if (x->pid < 0) return -errno;
  if (x->pid > 0) {
    setpgid(x->pid, x->pid);    /* both sides, so no window without it */
    live_add(x->pid);
  }
  if (x->pid == 0)
    child(o, seed, fileno(x->out), fileno(x->err), x->rep_path, pipefd[1], launch);
  if (launch) cli_xsrv_started(launch, x->pid);
  close(pipefd[1]);
  int exec_errno = 0;
  ssize_t got = read(pipefd[0], &exec_errno, sizeof exec_errno);
  close(pipefd[0]);
  if (got == (ssize_t)sizeof exec_errno) {
    int status;
    waitpid(x->pid, &status, 0);
    live_remove(x->pid);
    fclose(x->out);
    fclose(x->err);
    unlink(x->rep_path);
    unlink_run_file(x->rep_path, ".tape");
    return -exec_errno;
  }
  return 0;
}

/* ------------------------------------------------------- fork servers
 *
 * The program started once per job slot, forking a child per run at its
 * first uv_run (loop/forkserver.c, cli/exec_server.c). A slot whose server
 * refused, or died, runs a process per run from then on. */

static exec_server servers[EXEC_JOBS_MAX];
static int servers_on;          /* slot 0's server said ready */

static int is_server(pid_t pid) {
  for (size_t i = 0; i < EXEC_JOBS_MAX; i++)
    if (servers[i].pid == pid && pid > 0) return 1;
  return 0;
}

static void close_servers(void) {
  for (size_t i = 0; i < EXEC_JOBS_MAX; i++)
    if (servers[i].pid > 0) cli_xsrv_close(&servers[i]);
  servers_on = 0;
}

/* A run's output file, named after its report (the server's child opens
 * it by name), starting with what the program printed before uv_run. */
static FILE* open_run_file(const char* prefix, const char* ext, const char* head,
                           size_t len) {
  char path[4200];
  snprintf(path, sizeof path, "%s%s", prefix, ext);
  FILE* f = fopen(path, "w+");
  if (f && len) {
    fwrite(head, 1, len, f);
    fflush(f);
  }
  return f;
}

/* 0 started, 1 the server is gone (the caller starts a process), -errno. */
static int run_start_server(const exec_opts* o, const uint64_t* seed, xrun* x,
                            exec_server* srv) {
  memset(x, 0, sizeof *x);
  x->seeded = seed != NULL;
  if (seed) x->seed = *seed;
  int e = report_path(x->rep_path, sizeof x->rep_path);
  if (!e) e = write_tape(o, x->rep_path);
  if (e) return -e;
  x->out = open_run_file(x->rep_path, ".out", srv->out_prefix, srv->out_len);
  x->err = open_run_file(x->rep_path, ".err", srv->err_prefix, srv->err_len);
  x->deadline = now_s() + o->timeout_s;
  int asked = x->out && x->err &&
              cli_xsrv_request(srv, o->tape_on ? "tape" : seed ? "seed" : "natural",
                               seed ? *seed : 0, seed && o->spec[0] ? o->spec : NULL,
                               x->rep_path) == 0;
  if (!asked) {
    e = !x->out || !x->err ? errno : 0;
    if (x->out) fclose(x->out);
    if (x->err) fclose(x->err);
    unlink_run_file(x->rep_path, ".out");
    unlink_run_file(x->rep_path, ".err");
    return e ? -e : 1;
  }
  x->srv = srv;
  x->pid = 0;                   /* the server's "pid" line, read at the wait */
  runs_pending++;
  return 0;
}

static void server_lost(exec_server* srv, const char* why) {
  fprintf(stderr, "uvsim: exec: the fork server %s; a process per run from now on\n", why);
  cli_xsrv_close(srv);
}

/* Starts the program as slot's fork server; 1 when it is ready. Otherwise
 * the process it started was a plain natural-order run: `x` holds it, to
 * finish as one (or to kill) — and `why` says why, when it refused. */
static int launch_server(const exec_opts* o, exec_server* srv, xrun* x,
                         char* why, size_t whylen) {
  why[0] = '\0';
  if (cli_xsrv_open(srv) != 0) return -1;
  int rc = run_start_plain(o, NULL, x, srv);
  if (rc < 0) {
    cli_xsrv_close(srv);
    return rc;
  }
  int h = cli_xsrv_hello(srv, x->deadline, why, whylen);
  if (h == XSRV_READY) {
    cli_xsrv_take_prefix(srv, x->out, x->err);
    live_remove(x->pid);        /* a server, not a run (is_server) */
    fclose(x->out);
    fclose(x->err);
    unlink(x->rep_path);
    return 1;
  }
  srv->pid = 0;                 /* x's process: a run, finished as one */
  cli_xsrv_close(srv);
  return 0;
}

static void run_finish(const exec_opts* o, xrun* x, exec_result* r);

/* Slot k > 0 gets its own server when slot 0 has one; a program that
 * refuses the second time is killed (slot 0 gave the baseline). */
static void launch_slot(const exec_opts* o, unsigned slot) {
  static int tried[EXEC_JOBS_MAX];
  if (!servers_on || slot == 0 || slot >= EXEC_JOBS_MAX || tried[slot]) return;
  tried[slot] = 1;
  xrun x;
  char why[300];
  if (launch_server(o, &servers[slot], &x, why, sizeof why) == 0) {
    exec_result r;
    kill(-x.pid, SIGKILL);
    run_finish(o, &x, &r);
    cli_exec_result_free(&r);
  }
}

static int run_start(const exec_opts* o, const uint64_t* seed, xrun* x, unsigned slot) {
  launch_slot(o, slot);
  exec_server* srv = slot < EXEC_JOBS_MAX && servers[slot].pid > 0 ? &servers[slot] : NULL;
  if (srv) {
    int rc = run_start_server(o, seed, x, srv);
    if (rc <= 0) return rc;
    server_lost(srv, "stopped answering");
  }
  return run_start_plain(o, seed, x, NULL);
}

/* Waits for the server's word on its child, killing it at the deadline or
 * past the memory cap; -1 when the server is gone. */
static int wait_server_run(xrun* x, uint64_t memory_mb, int* status) {
  int how = RUN_EXITED;
  if (x->pid <= 0) {
    runs_pending--;
    x->pid = cli_xsrv_pid(x->srv);
    if (x->pid <= 0) {
      x->pid = 0;
      return -1;
    }
    live_add(x->pid);
  }
  for (;;) {
    double left = x->deadline - now_s();
    if (how == RUN_EXITED && (left <= 0 || rss_mb(x->pid) > memory_mb)) {
      how = left <= 0 ? RUN_TIMED_OUT : RUN_OUT_OF_MEMORY;
      kill(-x->pid, SIGKILL);
      kill(x->pid, SIGKILL);
    }
    if (left > EXEC_MEMORY_POLL_S) left = EXEC_MEMORY_POLL_S;
    int ms = how != RUN_EXITED ? 10000 : (int)(left * 1000) + 1;
    int got = cli_xsrv_status(x->srv, ms, status);
    if (got == 1) return how;
    if (got < 0 || how != RUN_EXITED) return -1;
  }
}

/* The first `max` bytes of a file, NUL-terminated (malloc'd). */
static char* read_head(FILE* f, size_t max) {
  char* buf = malloc(max + 1);
  if (!buf) return NULL;
  rewind(f);
  size_t n = fread(buf, 1, max, f);
  buf[n] = '\0';
  return buf;
}

/* Appends n bytes and a NUL to a growing buffer. -1 when out of memory. */
static int buf_add(char** buf, size_t* len, size_t* cap, const char* s, size_t n) {
  if (*len + n + 1 > *cap) {
    size_t want = *cap ? *cap : 4096;
    while (*len + n + 1 > want) want *= 2;
    char* grown = realloc(*buf, want);
    if (!grown) return -1;
    *buf = grown, *cap = want;
  }
  memcpy(*buf + *len, s, n);
  *len += n;
  (*buf)[*len] = '\0';
  return 0;
}

/* The lines after the report line (sim/sim_world.c, sim_report_now): the
 * "d KIND C/N LABEL" decisions go to r->decision_lines without the "d ";
 * the "o SEQ VALUE LABEL" observations (as "observed ..." lines) and the
 * children's "child ..." transcript lines go to r->world_lines, as a
 * reproducer has them. Without those a replay would look at the real world
 * again (run the child again) and need not take the recorded run's path. */
static void read_report_lines(FILE* rep, exec_result* r) {
  size_t dlen = 0, dcap = 0, wlen = 0, wcap = 0;
  char* line = NULL;
  size_t linecap = 0;
  ssize_t n;
  int ok = 0;
  r->decision_lines = r->world_lines = NULL;
  if (buf_add(&r->decision_lines, &dlen, &dcap, "", 0) ||
      buf_add(&r->world_lines, &wlen, &wcap, "", 0))
    goto out;
  while ((n = getline(&line, &linecap, rep)) > 0) {
    if (line[n - 1] != '\n') break;     /* cut short: the run died writing it */
    int bad = 0;
    if (!strncmp(line, "d ", 2))
      bad = buf_add(&r->decision_lines, &dlen, &dcap, line + 2, (size_t)n - 2);
    else if (!strncmp(line, "o ", 2))
      bad = buf_add(&r->world_lines, &wlen, &wcap, "observed ", 9) ||
            buf_add(&r->world_lines, &wlen, &wcap, line + 2, (size_t)n - 2);
    else if (!strncmp(line, "child ", 6))
      bad = buf_add(&r->world_lines, &wlen, &wcap, line, (size_t)n);
    if (bad) goto out;
  }
  ok = 1;
out:
  free(line);
  if (!ok) {    /* a partial record would replay as some other run */
    free(r->world_lines);
    r->world_lines = NULL;
  }
}

static void run_finish(const exec_opts* o, xrun* x, exec_result* r) {
  memset(r, 0, sizeof *r);
  int status = 0;
  uint64_t cap = o->memory_mb ? o->memory_mb : EXEC_MEMORY_MB_DEFAULT;
  int how = x->srv ? wait_server_run(x, cap, &status)
                   : wait_or_kill(x->pid, x->deadline, cap, &status);
  if (x->pid > 0) {
    kill(-x->pid, SIGKILL);     /* what the run left behind in its group */
    live_remove(x->pid);
  }
  if (x->srv) {
    unlink_run_file(x->rep_path, ".out");
    unlink_run_file(x->rep_path, ".err");
  }
  if (how < 0) {                /* the server died: run it as a process */
    server_lost(x->srv, "died");
    fclose(x->out);
    fclose(x->err);
    unlink(x->rep_path);
    unlink_run_file(x->rep_path, ".tape");
    uint64_t seed = x->seed;
    if (run_start_plain(o, x->seeded ? &seed : NULL, x, NULL) == 0) run_finish(o, x, r);
    else r->kind = X_EXIT, r->code = 127;
    return;
  }
  sweep_after_run();
  r->out_hash = hash_file(x->out);
  r->err_hash = hash_err(x->err);
  telling_line(x->err, r->line, sizeof r->line);
  r->err_text = read_head(x->err, EXEC_ERR_KEEP);
  cli_node_error_of(r->err_text, r->js_error, sizeof r->js_error, r->js_frame,
                sizeof r->js_frame);
  char line[160];
  FILE* rep = fopen(x->rep_path, "r");
  r->traced = rep && fgets(line, sizeof line, rep) &&
              sscanf(line, "uvsim-run decisions=%" SCNu64 " nonzero=%" SCNu64
                     " hash=%" SCNx64, &r->decisions, &r->nonzero,
                     &r->trace_hash) == 3;
  if (r->traced) read_report_lines(rep, r);
  if (rep) fclose(rep);
  unlink(x->rep_path);
  unlink_run_file(x->rep_path, ".tape");
  fclose(x->out);
  fclose(x->err);
  if (how == RUN_TIMED_OUT) r->kind = X_TIMEOUT;
  else if (how == RUN_OUT_OF_MEMORY) r->kind = X_MEMORY, r->code = (int)cap;
  else if (WIFSIGNALED(status)) r->kind = X_SIGNAL, r->code = WTERMSIG(status);
  else if (WEXITSTATUS(status) != 0) r->kind = X_EXIT, r->code = WEXITSTATUS(status);
  else r->kind = X_PASS;
}

/* Always a process of its own: this is how a replay line runs it. */
int cli_exec_run_once(const exec_opts* o, const uint64_t* seed, exec_result* r) {
  xrun x;
  int rc = run_start_plain(o, seed, &x, NULL);
  if (rc == 0) run_finish(o, &x, r);
  return rc;
}

void cli_exec_result_free(exec_result* r) {
  free(r->decision_lines);
  free(r->world_lines);
  free(r->err_text);
  r->decision_lines = r->world_lines = r->err_text = NULL;
}

int cli_exec_same_run(const exec_result* a, const exec_result* b) {
  int same = a->kind == b->kind && a->code == b->code &&
             a->out_hash == b->out_hash && a->err_hash == b->err_hash;
  if (a->traced && b->traced) same = same && a->trace_hash == b->trace_hash;
  return same;
}

void cli_exec_signature(const exec_opts* o, const exec_result* r, char* out,
                    size_t outlen) {
  char norm[256];
  fz_normalise(r->line, norm, sizeof norm);
  if (r->kind == X_EXIT && !strncmp(r->line, "uvsim: hang: ", 13)) {
    snprintf(out, outlen, "hang: %s", norm + 13);
    return;
  }
  if (o->node && r->js_error[0] && (r->kind == X_EXIT || r->kind == X_SIGNAL)) {
    cli_node_signature(r, out, outlen);
    return;
  }
  switch (r->kind) {
    case X_SIGNAL:
      snprintf(out, outlen, "signal SIG%s: %s",
               sigabbrev_np(r->code) ? sigabbrev_np(r->code) : "?", norm);
      break;
    case X_EXIT: snprintf(out, outlen, "exit %d: %s", r->code, norm); break;
    case X_TIMEOUT: snprintf(out, outlen, "timeout: still running after %g s", o->timeout_s); break;
    case X_MEMORY: snprintf(out, outlen, "out of memory: more than %d MB resident", r->code); break;
    case X_OUTPUT: snprintf(out, outlen, "output: stdout differs from the natural order"); break;
    case X_PASS: snprintf(out, outlen, "pass"); break;
  }
}

/* ------------------------------------------------------------ options */

static int find_asan(struct dl_phdr_info* info, size_t size, void* data) {
  (void)size;
  if (info->dlpi_name && strstr(info->dlpi_name, "/libasan.so")) {
    snprintf((char*)data, 4096, "%s", info->dlpi_name);
    return 1;
  }
  return 0;
}

int cli_exec_find_lib(exec_opts* o, const char* given) {
  if (!given) given = getenv("UVSIM_LIB");
  if (given && *given) {
    snprintf(o->lib, sizeof o->lib, "%s", given);
  } else {
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0) return cli_usage_error("exec: cannot find this binary (pass --lib)");
    self[n] = '\0';
    char* slash = strrchr(self, '/');
    if (slash) *slash = '\0';
    /* Installed: PREFIX/bin/uvsim and PREFIX/lib/libuvsim.so; else the
     * build tree: build/uvsim and build/lib/libuvsim.so. */
    char libdir[4096];
    snprintf(o->lib, sizeof o->lib, "%.4000s/../lib", self);
    if (realpath(o->lib, libdir))
      snprintf(o->lib, sizeof o->lib, "%.4000s/libuvsim.so", libdir);
    if (access(o->lib, R_OK) != 0)
      snprintf(o->lib, sizeof o->lib, "%.4000s/lib/libuvsim.so", self);
  }
  if (access(o->lib, R_OK) != 0)
    return cli_usage_error("cannot read %s: %s (build it, or pass --lib)", o->lib,
                       strerror(errno));
  if (o->lib[0] != '/') {       /* the program may change directory */
    char abs[4096];
    if (realpath(o->lib, abs)) snprintf(o->lib, sizeof o->lib, "%s", abs);
  }
  /* A sanitized uvsim comes with a sanitized libuvsim.so, and ASan insists
   * that its runtime be the first library loaded: preload it first. */
  char asan[4096] = "";
  dl_iterate_phdr(find_asan, asan);
  snprintf(o->preload, sizeof o->preload, "%s%s%s", asan, asan[0] ? ":" : "", o->lib);
  return 0;
}

/* Checks a --map spec now, on a scratch filesystem, so that a bad one is a
 * usage error here rather than one in every child. */
int cli_exec_add_map(exec_opts* o, const char* spec) {
  if (!spec) return cli_usage_error("--map needs a value");
  sim_fs* scratch = sim_fs_new();
  char err[SIM_FS_PATH_MAX + 256];
  int r = sim_fs_map_spec(scratch, spec, err, sizeof err);
  sim_fs_free(scratch);
  if (r < 0) return cli_usage_error("--%s", err);
  size_t len = strlen(o->maps);
  if (len + strlen(spec) + 2 > sizeof o->maps) return cli_usage_error("--map: too many");
  snprintf(o->maps + len, sizeof o->maps - len, "%s%s", len ? ";" : "", spec);
  return 0;
}

static int parse(int argc, char** argv, exec_opts* o) {
  const char* lib = NULL;
  int kind = -1;
  sim_strategy_defaults(&o->params);
  o->runs = 200;
  o->seed = 1;
  o->jobs = 1;
  o->timeout_s = 10;
  int i = 2, k;
  for (; i < argc; i++) {
    const char* a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--")) { i++; break; }
    if (a[0] != '-') break;
    if (cli_is_help(a)) return fputs(usage_exec, stdout), 1;
    else if (!strcmp(a, "--runs")) { if (cli_parse_u64(a, v, &o->runs)) return -1; i++; }
    else if (!strcmp(a, "--seed")) { if (cli_parse_u64(a, v, &o->seed)) return -1; i++; }
    else if (!strcmp(a, "--jobs")) {
      if (cli_parse_u32(a, v, &o->jobs)) return -1;
      if (o->jobs < 1 || o->jobs > EXEC_JOBS_MAX)
        return cli_usage_error("--jobs: %u is not in 1..%d", o->jobs, EXEC_JOBS_MAX), -1;
      i++;
    }
    else if (!strcmp(a, "--time")) { if (cli_parse_seconds(a, v, &o->time_s)) return -1; i++; }
    else if (!strcmp(a, "--timeout")) { if (cli_parse_seconds(a, v, &o->timeout_s)) return -1; i++; }
    else if (!strcmp(a, "--memory")) {
      if (cli_parse_u64(a, v, &o->memory_mb)) return -1;
      if (o->memory_mb == 0) return cli_usage_error("--memory: 0 MB leaves a run nothing"), -1;
      i++;
    }
    else if (!strcmp(a, "--same-output")) o->same_output = 1;
    else if (!strcmp(a, "--no-fork-server")) o->no_fork_server = 1;
    else if (!strcmp(a, "--no-snapshot")) o->no_snapshot = 1;
    else if (!strcmp(a, "--fuzz")) o->fuzz = 1;
    else if (!strcmp(a, "--stop-at-first")) o->stop_at_first = 1;
    else if (!strcmp(a, "--runs-log")) {
      if (!v || !*v || *v == '-') return cli_usage_error("--runs-log needs a file"), -1;
      snprintf(o->runs_log, sizeof o->runs_log, "%s", v);
      i++;
    }
    else if (!strcmp(a, "--out")) {
      if (!v || !*v || *v == '-') return cli_usage_error("--out needs a directory"), -1;
      snprintf(o->fuzz_out, sizeof o->fuzz_out, "%s", v);
      i++;
    }
    else if (!strcmp(a, "--quiet")) o->quiet = 1;
    else if (!strcmp(a, "--corpus")) {
      if (!v || !*v) return cli_usage_error("--corpus needs a directory"), -1;
      o->corpus = v;
      i++;
    }
    else if (!strcmp(a, "--no-minimize") || !strcmp(a, "--no-minimise")) o->no_minimize = 1;
    else if (!strcmp(a, "--map")) { if (cli_exec_add_map(o, v)) return -1; i++; }
    else if (!strcmp(a, "--lib")) {
      if (!v) return cli_usage_error("--lib needs a value"), -1;
      lib = v;
      i++;
    }
    else if ((k = cli_ci_option(a, v)) != 0) { if (k < 0) return -1; i += k - 1; }
    else if ((k = cli_strategy_option(a, v, &kind, &o->params)) != 0) {
      if (k < 0) return -1;
      i += k - 1;
    }
    else return cli_usage_error("exec: unknown option '%s'", a), -1;
  }
  if (i >= argc) return cli_usage_error("exec: name a program to run"), -1;
  /* read in the worker, whose error line nobody would see: checked here
   * (a value that is not a number stops exec with one line, exit 2) */
  sim_env_u64("UVSIM_SNAPSHOT_CAP_MB", UVS__SNAP_CAP_MB, UVS__SNAP_CAP_MB_MAX);
  if (cli_exec_strategy_check(o, kind, "exec")) return -1;
  if (o->fuzz && o->jobs > 1)
    return cli_usage_error("exec: --fuzz runs one schedule at a time (no --jobs)"), -1;
  if (o->fuzz_out[0] && !o->fuzz) return cli_usage_error("exec: --out goes with --fuzz"), -1;
  if (o->fuzz && cli_ci_wanted())
    return cli_usage_error("exec: --fuzz writes no --junit or --json summary"), -1;
  if (!o->fuzz_out[0]) snprintf(o->fuzz_out, sizeof o->fuzz_out, "reports/out/exec-fuzz");
  o->argv = argv + i;
  return cli_exec_find_lib(o, lib) ? -1 : 0;
}

/* ------------------------------------------------------------ runs log */

static FILE* runs_log;
static char runs_log_tmp[4200];
static const char* runs_log_path;

int cli_exec_log_open(const exec_opts* o) {
  if (!o->runs_log[0]) return 0;
  snprintf(runs_log_tmp, sizeof runs_log_tmp, "%s.tmp.%d", o->runs_log, (int)getpid());
  runs_log = fopen(runs_log_tmp, "w");
  if (!runs_log)
    return cli_usage_error("--runs-log: cannot write %s: %s", runs_log_tmp, strerror(errno));
  runs_log_path = o->runs_log;
  return 0;
}

void cli_exec_log_run(uint64_t run, const char* what, const exec_result* r) {
  static const char* kinds[] = { "pass", "exit", "signal", "timeout", "output", "memory" };
  if (!runs_log) return;
  fprintf(runs_log, "run %" PRIu64 " %s: %s %d trace %016" PRIx64 " stdout %016" PRIx64
          " stderr %016" PRIx64 "\n", run, what, kinds[r->kind], r->code,
          r->traced ? r->trace_hash : 0, r->out_hash, r->err_hash);
}

/* Into place only whole: a campaign that stopped early leaves none. */
static void log_close(void) {
  if (!runs_log) return;
  int bad = fclose(runs_log) != 0;
  runs_log = NULL;
  if (bad || rename(runs_log_tmp, runs_log_path) != 0) {
    fprintf(stderr, "uvsim: --runs-log: cannot write %s\n", runs_log_path);
    unlink(runs_log_tmp);
  }
}

static void log_seed_run(uint64_t run, const uint64_t* seed, const exec_result* r) {
  char what[48] = "natural";
  if (seed) snprintf(what, sizeof what, "seed %" PRIu64, *seed);
  cli_exec_log_run(run, what, r);
}

/* ------------------------------------------------------------ strategies
 *
 * With --strategy, run i is strategy's schedule seeded fz_run_seed(S, i),
 * run in the child by libuvsim (UVSIM_STRATEGY, or the fork server's
 * "strategy" request): the same code as an in-process campaign's, so the
 * schedules follow from (spec, seed) alone, whatever --jobs or the fork
 * server. dfs needs every run's decisions to choose the next prefix: it
 * runs here, one run at a time, each prefix sent as the run's tape. */

int cli_exec_strategy_check(exec_opts* o, int kind, const char* what) {
  if (kind < 0) return 0;
  if (o->fuzz)
    return cli_usage_error("%s: --fuzz mutates tapes and takes no --strategy", what);
  /* a dfs prefix travels one byte per decision */
  if (kind == SIM_STRAT_DFS && o->params.dfs_branch > 256)
    return cli_usage_error("%s: --dfs-branch: %u is above 256", what, o->params.dfs_branch);
  o->strategy_on = 1;
  o->strategy = (sim_strategy_kind)kind;
  return 0;
}

static sim_strategy dfs;        /* the parent's dfs search */
static uint8_t dfs_prefix[SIM_DFS_DEPTH_MAX];

/* The decisions a run reported ("KIND C/N LABEL" lines) as (n, choice),
 * as far as dfs looks (dfs-depth). */
static size_t reported_decisions(const exec_result* r, sim_decision* out, size_t cap) {
  size_t len = 0;
  for (const char* p = r->decision_lines; p && *p && len < cap; len++) {
    unsigned c, n;
    const char* sp = strchr(p, ' ');
    if (!sp || sscanf(sp + 1, "%u/%u", &c, &n) != 2) break;
    out[len] = (sim_decision){ 0, n, c, NULL };
    p = strchr(p, '\n');
    p = p ? p + 1 : NULL;
  }
  return len;
}

static void dfs_end(const exec_result* r) {
  static sim_decision log[SIM_DFS_DEPTH_MAX];
  size_t len = reported_decisions(r, log, dfs.p.dfs_depth);
  if (!r->traced) {
    /* Killed without a report (--timeout, --memory): what it decided past
     * its prefix is unknown; the prefix offered what the run before it
     * saw. Taken as the whole run, so the search goes on past it rather
     * than ending, as an empty log would make it. */
    len = dfs.dfs_len;
    for (uint32_t i = 0; i < dfs.dfs_len; i++)
      log[i] = (sim_decision){ 0, dfs.dfs_n[i], dfs.dfs_choice[i], NULL };
  }
  sim_strategy_end(&dfs, log, len);
}

/* After the natural run: the spec of the seeded runs (pct's k is the
 * natural run's decision count, as in process). dfs's first schedule is
 * the natural order itself: its log starts the search. */
static int strategy_start(exec_opts* o, const exec_result* base) {
  sim_strategy_params p = o->params;
  if (o->strategy == SIM_STRAT_PCT && p.pct_k == 0)
    p.pct_k = base->decisions > UINT32_MAX ? UINT32_MAX : (uint32_t)base->decisions;
  if (sim_strategy_spec_format(o->strategy, &p, o->spec, sizeof o->spec) != 0) return -1;
  if (o->strategy != SIM_STRAT_DFS) return 0;
  sim_config unused;
  sim_strategy_free(&dfs);
  sim_strategy_init(&dfs, SIM_STRAT_DFS, &p);
  sim_strategy_begin(&dfs, 0, 1, &unused);
  dfs_end(base);
  return 0;
}

/* The next dfs prefix as the run's tape; 1 when the bounds are covered. */
static int dfs_next(exec_opts* o) {
  sim_config unused;
  if (sim_strategy_begin(&dfs, 0, 0, &unused)) return 1;
  for (uint32_t i = 0; i < dfs.dfs_len; i++) dfs_prefix[i] = (uint8_t)dfs.dfs_choice[i];
  o->tape = dfs_prefix;
  o->tape_len = dfs.dfs_len;
  o->tape_on = 1;
  return 0;
}

/* ------------------------------------------------------------ campaign */

typedef struct exec_state {
  exec_summary sum;
  uint64_t outputs[EXEC_OUTPUTS_MAX];
  size_t noutputs;
  uint64_t traces[EXEC_OUTPUTS_MAX];
} exec_state;

static void note(uint64_t* set, size_t* n, uint64_t h) {
  for (size_t i = 0; i < *n; i++)
    if (set[i] == h) return;
  if (*n < EXEC_OUTPUTS_MAX) set[(*n)++] = h;
}

/* UVSIM_STRATEGY for a replay line: a dfs run's prefix (a tape file
 * while the campaign runs) goes into the spec. */
static void put_spec(FILE* f, const exec_opts* o) {
  fprintf(f, "UVSIM_STRATEGY='%s", o->spec);
  for (size_t i = 0; o->strategy == SIM_STRAT_DFS && o->tape_on && i < o->tape_len; i++)
    fprintf(f, "%s%u", i ? "." : ",prefix=", o->tape[i]);
  fputs("' ", f);
}

void cli_exec_replay_line(const exec_opts* o, const uint64_t* seed, char* out, size_t len) {
  FILE* f = fmemopen(out, len, "w");
  if (!f) { if (len) out[0] = '\0'; return; }
  if (seed && o->spec[0]) put_spec(f, o);
  if (seed) fprintf(f, "UVSIM_SEED=%" PRIu64 " ", *seed);
  if (o->maps[0]) fprintf(f, "UVSIM_FS_MAP='%s' ", o->maps);
  fprintf(f, "LD_PRELOAD=%s", o->preload);
  for (char** a = o->argv; *a; a++) fprintf(f, " %s", *a);
  fputc('\0', f);
  fclose(f);
  if (len) out[len - 1] = '\0';
}

static void print_replay_line(const exec_opts* o, const uint64_t* seed) {
  static char line[16384];
  cli_exec_replay_line(o, seed, line, sizeof line);
  printf("  replay: %s\n", line);
}

/* A new signature: say so, run the same seed again, print how to replay
 * (node mode: also write, minimise and explain a reproducer). */
static void report_failure(const exec_opts* o, exec_state* st, const char* sig,
                           uint64_t run, const uint64_t* seed, const exec_result* r,
                           const exec_result* base) {
  size_t k = st->sum.nsigs++;
  copy_str(st->sum.sigs[k], sizeof st->sum.sigs[0], sig);
  st->sum.first_run[k] = run;
  st->sum.seed[k] = seed ? *seed : 0;
  st->sum.hits[k] = 1;
  printf("failure: %s\n", sig);
  if (seed) printf("  first at run %" PRIu64 " (seed %" PRIu64 ")\n", run, *seed);
  else printf("  in the natural order (no seed)\n");
  if (o->node && r->js_error[0]) printf("  error: %s\n", r->js_error);
  else if (r->line[0] && r->kind != X_OUTPUT) printf("  stderr: %s\n", r->line);
  int same = cli_exec_check_replay(o, seed, r, base);
  if (o->node)
    cli_node_report_failure(o, sig, seed, r, same, st->sum.path[k], sizeof st->sum.path[k]);
  else {
    print_replay_line(o, seed);
    cli_exec_report_repro(o, sig, seed, r, same, st->sum.path[k], sizeof st->sum.path[k]);
  }
  fflush(stdout);
}

int cli_exec_check_replay(const exec_opts* o, const uint64_t* seed,
                          const exec_result* r, const exec_result* base) {
  exec_result again = {0};
  int same = 0;
  if (cli_exec_run_once(o, seed, &again) == 0) {
    same = cli_exec_same_run(r, &again);
    if (r->kind == X_OUTPUT)    /* classified against the baseline */
      same = again.kind == X_PASS && again.out_hash == r->out_hash &&
             again.out_hash != base->out_hash &&
             (!r->traced || !again.traced || again.trace_hash == r->trace_hash);
    if (!same)
      printf("  replays: NOT identical: the program depends on something uvsim "
             "does not control (wall clock, real randomness, real threads or files)\n");
    else if (r->traced && again.traced)
      printf("  replays: identical (same exit, same output, same trace hash %016" PRIx64
             "; %" PRIu64 " decisions, %" PRIu64 " off the natural order)\n",
             r->trace_hash, r->decisions, r->nonzero);
    else
      printf("  replays: identical (same exit, same stdout and stderr)\n");
  }
  cli_exec_result_free(&again);
  return same;
}

static int seen(exec_state* st, const char* sig) {
  for (size_t i = 0; i < st->sum.nsigs; i++)
    if (!strcmp(st->sum.sigs[i], sig)) return st->sum.hits[i]++, 1;
  return 0;
}

static void judge(const exec_opts* o, exec_state* st, uint64_t run,
                  const uint64_t* seed, exec_result* r, const exec_result* base) {
  log_seed_run(run, seed, r);
  if (r->kind == X_PASS) note(st->outputs, &st->noutputs, r->out_hash);
  if (r->traced) note(st->traces, &st->sum.ntraces, r->trace_hash);
  if (r->kind == X_PASS && o->same_output && base && r->out_hash != base->out_hash)
    r->kind = X_OUTPUT;
  if (r->kind == X_PASS) return;
  if (st->sum.failing++ == 0) st->sum.first_fail = run + 1;
  char sig[EXEC_SIG_LEN];
  cli_exec_signature(o, r, sig, sizeof sig);
  if (!seen(st, sig) && st->sum.nsigs < EXEC_SIGS_MAX)
    report_failure(o, st, sig, run, seed, r, base);
}

/* The natural order: through slot 0's fork server when the program
 * becomes one, else (refused, turned off, node) the process started. */
static int run_baseline(const exec_opts* o, exec_result* base) {
  if (o->no_fork_server || o->replay) return cli_exec_run_once(o, NULL, base);
  xrun x;
  char why[300];
  int rc = launch_server(o, &servers[0], &x, why, sizeof why);
  if (rc < 0) return rc;
  if (rc == 0) {
    if (why[0])
      fprintf(stderr, "uvsim: exec: no fork server (%s): a process per run\n", why);
    run_finish(o, &x, base);
    return 0;
  }
  servers_on = 1;
  rc = run_start(o, NULL, &x, 0);
  if (rc == 0) run_finish(o, &x, base);
  return rc;
}

int cli_exec_start(exec_opts* o, exec_result* base) {
  catch_interrupts();
  prctl(PR_SET_CHILD_SUBREAPER, 1);   /* see sweep_orphans */
  return run_baseline(o, base);
}

int cli_exec_run_tape(const exec_opts* o, exec_result* r) {
  xrun x;
  int rc = run_start(o, NULL, &x, 0);
  if (rc == 0) run_finish(o, &x, r);
  return rc;
}

int cli_exec_served(void) { return servers_on; }

void cli_exec_stop(void) {
  close_servers();
  sweep_orphans(1);
  log_close();
}

int cli_exec_campaign(exec_opts* o, exec_summary* out) {
  static exec_state st;
  memset(&st, 0, sizeof st);
  const char* what = o->node ? "node" : "exec";
  double t0 = now_s();
  exec_result base;
  int rc = cli_exec_start(o, &base);
  if (rc < 0) return cli_usage_error("%s: cannot run '%s': %s", what, o->argv[0], strerror(-rc));
  if (!base.traced && (base.kind == X_PASS || base.kind == X_EXIT)) {
    cli_exec_result_free(&base);
    cli_exec_stop();
    return cli_usage_error("%s: '%s' exited without starting uvsim's simulated world (no "
                       "loop ran on libuvsim.so: is it dynamically linked against "
                       "libuv.so.1?); nothing to explore", what, o->argv[0]);
  }
  if (o->node) cli_node_check_natural(o, &base);
  judge(o, &st, 0, NULL, &base, NULL);
  if (o->strategy_on && strategy_start(o, &base) != 0) {
    cli_exec_result_free(&base);
    cli_exec_stop();
    return cli_usage_error("%s: the strategy's settings do not fit in UVSIM_STRATEGY", what);
  }
  int serial = o->strategy_on && o->strategy == SIM_STRAT_DFS;
  int progress = !o->quiet && isatty(2);
  /* Up to J runs in flight, judged in run order: the report does not
   * depend on which process happened to finish first. */
  static xrun flight[EXEC_JOBS_MAX];
  uint64_t started = 0, i = 0;
  int out_of_time = 0, exhausted = 0, stopped = o->stop_at_first && st.sum.failing;
  for (;; i++) {
    while (started < o->runs && started - i < (serial ? 1 : o->jobs) && !out_of_time &&
           !exhausted && !stopped) {
      if (o->time_s > 0 && now_s() - t0 >= o->time_s) {
        out_of_time = 1;
        break;
      }
      if (serial && (exhausted = dfs_next(o)) != 0) break;
      uint64_t seed = fz_run_seed(o->seed, started);
      rc = run_start(o, &seed, &flight[started % EXEC_JOBS_MAX],
                     (unsigned)(started % (serial ? 1 : o->jobs)));
      if (rc < 0) {
        fprintf(stderr, "uvsim: %s: run %" PRIu64 ": %s\n", what, started + 1, strerror(-rc));
        cli_exec_result_free(&base);
        cli_exec_stop();
        return EXIT_USAGE;
      }
      started++;
    }
    if (i == started) break;
    xrun* x = &flight[i % EXEC_JOBS_MAX];
    exec_result r;
    run_finish(o, x, &r);
    judge(o, &st, i + 1, &x->seed, &r, &base);
    if (serial) dfs_end(&r);
    cli_exec_result_free(&r);
    if (o->stop_at_first && st.sum.failing && !stopped) {
      /* Runs are judged in order, so every lower run has counted; the
       * later ones still in flight (J > 1 only) are waited for and
       * dropped, so that what is counted does not depend on --jobs. */
      stopped = 1;
      for (uint64_t j = i + 1; j < started; j++) {
        run_finish(o, &flight[j % EXEC_JOBS_MAX], &r);
        cli_exec_result_free(&r);
      }
      started = i + 1;
    }
    if (progress && (i % 16 == 15 || i + 1 == o->runs))
      fprintf(stderr, "\r%s: %" PRIu64 "/%" PRIu64 " runs, %" PRIu64 " failing, %zu signatures",
              what, i + 1, o->runs, st.sum.failing, st.sum.nsigs);
  }
  if (progress) fputc('\n', stderr);
  int served = servers_on;
  cli_exec_stop();
  double dt = now_s() - t0;
  printf("%s: %" PRIu64 " runs (natural order + %" PRIu64 " %s%s%s) in %.2f s "
         "(%.0f/s%s), %zu distinct schedules, %zu distinct outputs among passing "
         "runs, %" PRIu64 " failing, %zu signature%s\n", what, i + 1, i,
         o->strategy_on ? sim_strategy_name(o->strategy) : "seeds",
         o->strategy_on ? " schedules" : "",
         out_of_time ? ", stopped by --time" : exhausted ? ", all dfs schedules within the bounds" :
         stopped ? ", stopped at the first failure" : "", dt,
         (double)(i + 1) / (dt > 0 ? dt : 1),
         served ? ", fork server" : ", a process per run",
         st.sum.ntraces, st.noutputs,
         st.sum.failing, st.sum.nsigs, st.sum.nsigs == 1 ? "" : "s");
  /* on stderr: how many of its runs the fork server ran in place (the
   * count includes runs in flight when a campaign stopped early, so it
   * depends on --jobs, which stdout must not); not under `uvsim node`,
   * which never restores (loop/forkserver.c) */
  if (served && cli_xsrv_runs && !o->node)
    fprintf(stderr, "%s: fork server: %" PRIu64 " of %" PRIu64 " runs restored in place "
            "(snapshot), %" PRIu64 " forked\n", what, cli_xsrv_restored, cli_xsrv_runs,
            cli_xsrv_runs - cli_xsrv_restored);
  cli_exec_result_free(&base);
  st.sum.runs = i + 1;
  st.sum.elapsed_s = dt;
  if (out) *out = st.sum;
  return st.sum.nsigs ? EXIT_BUG : 0;
}

int cli_cmd_exec(int argc, char** argv) {
  static exec_opts o;
  memset(&o, 0, sizeof o);
  int p = parse(argc, argv, &o);
  if (p) return p > 0 ? 0 : EXIT_USAGE;
  if (cli_exec_log_open(&o)) return EXIT_USAGE;
  if (o.fuzz) return cli_finish_stdout(cli_exec_fuzz(&o));
  static exec_summary sum;
  cli_ci_begin("exec");
  int rc = cli_exec_campaign(&o, &sum);
  if (rc != EXIT_USAGE) cli_ci_add_exec(&o, &sum);
  return cli_ci_finish(rc);
}

const char* cli_exec_usage(void) { return usage_exec; }
