/* tests/replay-edits/replay_edits.c — do checked-in reproducers survive an
 * edit of the program they were written for?
 *
 * This binary holds the bundled scenarios compiled with one edit (see the
 * edit_*.h headers, applied at the start of every run by scenarios/scn.h),
 * and replays every reproducer of corpus/ that names one of them, twice:
 * by label (what `uvsim replay` does) and by position (`--strict`, the old
 * replay). A reproducer passes when the label replay brings back the same
 * failure. With --expect-divergence (an edit that adds decisions) the
 * replay must also say how the run diverged wherever the edit shifted the
 * recorded decisions (the position replay lost the bug there), and at
 * least one reproducer must show it: an edit whose decisions all come after
 * the recorded ones changes the trace, not the file's decisions. The
 * position replay is otherwise only counted: it shows what the edit does
 * to a replay that does not match.
 *
 * A reproducer named with --known FILE may lose its bug: the edit really
 * changes what that program does (the reason is in CMakeLists.txt); it is
 * still replayed and reported.
 *
 * usage: replay_edits EDIT CORPUS_DIR [--expect-divergence] [--known FILE]... */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"

static int same_failure(const sim_repro* r, const fz_outcome* out) {
  if (out->oracle == SIM_BUG_NONE) return 0;
  char sig[256];
  fz_signature(out, sig, sizeof sig);
  return strcmp(sig, r->signature) == 0;
}

/* Returns 1 when this reproducer passes (or is not ours), 0 when not. */
static const char* known[8];
static int nknown, nexcused;

static int is_known(const char* path) {
  const char* base = strrchr(path, '/');
  base = base ? base + 1 : path;
  for (int i = 0; i < nknown; i++)
    if (strcmp(known[i], base) == 0) return 1;
  return 0;
}

static int check(const char* edit, const char* path, int expect_div, int* replayed,
                 int* strict_lost, int* diverged_total) {
  sim_repro r;
  char err[512];
  sim_repro_init(&r);
  if (sim_repro_read(&r, path, err, sizeof err) != 0) {
    printf("%s: cannot read: %s\n", path, err);
    return 0;
  }
  const uvsim_scenario* sc = r.node[0] ? NULL : uvsim_scenario_find(r.scenario);
  if (!sc || !r.signature[0]) {
    sim_repro_free(&r);
    return 1;   /* an example or a node program: not built with the edit */
  }
  (*replayed)++;
  fz_outcome out, strict_out;
  sim_replay acct, strict_acct;
  fz_replay_matched(sc, &r, 0, &out, NULL, &acct);
  fz_replay_matched(sc, &r, 1, &strict_out, NULL, &strict_acct);
  int kept = same_failure(&r, &out);
  int diverged = sim_replay_diverged(&acct);
  int strict_kept = same_failure(&r, &strict_out);
  if (!strict_kept) (*strict_lost)++;
  *diverged_total += diverged;
  int ok = kept && (!expect_div || strict_kept || diverged);
  int excused = !ok && is_known(path);
  printf("%-4s %s: %s (by label), %s (by position)%s\n", ok ? "ok" : excused ? "know" : "FAIL",
         r.scenario, kept ? "bug kept" : "bug LOST", strict_kept ? "bug kept" : "bug lost",
         excused ? " [known: the edit changes this program's timing]" : "");
  if (excused) ok = 1, nexcused++;
  sim_replay_fprint(&acct, stdout, "       ");
  if (expect_div && !strict_kept && !diverged)
    printf("       the %s edit shifted the schedule, yet the replay reports no divergence\n",
           edit);
  sim_replay_free(&acct);
  sim_replay_free(&strict_acct);
  sim_repro_free(&r);
  return ok;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: replay_edits EDIT CORPUS_DIR [--expect-divergence]\n");
    return 2;
  }
  const char* edit = argv[1];
  int expect_div = 0;
  for (int i = 3; i < argc; i++) {
    if (strcmp(argv[i], "--expect-divergence") == 0) expect_div = 1;
    else if (strcmp(argv[i], "--known") == 0 && i + 1 < argc && nknown < 8) known[nknown++] = argv[++i];
    else {
      fprintf(stderr, "replay_edits: unknown argument '%s'\n", argv[i]);
      return 2;
    }
  }
  DIR* top = opendir(argv[2]);
  if (!top) {
    perror(argv[2]);
    return 2;
  }
  /* Sorted, so that the output reads the same on every machine. */
  struct dirent** names;
  int n = scandir(argv[2], &names, NULL, alphasort);
  closedir(top);
  int failed = 0, replayed = 0, strict_lost = 0, diverged = 0;
  for (int i = 0; i < n; i++) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", argv[2], names[i]->d_name);
    struct dirent** files;
    int m = names[i]->d_name[0] == '.' ? -1 : scandir(dir, &files, NULL, alphasort);
    for (int j = 0; j < m; j++) {
      const char* f = files[j]->d_name;
      size_t len = strlen(f);
      if (len > 6 && strcmp(f + len - 6, ".uvsim") == 0) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, f);
        failed += !check(edit, path, expect_div, &replayed, &strict_lost, &diverged);
      }
      free(files[j]);
    }
    if (m >= 0) free(files);
    free(names[i]);
  }
  free(names);
  printf("edit %s: %d of %d reproducers keep their bug when replayed by label, %d known "
         "not to (%d lose it when replayed by position; %d replays report a divergence)\n",
         edit, replayed - failed - nexcused, replayed, nexcused, strict_lost, diverged);
  if (expect_div && diverged == 0) {
    printf("edit %s adds decisions, yet no replay reports a divergence\n", edit);
    return 1;
  }
  return failed || replayed == 0 ? 1 : 0;
}
