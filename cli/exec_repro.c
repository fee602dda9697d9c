/* cli/exec_repro.c — reproducers of programs run unchanged, `uvsim exec`'s
 * and `uvsim node`'s (exec_repro.h).
 *
 * A run reports its decisions, what it saw outside the simulation
 * ("observed" lines) and its children's transcripts ("child" lines); its
 * reproducer holds them under a header that names the program (node.c:
 * node and the script; here: exec's program, its SHA-256, cwd and argv).
 * Each new failure signature's reproducer is minimised (each decision off
 * the natural order set back to 0, kept there while the same signature
 * shows), then replayed twice as a process (UVSIM_REPLAY=FILE: decisions
 * by kind and label, observations and children handed back, nothing run
 * again) and kept as what those replays did. `uvsim replay FILE` runs the
 * program once more that way and says how it matched. */
#include "cli/exec_repro.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/node.h"
#include "cli/sha256.h"
#include "fuzz/fuzz.h"
#include "sim/sim.h"
#include "sim/sim_replay.h"
#include "sim/sim_util.h"

#define REPRO_MIN_TRIES 48      /* replays a minimisation may spend */

/* ------------------------------------------------------------- writing */

/* A reproducer of the run r: its header, what it saw of the world outside
 * the simulation (observations, the children's transcripts: a replay hands
 * them back rather than looking again) and the decisions it reported.
 * -1: the report does not parse (said on stderr); -2: the program's lines
 * could not be filled (`why`). */
static int repro_of(const exec_opts* o, const cli_repro_kind* k, const char* sig,
                    uint64_t seed, const exec_result* r, sim_repro* rep, char* why,
                    size_t whylen) {
  const char* lines = r->decision_lines ? r->decision_lines : "";
  const char* world = r->world_lines ? r->world_lines : "";
  size_t count = 0;
  for (const char* p = lines; *p; count++) {
    const char* nl = strchr(p, '\n');
    p = nl ? nl + 1 : p + strlen(p);
  }
  size_t len = strlen(lines) + strlen(world) + 256;
  char* text = malloc(len);
  if (!text) return -1;
  /* the strategy that drew the run; a replay needs only its decisions */
  snprintf(text, len, "uvsim-reproducer %d\nversion %s\nscenario %s\nstrategy %s\n"
           "seed 0\n%sdecisions %zu\n%send\n", SIM_REPRO_FORMAT, SIM_VERSION, k->what,
           o->strategy_on ? sim_strategy_name(o->strategy) : "random", world, count, lines);
  char err[512];
  int rc = sim_repro_parse(rep, "(run report)", text, err, sizeof err);
  free(text);
  if (rc) {
    fprintf(stderr, "uvsim: %s: the run's decisions do not parse: %s\n", k->what, err);
    return -1;
  }
  snprintf(rep->signature, sizeof rep->signature, "%s", sig);
  rep->seed = seed;
  rep->has_hash = r->traced;
  rep->hash = r->trace_hash;
  rep->nmaps = 0;
  for (const char* m = o->maps; *m && rep->nmaps < SIM_REPRO_MAPS_MAX;) {
    size_t mlen = strcspn(m, ";");
    if (mlen < SIM_REPRO_MAP_MAX)
      snprintf(rep->maps[rep->nmaps++], SIM_REPRO_MAP_MAX, "%.*s", (int)mlen, m);
    m += mlen + (m[mlen] == ';');
  }
  if (k->output) {
    rep->has_output = 1;
    rep->out_hash = r->out_hash;
    rep->err_hash = r->err_hash;
  }
  if (k->fill(o, rep, why, whylen) != 0) {
    sim_repro_free(rep);
    return -2;
  }
  return 0;
}

/* Replays rep in a fresh process (decisions by label; node: V8 seeded as
 * the first time). */
static int replay_run(const exec_opts* o, const cli_repro_kind* k, const sim_repro* rep,
                      const char* tmp, exec_result* r) {
  char err[512];
  if (sim_repro_write(rep, tmp, err, sizeof err) != 0) {
    fprintf(stderr, "uvsim: %s: %s\n", k->what, err);
    return -1;
  }
  exec_opts ro = *o;
  ro.tape = NULL, ro.tape_len = 0, ro.tape_on = 0;   /* a --fuzz finding's */
  ro.ordcov_fd = 0;
  node_opts rn;
  if (o->node) {
    rn = *o->node;
    rn.replay_seed = rep->seed;
    ro.node = &rn;
  }
  ro.replay = tmp;
  return cli_exec_run_once(&ro, NULL, r);
}

/* An exec --same-output failure: the run passes, printing what the failing
 * run printed (its stdout hash `out`). */
static int output_bug(const cli_repro_kind* k, const exec_result* r, const char* sig,
                      uint64_t out) {
  return k->output && r->kind == X_PASS && !strncmp(sig, "output: ", 8) && r->out_hash == out;
}

static int same_bug(const exec_opts* o, const cli_repro_kind* k, const exec_result* r,
                    const char* sig, uint64_t out) {
  if (output_bug(k, r, sig, out)) return 1;
  if (r->kind == X_PASS) return 0;
  char now[EXEC_SIG_LEN];
  cli_exec_signature(o, r, now, sizeof now);
  return !strcmp(now, sig);
}

/* Greedy: each decision off the natural order, last first, is set back to
 * 0 and kept there when the same bug still shows. What stays non-zero is
 * decisive: setting it back lost the bug. */
static void minimise(const exec_opts* o, const cli_repro_kind* k, sim_repro* rep,
                     const char* sig, uint64_t out, const char* tmp) {
  int tries = 0;
  for (size_t i = rep->ndecisions; i-- > 0 && tries < REPRO_MIN_TRIES;) {
    if (rep->decisions[i].choice == 0) continue;
    uint32_t was = rep->decisions[i].choice;
    rep->decisions[i].choice = 0;
    exec_result r = {0};
    tries++;
    int keep = replay_run(o, k, rep, tmp, &r) == 0 && same_bug(o, k, &r, sig, out);
    cli_exec_result_free(&r);
    if (!keep) rep->decisions[i].choice = was;
  }
}

void cli_repro_report_failure(const exec_opts* o, const cli_repro_kind* k, const char* sig,
                              const uint64_t* seed, const exec_result* r, int replays,
                              char* saved, size_t savedlen) {
  sim_repro rep;
  char why[512] = "";
  int got = r->traced ? repro_of(o, k, sig, seed ? *seed : 0, r, &rep, why, sizeof why) : -1;
  if (got == -2) {
    printf("  no reproducer: %s\n", why);
    return;
  }
  if (got != 0) {
    printf("  no reproducer: the run did not report its decisions\n");
    return;
  }
  char path[4400], tmp[4400];
  if (sim_mkdir_p(k->dir, 0755) < 0) {
    printf("  no reproducer: cannot create %s: %s\n", k->dir, strerror(errno));
    sim_repro_free(&rep);
    return;
  }
  snprintf(path, sizeof path, "%s/%012" PRIx64 ".uvsim", k->dir,
           (uint64_t)(fz_sig_hash(sig) & 0xffffffffffffull));
  snprintf(tmp, sizeof tmp, "%s/.minimising-%d.uvsim", k->dir, (int)getpid());
  int minimised = replays && k->minimize;
  if (minimised) minimise(o, k, &rep, sig, r->out_hash, tmp);
  /* The reproducer is what the minimised schedule does, run twice. */
  exec_result a = {0}, b = {0};
  int ok = replay_run(o, k, &rep, tmp, &a) == 0 && same_bug(o, k, &a, sig, r->out_hash) &&
           replay_run(o, k, &rep, tmp, &b) == 0 && cli_exec_same_run(&a, &b);
  unlink(tmp);
  if (ok && a.traced) {
    sim_repro fin;
    if (repro_of(o, k, sig, rep.seed, &a, &fin, why, sizeof why) == 0) {
      sim_repro_free(&rep);
      rep = fin;
    }
  }
  cli_exec_result_free(&a);
  cli_exec_result_free(&b);
  char err[512];
  if (sim_repro_write(&rep, path, err, sizeof err) != 0) {
    printf("  no reproducer: %s\n", err);
    sim_repro_free(&rep);
    return;
  }
  size_t nz = 0;
  for (size_t i = 0; i < rep.ndecisions; i++) nz += rep.decisions[i].choice != 0;
  printf("  reproducer: %s (%zu decisions, %zu off the natural order%s)\n", path,
         rep.ndecisions, nz, ok ? ", replayed twice identically" : "; its replay differs");
  if (nz && minimised)
    printf("  decisive decisions (each set back to the natural order, the bug goes):\n");
  else if (nz)
    printf("  decisions off the natural order (not minimised, so not all decisive):\n");
  for (size_t i = 0; i < rep.ndecisions; i++) {
    const sim_decision* d = &rep.decisions[i];
    if (d->choice)
      printf("    #%zu %s %u/%u %s\n", i + 1, sim_kind_name((sim_kind)d->kind), d->choice,
             d->n, d->label && d->label[0] ? d->label : "-");
  }
  printf("  replay: uvsim replay %s\n", path);
  snprintf(saved, savedlen, "%.*s", (int)(savedlen - 1), path);
  sim_repro_free(&rep);
}

/* ------------------------------------------------------------- replay */

void cli_repro_put_word(FILE* f, const char* s) {
  int plain = *s != '\0';
  for (const char* p = s; *p && plain; p++)
    plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                   "_-./,=:+@%", *p) != NULL;
  if (plain) { fputs(s, f); return; }
  fputc('\'', f);
  for (const char* p = s; *p; p++)
    if (*p == '\'') fputs("'\\''", f);
    else fputc(*p, f);
  fputc('\'', f);
}

/* The live decisions a run reported ("KIND C/N LABEL" lines) as a
 * decision list, for the replay's account (labels point into `lines`,
 * which is modified). Returns how many. */
static size_t parse_decision_lines(char* lines, sim_decision** out) {
  size_t n = 0, cap = 64;
  sim_decision* d = malloc(cap * sizeof *d);
  if (!d) abort();
  for (char* line = lines; line && *line;) {
    char* next = strchr(line, '\n');
    if (next) *next++ = '\0';
    char kind[64];
    unsigned c, k;
    int used = 0;
    if (sscanf(line, "%63s %u/%u %n", kind, &c, &k, &used) == 3 && sim_kind_from_name(kind) >= 0) {
      if (n == cap) {
        cap *= 2;
        d = realloc(d, cap * sizeof *d);
        if (!d) abort();
      }
      d[n++] = (sim_decision){ (uint16_t)sim_kind_from_name(kind), k, c, line + used };
    }
    line = next;
  }
  *out = d;
  return n;
}

int cli_repro_check_sha(const char* file, const char* what, const char* path,
                        const char* now, const char* recorded, int strict) {
  if (strcmp(now, recorded) == 0) return 0;
  if (strict)
    return cli_usage_error("replay: %s: the %s %s changed since this reproducer was written "
                           "(SHA-256 %.12s..., recorded %.12s...)", file, what, path, now,
                           recorded);
  printf("note: the %s %s changed since this reproducer was written (SHA-256 "
         "%.12s..., recorded %.12s...): its decisions are matched by label\n",
         what, path, now, recorded);
  return 0;
}

int cli_repro_replay(exec_opts* o, const sim_repro* rep, int strict, const char* desc,
                     const char* binary) {
  if (strict) setenv("UVSIM_REPLAY_STRICT", "1", 1);
  exec_result r = {0};
  if (cli_exec_run_once(o, NULL, &r) != 0) return cli_usage_error("replay: cannot run %s", binary);
  if (r.err_text && r.err_text[0]) printf("--- the program's stderr ---\n%s---\n", r.err_text);
  char sig[EXEC_SIG_LEN] = "pass";
  if (r.kind != X_PASS) cli_exec_signature(o, &r, sig, sizeof sig);
  cli_repro_kind out_kind = { .output = rep->has_output };
  if (output_bug(&out_kind, &r, rep->signature, rep->out_hash))
    snprintf(sig, sizeof sig, "%s", rep->signature);    /* --same-output's */
  printf("program: %s (%zu decisions recorded)\n", desc, rep->ndecisions);
  printf("outcome: %s\n", sig);
  int out_same = -1;
  if (rep->has_output) {
    out_same = r.out_hash == rep->out_hash && r.err_hash == rep->err_hash;
    printf("output: stdout %016" PRIx64 ", stderr %016" PRIx64 " (recorded %016" PRIx64
           ", %016" PRIx64 "): %s\n", r.out_hash, r.err_hash, rep->out_hash, rep->err_hash,
           out_same ? "identical" : "DIFFERENT");
  }
  /* The account of how the run matched the file, rebuilt from the
   * decisions the program reported (the matcher is a pure function of
   * them: sim/sim_replay.h). */
  sim_decision* live = NULL;
  size_t nlive = r.decision_lines ? parse_decision_lines(r.decision_lines, &live) : 0;
  sim_replay acct;
  sim_replay_init(&acct, rep->decisions, rep->ndecisions, strict);
  sim_replay_account(&acct, live, nlive);
  if (!r.traced) printf("the program did not report its schedule\n");
  int rc = cli_replay_verdict_output(rep, sig, r.traced ? r.trace_hash : 0, &acct, strict,
                                     out_same);
  sim_replay_free(&acct);
  free(live);
  cli_exec_result_free(&r);
  return rc;
}

int cli_repro_program_kind(const char* file) {
  sim_repro r;
  if (sim_repro_read(&r, file, NULL, 0) != 0) return 0;
  int kind = r.node[0] ? 'n' : r.program[0] ? 'e' : 0;
  sim_repro_free(&r);
  return kind;
}

/* ---------------------------------------------------------- uvsim exec */

/* The file execvp would run for argv0: a path with a slash as it is, else
 * the first executable of that name on PATH; absolute. */
static int program_path(const char* argv0, char* out) {
  char cand[PATH_MAX];
  if (strchr(argv0, '/')) return realpath(argv0, out) ? 0 : -1;
  const char* path = getenv("PATH");
  if (!path || !*path) path = "/usr/local/bin:/usr/bin:/bin";
  for (const char* d = path; d;) {
    const char* colon = strchr(d, ':');
    int len = colon ? (int)(colon - d) : (int)strlen(d);
    snprintf(cand, sizeof cand, "%.*s/%s", len ? len : 1, len ? d : ".", argv0);
    struct stat st;
    if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
      return realpath(cand, out) ? 0 : -1;
    d = colon ? colon + 1 : NULL;
  }
  return -1;
}

/* exec's lines: the program that ran (absolute) and its SHA-256, the
 * directory it ran in, its whole argv. */
static int exec_fill(const exec_opts* o, sim_repro* rep, char* why, size_t whylen) {
  char prog[PATH_MAX];
  if (program_path(o->argv[0], prog) != 0)
    return snprintf(why, whylen, "cannot find the program %s", o->argv[0]), -1;
  if (strlen(prog) >= sizeof rep->program)
    return snprintf(why, whylen, "the program's path is too long for a reproducer"), -1;
  char sha[65];
  int e = cli_sha256_file(prog, sha);
  if (e < 0) return snprintf(why, whylen, "cannot read %s: %s", prog, strerror(-e)), -1;
  size_t argc = 0;
  for (char** a = o->argv; *a; a++, argc++)
    if (strlen(*a) >= SIM_REPRO_ARG_MAX || strchr(*a, '\n'))
      return snprintf(why, whylen, "argument %zu has a newline or is longer than a "
                      "reproducer holds (%d characters)", argc, SIM_REPRO_ARG_MAX - 1), -1;
  if (argc > SIM_REPRO_ARGS_MAX)
    return snprintf(why, whylen, "%zu arguments, more than a reproducer holds (%d)", argc,
                    SIM_REPRO_ARGS_MAX), -1;
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd) || strlen(cwd) >= sizeof rep->cwd)
    return snprintf(why, whylen, "cannot tell the working directory"), -1;
  const char* base = strrchr(prog, '/');
  snprintf(rep->scenario, sizeof rep->scenario, "exec:%.100s", base ? base + 1 : prog);
  snprintf(rep->program, sizeof rep->program, "%s", prog);
  snprintf(rep->program_sha256, sizeof rep->program_sha256, "%s", sha);
  snprintf(rep->cwd, sizeof rep->cwd, "%s", cwd);
  rep->nargs = 0;
  for (char** a = o->argv; *a; a++)
    snprintf(rep->args[rep->nargs++], SIM_REPRO_ARG_MAX, "%s", *a);
  return 0;
}

int cli_repro_open(const char* file, int argc, char** argv, sim_repro* rep, int* strict) {
  *strict = 0;
  for (int i = 2; i < argc; i++) *strict |= strcmp(argv[i], "--strict") == 0;
  char err[600];
  if (sim_repro_read(rep, file, err, sizeof err) == 0) return 0;
  cli_usage_error("%s", err);
  return -1;
}

void cli_exec_report_repro(const exec_opts* o, const char* sig, const uint64_t* seed,
                           const exec_result* r, int replays, char* saved, size_t savedlen) {
  char dir[4200];
  const char* base = strrchr(o->argv[0], '/');
  snprintf(dir, sizeof dir, "%.2048s/exec-%.1024s", o->corpus ? o->corpus : "corpus",
           base ? base + 1 : o->argv[0]);
  cli_repro_kind k = { "exec", exec_fill, dir, !o->no_minimize, 1 };
  cli_repro_report_failure(o, &k, sig, seed, r, replays, saved, savedlen);
}

int cli_exec_replay(const char* file, int argc, char** argv) {
  int strict;
  sim_repro rep;
  if (cli_repro_open(file, argc, argv, &rep, &strict) != 0) return EXIT_USAGE;
  static exec_opts o;
  memset(&o, 0, sizeof o);
  int rc = EXIT_USAGE;
  char sha[65], abs[PATH_MAX];
  int e = cli_sha256_file(rep.program, sha);
  if (e < 0) {
    cli_usage_error("replay: %s: the program %s cannot be read: %s", file, rep.program,
                    strerror(-e));
    goto out;
  }
  if (access(rep.program, X_OK) != 0) {
    cli_usage_error("replay: %s: the program %s cannot be run: %s", file, rep.program,
                    strerror(errno));
    goto out;
  }
  if (cli_repro_check_sha(file, "program", rep.program, sha, rep.program_sha256, strict))
    goto out;
  if (!realpath(file, abs)) {   /* the program runs in its own directory */
    cli_usage_error("replay: %s: %s", file, strerror(errno));
    goto out;
  }
  if (cli_exec_find_lib(&o, NULL)) goto out;
  for (size_t i = 0; i < rep.nmaps; i++)
    if (cli_exec_add_map(&o, rep.maps[i])) goto out;
  if (rep.cwd[0] && chdir(rep.cwd) != 0) {
    /* as the recorded run, in the simulated filesystem at least */
    printf("note: the recorded working directory %s is missing here (%s): the program "
           "runs in this one, starting at %s in its simulated filesystem\n", rep.cwd,
           strerror(errno), rep.cwd);
    snprintf(o.cwd, sizeof o.cwd, "%s", rep.cwd);
  }
  static char* prog[SIM_REPRO_ARGS_MAX + 1];
  for (size_t i = 0; i < rep.nargs; i++) prog[i] = rep.args[i];
  prog[rep.nargs] = NULL;
  o.argv = prog;
  o.exe = rep.program;
  o.timeout_s = 60;
  o.replay = abs;
  char desc[4096];
  FILE* f = fmemopen(desc, sizeof desc, "w");
  if (f) {
    cli_repro_put_word(f, rep.program);
    for (size_t i = 1; i < rep.nargs; i++) {
      fputc(' ', f);
      cli_repro_put_word(f, rep.args[i]);
    }
    fputc('\0', f);
    fclose(f);
    desc[sizeof desc - 1] = '\0';
  } else {
    snprintf(desc, sizeof desc, "%s", rep.program);
  }
  rc = cli_repro_replay(&o, &rep, strict, desc, rep.program);
out:
  sim_repro_free(&rep);
  return rc;
}
