/* tests/world/test_fs.c — the in-memory filesystem returns what Linux
 * returns: the error codes of each operation in each situation, link
 * counts, rename over files and directories, symlink loops, descriptors
 * that outlive their names, and a cheap reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/sim_fs.h"

static sim world;
static sim_fs* fs;

static int setup(void** state) {
  (void)state;
  sim_init(&world, NULL);
  fs = sim_fs_new();
  sim_fs_attach(fs, &world);
  return 0;
}

static int teardown(void** state) {
  (void)state;
  sim_fs_free(fs);
  sim_free(&world);
  return 0;
}

static void open_create_excl_trunc(void** state) {
  (void)state;
  assert_int_equal(sim_fs_open(fs, "/tmp/a", O_RDONLY, 0), -ENOENT);
  int fd = sim_fs_open(fs, "/tmp/a", O_WRONLY | O_CREAT, 0644);
  assert_int_equal(fd, SIM_FS_FD_BASE);
  assert_int_equal(sim_fs_write(fs, fd, "hello", 5, -1), 5);
  assert_int_equal(sim_fs_read(fs, fd, (char[8]){0}, 8, 0), -EBADF);
  assert_int_equal(sim_fs_close(fs, fd), 0);
  assert_int_equal(sim_fs_close(fs, fd), -EBADF);
  assert_int_equal(sim_fs_open(fs, "/tmp/a", O_WRONLY | O_CREAT | O_EXCL, 0644),
                   -EEXIST);
  fd = sim_fs_open(fs, "/tmp/a", O_RDWR | O_TRUNC, 0);
  sim_stat st;
  assert_int_equal(sim_fs_fstat(fs, fd, &st), 0);
  assert_int_equal(st.size, 0);
  assert_true(S_ISREG(st.mode));
  assert_int_equal(st.mode & 0777, 0644);
  sim_fs_close(fs, fd);
  assert_int_equal(sim_fs_open(fs, "/nodir/a", O_CREAT | O_WRONLY, 0644), -ENOENT);
  assert_int_equal(sim_fs_open(fs, "/tmp/a/b", O_CREAT | O_WRONLY, 0644), -ENOTDIR);
  assert_int_equal(sim_fs_open(fs, "/tmp", O_WRONLY, 0), -EISDIR);
  assert_int_equal(sim_fs_open(fs, "/tmp/a", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
  assert_int_equal(sim_fs_open(fs, "/tmp/new/", O_CREAT | O_WRONLY, 0644), -EISDIR);
  assert_int_equal(sim_fs_open(fs, "/tmp/a/", O_RDONLY, 0), -ENOTDIR);
  fd = sim_fs_open(fs, "/tmp", O_RDONLY | O_DIRECTORY, 0);
  assert_true(fd >= SIM_FS_FD_BASE);
  assert_int_equal(sim_fs_read(fs, fd, (char[8]){0}, 8, -1), -EISDIR);
  sim_fs_close(fs, fd);
  assert_int_equal(sim_fs_open_count(fs), 0);
}

static void read_write_positions(void** state) {
  (void)state;
  int fd = sim_fs_open(fs, "/tmp/f", O_RDWR | O_CREAT, 0600);
  assert_int_equal(sim_fs_write(fs, fd, "abcdef", 6, -1), 6);
  char buf[16] = {0};
  assert_int_equal(sim_fs_read(fs, fd, buf, sizeof buf, -1), 0);   /* at EOF */
  assert_int_equal(sim_fs_read(fs, fd, buf, 3, 2), 3);
  assert_memory_equal(buf, "cde", 3);
  assert_int_equal(sim_fs_write(fs, fd, "XY", 2, 10), 2);          /* hole */
  sim_stat st;
  sim_fs_fstat(fs, fd, &st);
  assert_int_equal(st.size, 12);
  assert_int_equal(sim_fs_read(fs, fd, buf, sizeof buf, 0), 12);
  assert_memory_equal(buf, "abcdef\0\0\0\0XY", 12);
  sim_fs_close(fs, fd);
  /* O_APPEND: every write lands at the end, pwrite included (Linux). */
  fd = sim_fs_open(fs, "/tmp/f", O_WRONLY | O_APPEND, 0);
  assert_int_equal(sim_fs_write(fs, fd, "Z", 1, 0), 1);
  sim_fs_close(fs, fd);
  char* data;
  size_t len;
  assert_int_equal(sim_fs_get_file(fs, "/tmp/f", &data, &len), 0);
  assert_int_equal(len, 13);
  assert_int_equal(data[12], 'Z');
  free(data);
  /* ftruncate: EINVAL without write access. */
  fd = sim_fs_open(fs, "/tmp/f", O_RDONLY, 0);
  assert_int_equal(sim_fs_ftruncate(fs, fd, 1), -EINVAL);
  sim_fs_close(fs, fd);
  fd = sim_fs_open(fs, "/tmp/f", O_RDWR, 0);
  assert_int_equal(sim_fs_ftruncate(fs, fd, 4), 0);
  assert_int_equal(sim_fs_ftruncate(fs, fd, -1), -EINVAL);
  sim_fs_fstat(fs, fd, &st);
  assert_int_equal(st.size, 4);
  assert_int_equal(sim_fs_fsync(fs, fd), 0);
  sim_fs_close(fs, fd);
  assert_int_equal(sim_fs_fsync(fs, fd), -EBADF);
}

static void fds_are_lowest_free(void** state) {
  (void)state;
  int a = sim_fs_open(fs, "/tmp/x", O_CREAT | O_RDWR, 0644);
  int b = sim_fs_open(fs, "/tmp/x", O_RDWR, 0);
  int c = sim_fs_open(fs, "/tmp/x", O_RDWR, 0);
  assert_int_equal(b, a + 1);
  assert_int_equal(c, a + 2);
  sim_fs_close(fs, b);
  assert_int_equal(sim_fs_open(fs, "/tmp/x", O_RDWR, 0), b);
  assert_int_equal(sim_fs_close(fs, 3), -EBADF);     /* a real fd number */
}

/* sim_fs_dup: one position for the ring of duplicates (dup(2)'s shared open
 * file description); a closed member leaves the others sharing; the file
 * lives while one of them is open. */
static void dup_shares_the_position(void** state) {
  (void)state;
  int a = sim_fs_open(fs, "/tmp/d", O_CREAT | O_RDWR, 0644);
  int b = sim_fs_dup(fs, a);
  int c = sim_fs_dup(fs, b);
  assert_int_equal(b, a + 1);
  assert_int_equal(c, a + 2);
  assert_int_equal(sim_fs_dup(fs, 3), -EBADF);
  assert_int_equal(sim_fs_write(fs, a, "one ", 4, -1), 4);
  assert_int_equal(sim_fs_write(fs, b, "two ", 4, -1), 4);
  assert_int_equal(sim_fs_close(fs, b), 0);
  assert_int_equal(sim_fs_write(fs, c, "three ", 6, -1), 6);
  assert_int_equal(sim_fs_write(fs, a, "four", 4, -1), 4);
  /* a descriptor opened apart has a position of its own */
  int e = sim_fs_open(fs, "/tmp/d", O_RDWR, 0);
  assert_int_equal(sim_fs_write(fs, e, "ON", 2, -1), 2);
  assert_int_equal(sim_fs_close(fs, e), 0);
  assert_int_equal(sim_fs_close(fs, a), 0);
  assert_int_equal(sim_fs_unlink(fs, "/tmp/d"), 0);
  /* c alone: its own position, the unlinked file still there */
  assert_int_equal(sim_fs_write(fs, c, "!", 1, -1), 1);
  char buf[32] = { 0 };
  assert_int_equal(sim_fs_read(fs, c, buf, sizeof buf, 0), 19);
  assert_string_equal(buf, "ONe two three four!");
  assert_int_equal(sim_fs_close(fs, c), 0);
  assert_int_equal(sim_fs_open_count(fs), 0);
}

static void mkdir_rmdir_errors(void** state) {
  (void)state;
  assert_int_equal(sim_fs_mkdir(fs, "/tmp/d", 0755), 0);
  assert_int_equal(sim_fs_mkdir(fs, "/tmp/d", 0755), -EEXIST);
  assert_int_equal(sim_fs_mkdir(fs, "/tmp/d/", 0755), -EEXIST);
  assert_int_equal(sim_fs_mkdir(fs, "/tmp/no/d", 0755), -ENOENT);
  assert_int_equal(sim_fs_mkdir(fs, "/", 0755), -EEXIST);
  assert_int_equal(sim_fs_put_file(fs, "/tmp/d/f", "x", 1, 0), 0);
  assert_int_equal(sim_fs_mkdir(fs, "/tmp/d/f/g", 0755), -ENOTDIR);
  assert_int_equal(sim_fs_rmdir(fs, "/tmp/d"), -ENOTEMPTY);
  assert_int_equal(sim_fs_rmdir(fs, "/tmp/d/f"), -ENOTDIR);
  assert_int_equal(sim_fs_rmdir(fs, "/tmp/d/."), -EINVAL);
  assert_int_equal(sim_fs_rmdir(fs, "/"), -EBUSY);
  assert_int_equal(sim_fs_rmdir(fs, "/tmp/zz"), -ENOENT);
  assert_int_equal(sim_fs_unlink(fs, "/tmp/d"), -EISDIR);
  assert_int_equal(sim_fs_unlink(fs, "/tmp/d/f/"), -ENOTDIR);
  assert_int_equal(sim_fs_unlink(fs, "/tmp/d/f"), 0);
  assert_int_equal(sim_fs_unlink(fs, "/tmp/d/f"), -ENOENT);
  sim_stat st;
  assert_int_equal(sim_fs_stat(fs, "/tmp", &st), 0);
  assert_int_equal(st.nlink, 3);     /* ".", its name, d's ".." */
  assert_int_equal(sim_fs_rmdir(fs, "/tmp/d"), 0);
  assert_int_equal(sim_fs_stat(fs, "/tmp", &st), 0);
  assert_int_equal(st.nlink, 2);
  assert_int_equal(sim_fs_stat(fs, "/tmp/d", &st), -ENOENT);
}

static void relative_paths_and_cwd(void** state) {
  (void)state;
  assert_int_equal(sim_fs_mkdir_p(fs, "/a/b/c", 0), 0);
  assert_int_equal(sim_fs_chdir(fs, "/a/b"), 0);
  assert_string_equal(sim_fs_getcwd(fs), "/a/b");
  assert_int_equal(sim_fs_put_file(fs, "c/f", "1", 1, 0), 0);
  sim_stat st;
  assert_int_equal(sim_fs_stat(fs, "/a/b/c/f", &st), 0);
  assert_int_equal(sim_fs_stat(fs, "../b/./c//f", &st), 0);
  assert_int_equal(sim_fs_stat(fs, "/../../a", &st), 0);
  char out[256];
  assert_int_equal(sim_fs_realpath(fs, "c/../c/f", out, sizeof out), 0);
  assert_string_equal(out, "/a/b/c/f");
  assert_int_equal(sim_fs_realpath(fs, ".", out, sizeof out), 0);
  assert_string_equal(out, "/a/b");
  assert_int_equal(sim_fs_stat(fs, "", &st), -ENOENT);
  char longname[300];
  memset(longname, 'n', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  assert_int_equal(sim_fs_stat(fs, longname, &st), -ENAMETOOLONG);
}

static void rename_semantics(void** state) {
  (void)state;
  sim_fs_mkdir_p(fs, "/r/d1/sub", 0);
  sim_fs_mkdir_p(fs, "/r/d2", 0);
  sim_fs_mkdir_p(fs, "/r/full/x", 0);
  sim_fs_put_file(fs, "/r/f1", "one", 3, 0);
  sim_fs_put_file(fs, "/r/f2", "two", 3, 0);
  assert_int_equal(sim_fs_rename(fs, "/r/nope", "/r/x"), -ENOENT);
  assert_int_equal(sim_fs_rename(fs, "/r/f1", "/r/d2"), -EISDIR);
  assert_int_equal(sim_fs_rename(fs, "/r/d2", "/r/f1"), -ENOTDIR);
  assert_int_equal(sim_fs_rename(fs, "/r/d2", "/r/full"), -ENOTEMPTY);
  assert_int_equal(sim_fs_rename(fs, "/r/d1", "/r/d1/sub/in"), -EINVAL);
  assert_int_equal(sim_fs_rename(fs, "/r/d1/.", "/r/q"), -EBUSY);
  assert_int_equal(sim_fs_rename(fs, "/r/f1", "/r/nodir/f"), -ENOENT);
  assert_int_equal(sim_fs_rename(fs, "/r/f1", "/r/f1"), 0);
  /* Over a file: the target is replaced atomically. */
  assert_int_equal(sim_fs_rename(fs, "/r/f1", "/r/f2"), 0);
  char* data;
  size_t len;
  assert_int_equal(sim_fs_get_file(fs, "/r/f2", &data, &len), 0);
  assert_memory_equal(data, "one", 3);
  free(data);
  sim_stat st;
  assert_int_equal(sim_fs_stat(fs, "/r/f1", &st), -ENOENT);
  /* A directory over an empty directory keeps its children and links. */
  assert_int_equal(sim_fs_rename(fs, "/r/d1", "/r/d2"), 0);
  assert_int_equal(sim_fs_stat(fs, "/r/d2/sub", &st), 0);
  assert_int_equal(sim_fs_stat(fs, "/r/d2", &st), 0);
  assert_int_equal(st.nlink, 3);
  char out[64];
  assert_int_equal(sim_fs_realpath(fs, "/r/d2/sub/..", out, sizeof out), 0);
  assert_string_equal(out, "/r/d2");
}

static void symlinks_and_loops(void** state) {
  (void)state;
  sim_fs_put_file(fs, "/s/target", "T", 1, 0);
  assert_int_equal(sim_fs_symlink(fs, "target", "/s/ln"), 0);
  assert_int_equal(sim_fs_symlink(fs, "target", "/s/ln"), -EEXIST);
  assert_int_equal(sim_fs_symlink(fs, "", "/s/empty"), -ENOENT);
  sim_stat st, lst;
  assert_int_equal(sim_fs_stat(fs, "/s/ln", &st), 0);
  assert_int_equal(sim_fs_lstat(fs, "/s/ln", &lst), 0);
  assert_true(S_ISREG(st.mode));
  assert_true(S_ISLNK(lst.mode));
  assert_int_equal(lst.size, 6);
  char buf[64];
  assert_int_equal(sim_fs_readlink(fs, "/s/ln", buf, sizeof buf), 6);
  assert_memory_equal(buf, "target", 6);
  assert_int_equal(sim_fs_readlink(fs, "/s/target", buf, sizeof buf), -EINVAL);
  assert_int_equal(sim_fs_symlink(fs, "/s/loop2", "/s/loop1"), 0);
  assert_int_equal(sim_fs_symlink(fs, "/s/loop1", "/s/loop2"), 0);
  assert_int_equal(sim_fs_stat(fs, "/s/loop1", &st), -ELOOP);
  assert_int_equal(sim_fs_open(fs, "/s/loop1", O_RDONLY, 0), -ELOOP);
  assert_int_equal(sim_fs_lstat(fs, "/s/loop1", &st), 0);
  assert_int_equal(sim_fs_open(fs, "/s/ln", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
  /* Dangling: stat fails, O_CREAT creates the target. */
  assert_int_equal(sim_fs_symlink(fs, "made", "/s/dangle"), 0);
  assert_int_equal(sim_fs_stat(fs, "/s/dangle", &st), -ENOENT);
  assert_int_equal(sim_fs_mkdir(fs, "/s/dangle", 0755), -EEXIST);
  int fd = sim_fs_open(fs, "/s/dangle", O_CREAT | O_WRONLY, 0644);
  assert_true(fd >= 0);
  sim_fs_close(fs, fd);
  assert_int_equal(sim_fs_stat(fs, "/s/made", &st), 0);
  /* A symlink to a directory in the middle of a path. */
  sim_fs_mkdir_p(fs, "/s/real/inner", 0);
  assert_int_equal(sim_fs_symlink(fs, "/s/real", "/s/dirln"), 0);
  assert_int_equal(sim_fs_stat(fs, "/s/dirln/inner", &st), 0);
  char out[64];
  assert_int_equal(sim_fs_realpath(fs, "/s/dirln/inner", out, sizeof out), 0);
  assert_string_equal(out, "/s/real/inner");
  /* unlink removes the link, not the target. */
  assert_int_equal(sim_fs_unlink(fs, "/s/ln"), 0);
  assert_int_equal(sim_fs_stat(fs, "/s/target", &st), 0);
}

static void unlinked_file_lives_while_open(void** state) {
  (void)state;
  sim_fs_put_file(fs, "/tmp/u", "data", 4, 0);
  size_t before = sim_fs_inode_count(fs);
  int fd = sim_fs_open(fs, "/tmp/u", O_RDWR, 0);
  assert_int_equal(sim_fs_unlink(fs, "/tmp/u"), 0);
  char buf[8];
  assert_int_equal(sim_fs_read(fs, fd, buf, 8, 0), 4);
  sim_stat st;
  sim_fs_fstat(fs, fd, &st);
  assert_int_equal(st.nlink, 0);
  assert_int_equal(sim_fs_inode_count(fs), before);
  sim_fs_close(fs, fd);
  assert_int_equal(sim_fs_inode_count(fs), before - 1);
}

static void links_and_access(void** state) {
  (void)state;
  sim_fs_put_file(fs, "/l/a", "A", 1, 0600);
  assert_int_equal(sim_fs_link(fs, "/l/a", "/l/b"), 0);
  assert_int_equal(sim_fs_link(fs, "/l/a", "/l/b"), -EEXIST);
  assert_int_equal(sim_fs_link(fs, "/l", "/l2"), -EPERM);
  sim_stat st;
  sim_fs_stat(fs, "/l/b", &st);
  assert_int_equal(st.nlink, 2);
  assert_int_equal(sim_fs_rename(fs, "/l/a", "/l/b"), 0);  /* same inode */
  sim_fs_stat(fs, "/l/a", &st);
  assert_int_equal(st.nlink, 2);
  assert_int_equal(sim_fs_access(fs, "/l/a", F_OK), 0);
  assert_int_equal(sim_fs_access(fs, "/l/a", R_OK | W_OK), 0);
  assert_int_equal(sim_fs_access(fs, "/l/a", X_OK), -EACCES);
  assert_int_equal(sim_fs_chmod(fs, "/l/a", 0755), 0);
  assert_int_equal(sim_fs_access(fs, "/l/b", X_OK), 0);
  assert_int_equal(sim_fs_access(fs, "/l/none", F_OK), -ENOENT);
}

static void copyfile_and_times(void** state) {
  (void)state;
  sim_advance_to(&world, 5000);
  sim_fs_put_file(fs, "/c/src", "content", 7, 0640);
  assert_int_equal(sim_fs_copyfile(fs, "/c/src", "/c/dst", 0), 0);
  assert_int_equal(sim_fs_copyfile(fs, "/c/src", "/c/dst", 1), -EEXIST);
  assert_int_equal(sim_fs_copyfile(fs, "/c/none", "/c/x", 0), -ENOENT);
  assert_int_equal(sim_fs_copyfile(fs, "/c/src", "/c/src", 0), 0);
  sim_stat st;
  sim_fs_stat(fs, "/c/dst", &st);
  assert_int_equal(st.size, 7);
  assert_int_equal(st.mode & 0777, 0640);
  assert_int_equal(st.mtime_ns, SIM_FS_EPOCH_NS + 5000);
  assert_int_equal(sim_fs_utime(fs, "/c/dst", 1000000000, 2000000000), 0);
  sim_fs_stat(fs, "/c/dst", &st);
  assert_int_equal(st.atime_ns, 1000000000);
  assert_int_equal(st.mtime_ns, 2000000000);
  sim_advance_to(&world, 9000);
  int fd = sim_fs_open(fs, "/c/dst", O_WRONLY, 0);
  sim_fs_write(fs, fd, "x", 1, 0);
  sim_fs_fstat(fs, fd, &st);
  assert_int_equal(st.mtime_ns, SIM_FS_EPOCH_NS + 9000);
  sim_fs_close(fs, fd);
}

static void scandir_sorted_readdir_creation_order(void** state) {
  (void)state;
  const char* names[] = { "zeta", "alpha", "Mid", "beta" };
  for (int i = 0; i < 4; i++) {
    char p[64];
    snprintf(p, sizeof p, "/dd/%s", names[i]);
    sim_fs_put_file(fs, p, "", 0, 0);
  }
  sim_fs_mkdir(fs, "/dd/sub", 0755);
  sim_fs_dirent* ents;
  int n = sim_fs_scandir(fs, "/dd", &ents);
  assert_int_equal(n, 5);
  assert_string_equal(ents[0].name, "Mid");
  assert_string_equal(ents[1].name, "alpha");
  assert_string_equal(ents[2].name, "beta");
  assert_string_equal(ents[3].name, "sub");
  assert_int_equal(ents[3].type, SIM_FS_DT_DIR);
  assert_string_equal(ents[4].name, "zeta");
  assert_int_equal(ents[4].type, SIM_FS_DT_FILE);
  free(ents);
  assert_int_equal(sim_fs_scandir(fs, "/dd/zeta", &ents), -ENOTDIR);
  int d = sim_fs_opendir(fs, "/dd");
  assert_true(d >= 0);
  sim_fs_dirent two[2];
  assert_int_equal(sim_fs_readdir(fs, d, two, 2), 2);
  assert_string_equal(two[0].name, "zeta");
  assert_string_equal(two[1].name, "alpha");
  assert_int_equal(sim_fs_readdir(fs, d, two, 2), 2);
  assert_int_equal(sim_fs_readdir(fs, d, two, 2), 1);
  assert_int_equal(sim_fs_readdir(fs, d, two, 2), 0);
  assert_int_equal(sim_fs_closedir(fs, d), 0);
  assert_int_equal(sim_fs_closedir(fs, d), -EBADF);
}

static void mkdtemp_is_deterministic(void** state) {
  (void)state;
  char a[32] = "/tmp/t-XXXXXX", b[32] = "/tmp/t-XXXXXX";
  assert_int_equal(sim_fs_mkdtemp(fs, a), 0);
  assert_int_equal(sim_fs_mkdtemp(fs, b), 0);
  assert_string_not_equal(a, b);
  char bad[32] = "/tmp/t-XXXX";
  assert_int_equal(sim_fs_mkdtemp(fs, bad), -EINVAL);
  sim_fs_reset(fs);
  char c[32] = "/tmp/t-XXXXXX";
  assert_int_equal(sim_fs_mkdtemp(fs, c), 0);
  assert_string_equal(a, c);     /* same name after a reset */
  char f[32] = "/tmp/f-XXXXXX";
  int fd = sim_fs_mkstemp(fs, f);
  assert_true(fd >= SIM_FS_FD_BASE);
  sim_stat st;
  assert_int_equal(sim_fs_stat(fs, f, &st), 0);
  assert_int_equal(st.mode & 0777, 0600);
}

static void reset_is_cheap_and_complete(void** state) {
  (void)state;
  for (int run = 0; run < 2000; run++) {
    sim_fs_reset(fs);
    assert_int_equal(sim_fs_inode_count(fs), 2);
    sim_stat st;
    assert_int_equal(sim_fs_stat(fs, "/tmp/p", &st), -ENOENT);
    sim_fs_put_file(fs, "/tmp/p", "x", 1, 0);
    int fd = sim_fs_open(fs, "/tmp/p", O_RDONLY, 0);
    assert_int_equal(fd, SIM_FS_FD_BASE);   /* left open on purpose */
  }
  sim_fs_reset(fs);
  assert_int_equal(sim_fs_open_count(fs), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(open_create_excl_trunc, setup, teardown),
    cmocka_unit_test_setup_teardown(read_write_positions, setup, teardown),
    cmocka_unit_test_setup_teardown(fds_are_lowest_free, setup, teardown),
    cmocka_unit_test_setup_teardown(mkdir_rmdir_errors, setup, teardown),
    cmocka_unit_test_setup_teardown(relative_paths_and_cwd, setup, teardown),
    cmocka_unit_test_setup_teardown(rename_semantics, setup, teardown),
    cmocka_unit_test_setup_teardown(symlinks_and_loops, setup, teardown),
    cmocka_unit_test_setup_teardown(unlinked_file_lives_while_open, setup, teardown),
    cmocka_unit_test_setup_teardown(links_and_access, setup, teardown),
    cmocka_unit_test_setup_teardown(copyfile_and_times, setup, teardown),
    cmocka_unit_test_setup_teardown(scandir_sorted_readdir_creation_order, setup, teardown),
    cmocka_unit_test_setup_teardown(mkdtemp_is_deterministic, setup, teardown),
    cmocka_unit_test_setup_teardown(reset_is_cheap_and_complete, setup, teardown),
    cmocka_unit_test_setup_teardown(dup_shares_the_position, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
