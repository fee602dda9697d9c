/* tests/world/test_fs_map.c — a real directory mapped into the simulated
 * filesystem (sim_fs_map): passthrough reads and writes reach the host
 * directory and nothing else, the mapping's edge behaves like a mount
 * (EXDEV, EBUSY, ".." climbs back out), read-only mappings answer EROFS
 * where a read-only mount would, snapshots are private per run and
 * deterministic, resets give host descriptors back, and bad mappings are
 * refused with a reason. Each test works in a fresh host temp directory. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/sim_fs.h"
#include "hostdir.h"

static sim world;
static sim_fs* fs;
static char err[8192];

/* The host file's contents, or "(missing)". */
static const char* host_get(const char* rel) {
  static char buf[256];
  char p[PATH_MAX * 2];
  snprintf(p, sizeof p, "%s/%s", host, rel);
  FILE* f = fopen(p, "r");
  if (f == NULL) return "(missing)";
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

static void host_mkdir(const char* rel) {
  char p[PATH_MAX * 2];
  snprintf(p, sizeof p, "%s/%s", host, rel);
  assert_int_equal(mkdir(p, 0755), 0);
}

/* The simulated file's contents through descriptors. */
static const char* sim_get(const char* path) {
  static char buf[256];
  char* data;
  size_t len;
  int r = sim_fs_get_file(fs, path, &data, &len);
  if (r < 0) {
    snprintf(buf, sizeof buf, "(%s)", strerror(-r));
    return buf;
  }
  snprintf(buf, sizeof buf, "%s", data);
  free(data);
  return buf;
}

static int setup(void** state) {
  (void)state;
  sim_init(&world, NULL);
  fs = sim_fs_new();
  sim_fs_attach(fs, &world);
  host_make("/tmp/uvsim-map-XXXXXX");
  host_put("hello.txt", "hello from the host");
  host_mkdir("sub");
  host_put("sub/b", "bee");
  host_put("sub/a", "ay");
  return 0;
}

static int teardown(void** state) {
  (void)state;
  sim_fs_free(fs);
  sim_free(&world);
  host_remove();
  return 0;
}

static void passthrough_reads_and_writes_the_host(void** state) {
  (void)state;
  assert_int_equal(sim_fs_map(fs, "/data", host, 0, err, sizeof err), 0);
  assert_string_equal(sim_get("/data/hello.txt"), "hello from the host");
  sim_stat st;
  assert_int_equal(sim_fs_stat(fs, "/data/hello.txt", &st), 0);
  assert_int_equal(st.size, 19);
  assert_true(S_ISREG(st.mode));
  assert_int_equal(sim_fs_stat(fs, "/data", &st), 0);
  assert_true(S_ISDIR(st.mode));
  /* a write lands in the host file */
  int fd = sim_fs_open(fs, "/data/out", O_WRONLY | O_CREAT | O_EXCL, 0644);
  assert_true(fd >= SIM_FS_FD_BASE);
  assert_int_equal(sim_fs_write(fs, fd, "abc", 3, -1), 3);
  assert_int_equal(sim_fs_write(fs, fd, "Z", 1, 1), 1);
  assert_int_equal(sim_fs_fsync(fs, fd), 0);
  assert_int_equal(sim_fs_fstat(fs, fd, &st), 0);
  assert_int_equal(st.size, 3);
  assert_int_equal(sim_fs_close(fs, fd), 0);
  assert_int_equal(sim_fs_close(fs, fd), -EBADF);
  assert_string_equal(host_get("out"), "aZc");
  /* the kernel's own errors come back unchanged */
  assert_int_equal(sim_fs_open(fs, "/data/out", O_CREAT | O_EXCL | O_WRONLY, 0),
                   -EEXIST);
  assert_int_equal(sim_fs_open(fs, "/data/nope", O_RDONLY, 0), -ENOENT);
  assert_int_equal(sim_fs_open(fs, "/data/out/x", O_RDONLY, 0), -ENOTDIR);
  assert_int_equal(sim_fs_rmdir(fs, "/data/sub"), -ENOTEMPTY);
  /* names: mkdir, rename, unlink, symlink, readlink, chmod */
  assert_int_equal(sim_fs_mkdir(fs, "/data/d", 0755), 0);
  assert_int_equal(sim_fs_rename(fs, "/data/out", "/data/d/moved"), 0);
  assert_string_equal(host_get("d/moved"), "aZc");
  assert_int_equal(sim_fs_symlink(fs, "moved", "/data/d/ln"), 0);
  char target[64];
  assert_int_equal(sim_fs_readlink(fs, "/data/d/ln", target, sizeof target), 5);
  assert_memory_equal(target, "moved", 5);
  assert_string_equal(sim_get("/data/d/ln"), "aZc");
  assert_int_equal(sim_fs_chmod(fs, "/data/d/moved", 0600), 0);
  assert_int_equal(sim_fs_stat(fs, "/data/d/moved", &st), 0);
  assert_int_equal(st.mode & 0777, 0600);
  assert_int_equal(sim_fs_unlink(fs, "/data/d/ln"), 0);
  assert_int_equal(sim_fs_unlink(fs, "/data/d/moved"), 0);
  assert_int_equal(sim_fs_rmdir(fs, "/data/d"), 0);
  assert_string_equal(host_get("d/moved"), "(missing)");
  /* nothing of this is in the simulated tree */
  assert_int_equal(sim_fs_stat(fs, "/tmp/out", &st), -ENOENT);
}

static void directories_list_sorted(void** state) {
  (void)state;
  assert_int_equal(sim_fs_map(fs, "/data", host, 0, err, sizeof err), 0);
  sim_fs_dirent* ents;
  int n = sim_fs_scandir(fs, "/data/sub", &ents);
  assert_int_equal(n, 2);
  assert_string_equal(ents[0].name, "a");
  assert_string_equal(ents[1].name, "b");
  assert_int_equal(ents[0].type, SIM_FS_DT_FILE);
  free(ents);
  /* a stream: host order would depend on the host fs; ours is sorted */
  int d = sim_fs_opendir(fs, "/data");
  assert_true(d >= 0);
  sim_fs_dirent out[8];
  assert_int_equal(sim_fs_readdir(fs, d, out, 8), 2);
  assert_string_equal(out[0].name, "hello.txt");
  assert_string_equal(out[1].name, "sub");
  assert_int_equal(out[1].type, SIM_FS_DT_DIR);
  assert_int_equal(sim_fs_readdir(fs, d, out, 8), 0);
  assert_int_equal(sim_fs_closedir(fs, d), 0);
  assert_int_equal(sim_fs_opendir(fs, "/data/hello.txt"), -ENOTDIR);
}

static void the_edge_is_a_mount(void** state) {
  (void)state;
  assert_int_equal(sim_fs_map(fs, "/data", host, 0, err, sizeof err), 0);
  assert_int_equal(sim_fs_put_file(fs, "/tmp/s", "sim", 3, 0), 0);
  /* across the edge: a different device */
  assert_int_equal(sim_fs_rename(fs, "/tmp/s", "/data/s"), -EXDEV);
  assert_int_equal(sim_fs_rename(fs, "/data/hello.txt", "/tmp/h"), -EXDEV);
  assert_int_equal(sim_fs_link(fs, "/data/hello.txt", "/tmp/h"), -EXDEV);
  /* the mount point itself cannot go */
  assert_int_equal(sim_fs_rmdir(fs, "/data"), -EBUSY);
  assert_int_equal(sim_fs_rename(fs, "/data", "/data2"), -EXDEV);
  assert_int_equal(sim_fs_rename(fs, "/data/sub", "/data"), -EBUSY);
  /* ".." above the root is the simulated parent, not the host's */
  assert_string_equal(sim_get("/data/../tmp/s"), "sim");
  assert_string_equal(sim_get("/data/sub/../../tmp/s"), "sim");
  assert_string_equal(sim_get("/data/sub/../hello.txt"), "hello from the host");
  assert_string_equal(sim_get("/data/./sub/./a"), "ay");
  /* copyfile works across it, both ways */
  assert_int_equal(sim_fs_copyfile(fs, "/tmp/s", "/data/copy", 0), 0);
  assert_string_equal(host_get("copy"), "sim");
  assert_int_equal(sim_fs_copyfile(fs, "/data/hello.txt", "/tmp/h", 0), 0);
  assert_string_equal(sim_get("/tmp/h"), "hello from the host");
  assert_int_equal(sim_fs_copyfile(fs, "/tmp/s", "/data/copy", 1), -EEXIST);
  assert_int_equal(sim_fs_copyfile(fs, "/data/copy", "/data/copy", 0), 0);
  assert_string_equal(host_get("copy"), "sim");   /* same file: untouched */
  /* a simulated symlink into the mapping is followed into it */
  assert_int_equal(sim_fs_symlink(fs, "/data/sub", "/tmp/to-sub"), 0);
  assert_string_equal(sim_get("/tmp/to-sub/b"), "bee");
  /* realpath answers in simulated terms */
  char rp[SIM_FS_PATH_MAX];
  assert_int_equal(sim_fs_realpath(fs, "/tmp/to-sub/../sub/a", rp, sizeof rp), 0);
  assert_string_equal(rp, "/data/sub/a");
  assert_int_equal(sim_fs_symlink(fs, "/etc", "/data/escape"), 0);
  assert_int_equal(sim_fs_realpath(fs, "/data/escape", rp, sizeof rp), -EXDEV);
}

static void cwd_inside_a_mapping(void** state) {
  (void)state;
  assert_int_equal(sim_fs_map(fs, "/data", host, 0, err, sizeof err), 0);
  assert_int_equal(sim_fs_chdir(fs, "/data/sub/"), 0);
  assert_string_equal(sim_fs_getcwd(fs), "/data/sub");
  assert_string_equal(sim_get("a"), "ay");
  assert_string_equal(sim_get("../hello.txt"), "hello from the host");
  assert_int_equal(sim_fs_put_file(fs, "c", "sea", 3, 0), 0);
  assert_string_equal(host_get("sub/c"), "sea");
  assert_int_equal(sim_fs_chdir(fs, "/data/hello.txt"), -ENOTDIR);
  assert_int_equal(sim_fs_chdir(fs, "/tmp"), 0);
  assert_string_equal(sim_fs_getcwd(fs), "/tmp");
  assert_int_equal(sim_fs_chdir(fs, "/data"), 0);
  assert_int_equal(sim_fs_unmap(fs, "/data"), 0);
  assert_string_equal(sim_fs_getcwd(fs), "/tmp");   /* back where it was */
}

static void readonly_answers_erofs(void** state) {
  (void)state;
  assert_int_equal(sim_fs_map(fs, "/ro", host, SIM_FS_MAP_READONLY, err,
                              sizeof err), 0);
  assert_string_equal(sim_get("/ro/hello.txt"), "hello from the host");
  assert_int_equal(sim_fs_open(fs, "/ro/hello.txt", O_WRONLY, 0), -EROFS);
  assert_int_equal(sim_fs_open(fs, "/ro/hello.txt", O_RDONLY | O_TRUNC, 0),
                   -EROFS);
  assert_int_equal(sim_fs_open(fs, "/ro/new", O_WRONLY | O_CREAT, 0644), -EROFS);
  assert_int_equal(sim_fs_open(fs, "/ro/nope", O_RDONLY, 0), -ENOENT);
  assert_int_equal(sim_fs_open(fs, "/ro/hello.txt", O_RDONLY | O_CREAT | O_EXCL,
                               0644), -EEXIST);
  int fd = sim_fs_open(fs, "/ro/hello.txt", O_RDONLY | O_CREAT, 0644);
  assert_true(fd >= SIM_FS_FD_BASE);
  assert_int_equal(sim_fs_write(fs, fd, "x", 1, -1), -EBADF);
  assert_int_equal(sim_fs_fchmod(fs, fd, 0600), -EROFS);
  assert_int_equal(sim_fs_futime(fs, fd, 0, 0), -EROFS);
  assert_int_equal(sim_fs_close(fs, fd), 0);
  assert_int_equal(sim_fs_unlink(fs, "/ro/hello.txt"), -EROFS);
  assert_int_equal(sim_fs_unlink(fs, "/ro/nope"), -ENOENT);
  assert_int_equal(sim_fs_mkdir(fs, "/ro/sub", 0755), -EEXIST);
  assert_int_equal(sim_fs_mkdir(fs, "/ro/d", 0755), -EROFS);
  assert_int_equal(sim_fs_rmdir(fs, "/ro/sub"), -EROFS);
  assert_int_equal(sim_fs_rename(fs, "/ro/sub/a", "/ro/sub/z"), -EROFS);
  assert_int_equal(sim_fs_symlink(fs, "x", "/ro/l"), -EROFS);
  assert_int_equal(sim_fs_chmod(fs, "/ro/hello.txt", 0600), -EROFS);
  assert_int_equal(sim_fs_utime(fs, "/ro/hello.txt", 0, 0), -EROFS);
  assert_int_equal(sim_fs_access(fs, "/ro/hello.txt", W_OK), -EROFS);
  assert_int_equal(sim_fs_access(fs, "/ro/hello.txt", R_OK), 0);
  assert_string_equal(host_get("hello.txt"), "hello from the host");
  assert_string_equal(host_get("sub/a"), "ay");
}

static void snapshot_is_private_and_per_run(void** state) {
  (void)state;
  char lnk[PATH_MAX * 2];
  snprintf(lnk, sizeof lnk, "%s/sub/link", host);
  assert_int_equal(symlink("../hello.txt", lnk), 0);
  char mode_path[PATH_MAX * 2];
  snprintf(mode_path, sizeof mode_path, "%s/sub/b", host);
  assert_int_equal(chmod(mode_path, 0600), 0);
  assert_int_equal(sim_fs_map(fs, "/snap", host, SIM_FS_MAP_SNAPSHOT, err,
                              sizeof err), 0);
  /* the host changes after the snapshot: the runs do not see it */
  host_put("hello.txt", "changed on the host");
  assert_string_equal(sim_get("/snap/hello.txt"), "hello from the host");
  assert_string_equal(sim_get("/snap/sub/link"), "hello from the host");
  sim_stat st, first;
  assert_int_equal(sim_fs_stat(fs, "/snap/sub/b", &first), 0);
  assert_int_equal(first.mode & 0777, 0600);
  assert_int_equal(first.dev, sim_fs_stat(fs, "/tmp", &st) == 0 ? st.dev : 0);
  /* the run changes its copy; the host keeps its own */
  assert_int_equal(sim_fs_put_file(fs, "/snap/hello.txt", "run 1", 5, 0), 0);
  assert_int_equal(sim_fs_unlink(fs, "/snap/sub/a"), 0);
  assert_string_equal(host_get("hello.txt"), "changed on the host");
  assert_string_equal(host_get("sub/a"), "ay");
  /* the next run starts from the snapshot again, with the same inodes */
  sim_fs_reset(fs);
  assert_string_equal(sim_get("/snap/hello.txt"), "hello from the host");
  assert_string_equal(sim_get("/snap/sub/a"), "ay");
  assert_int_equal(sim_fs_stat(fs, "/snap/sub/b", &st), 0);
  assert_int_equal(st.ino, first.ino);
  assert_int_equal(st.mtime_ns, first.mtime_ns);
  assert_int_equal(sim_fs_rename(fs, "/snap/sub/a", "/tmp/a"), 0);  /* one fs */
}

static void mappings_outlive_resets_and_give_fds_back(void** state) {
  (void)state;
  assert_int_equal(sim_fs_map(fs, "/data", host, 0, err, sizeof err), 0);
  int before = open_host_fds();
  for (int i = 0; i < 3; i++)
    assert_true(sim_fs_open(fs, "/data/hello.txt", O_RDONLY, 0) >= 0);
  int d = sim_fs_opendir(fs, "/data");
  assert_true(d >= 0);
  assert_int_equal(open_host_fds(), before + 3);
  assert_int_equal(sim_fs_open_count(fs), 3);
  sim_fs_reset(fs);
  assert_int_equal(open_host_fds(), before);
  assert_int_equal(sim_fs_open_count(fs), 0);
  assert_string_equal(sim_get("/data/sub/b"), "bee");
  /* mapping again the same way is a no-op, another way replaces it */
  assert_int_equal(sim_fs_map(fs, "/data/", host, 0, err, sizeof err), 0);
  assert_int_equal(sim_fs_map_count(fs), 1);
  assert_int_equal(sim_fs_map(fs, "/data", host, SIM_FS_MAP_READONLY, err,
                              sizeof err), 0);
  assert_int_equal(sim_fs_map_count(fs), 1);
  assert_int_equal(sim_fs_unlink(fs, "/data/hello.txt"), -EROFS);
  /* unmapped: the directory is an empty simulated one again */
  assert_int_equal(sim_fs_unmap(fs, "/data"), 0);
  assert_int_equal(sim_fs_unmap(fs, "/data"), -ENOENT);
  sim_stat st;
  assert_int_equal(sim_fs_stat(fs, "/data/hello.txt", &st), -ENOENT);
  assert_int_equal(sim_fs_stat(fs, "/data", &st), 0);
  sim_fs_reset(fs);
  assert_int_equal(sim_fs_stat(fs, "/data", &st), -ENOENT);
}

static void bad_mappings_are_refused(void** state) {
  (void)state;
  assert_int_equal(sim_fs_map(fs, "/", host, 0, err, sizeof err), -EINVAL);
  assert_non_null(strstr(err, "not an absolute simulated directory"));
  assert_int_equal(sim_fs_map(fs, "rel", host, 0, err, sizeof err), -EINVAL);
  assert_int_equal(sim_fs_map(fs, "/a/../b", host, 0, err, sizeof err), -EINVAL);
  assert_int_equal(sim_fs_map(fs, "/d", "/nonexistent-uvsim", 0, err,
                              sizeof err), -ENOENT);
  assert_non_null(strstr(err, "/nonexistent-uvsim"));
  char file[PATH_MAX * 2];
  snprintf(file, sizeof file, "%s/hello.txt", host);
  assert_int_equal(sim_fs_map(fs, "/d", file, 0, err, sizeof err), -ENOTDIR);
  assert_int_equal(sim_fs_map(fs, "/d", "/", 0, err, sizeof err), -EINVAL);
  assert_int_equal(sim_fs_map(fs, "/d", host, 4, err, sizeof err), -EINVAL);
  assert_int_equal(sim_fs_map(fs, "/d", host, 0, err, sizeof err), 0);
  assert_int_equal(sim_fs_map(fs, "/d/e", host, 0, err, sizeof err), -EBUSY);
  assert_non_null(strstr(err, "overlaps the mapping at /d"));
  assert_int_equal(sim_fs_map(fs, "/", host, 0, err, sizeof err), -EINVAL);
  assert_int_equal(sim_fs_put_file(fs, "/f", "x", 1, 0), 0);
  assert_int_equal(sim_fs_map(fs, "/f", host, 0, err, sizeof err), -ENOTDIR);
  assert_int_equal(sim_fs_map_count(fs), 1);
  char names[SIM_FS_MAPS_MAX + 1][16];
  for (int i = 1; i < SIM_FS_MAPS_MAX; i++) {
    snprintf(names[i], sizeof names[i], "/m%d", i);
    assert_int_equal(sim_fs_map(fs, names[i], host, 0, err, sizeof err), 0);
  }
  assert_int_equal(sim_fs_map(fs, "/one-too-many", host, 0, err, sizeof err),
                   -ENOSPC);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(passthrough_reads_and_writes_the_host,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(directories_list_sorted, setup, teardown),
      cmocka_unit_test_setup_teardown(the_edge_is_a_mount, setup, teardown),
      cmocka_unit_test_setup_teardown(cwd_inside_a_mapping, setup, teardown),
      cmocka_unit_test_setup_teardown(readonly_answers_erofs, setup, teardown),
      cmocka_unit_test_setup_teardown(snapshot_is_private_and_per_run, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(mappings_outlive_resets_and_give_fds_back,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(bad_mappings_are_refused, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
