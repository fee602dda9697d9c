/* tests/loop/test_fdshim.c — libc's calls on simulated numbers
 * (loop/fdshim.c, loop/fdreserve.c).
 *
 * - A simulated file's number is reserved with the kernel while the
 *   program holds it: a real descriptor asked for at that number gets the
 *   next one; after uv_fs_close the kernel may give it again.
 * - Another thread's call on a simulated number is not answered by the
 *   (single-threaded) world: it meets the placeholder, EBADF, and the file
 *   is untouched.
 * - A simulated TCP socket under libc: write(2) and send(MSG_OOB) reach
 *   the peer's stream, getsockopt/getsockname/getpeername describe it,
 *   shutdown(SHUT_RD) ends the handle's reading with EOF, close(2) closes
 *   it (a second close is EBADF) and the handle still holding the number
 *   then fails its write with UV_EBADF, as libuv's does.
 * - _FORTIFY_SOURCE's __read_chk is answered as read(2).
 * - dup, fcntl(F_DUPFD) and dup2/dup3 of a simulated file: a new
 *   simulated number sharing the position; dup2 onto a real low number
 *   makes it the file's for libc, uv_fs_* and uv_guess_handle alike, with
 *   the kernel's descriptor closed and the number reserved; dup2 of a real
 *   descriptor back onto it closes the simulated one; uv_fs_close of the
 *   low number releases it; dup2 onto another simulated file closes that.
 * - A simulated UDP socket under libc: sendto reaches the peer handle with
 *   the sender's address, recvfrom takes a datagram with its source,
 *   SO_TYPE is SOCK_DGRAM, close(2) closes it. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "sim/sim.h"
#include "uvsim.h"

static void begin(void) {
  sim_config cfg = {0};
  cfg.source = SIM_SRC_LIST;
  uvsim_world_begin(&cfg);
}

/* ---- files: reservation, and another thread */

static uv_file open_file(const char* path) {
  uv_fs_t req;
  int fd = uv_fs_open(NULL, &req, path, UV_FS_O_RDWR | UV_FS_O_CREAT, 0600, NULL);
  uv_fs_req_cleanup(&req);
  assert_true(fd >= 1000);
  return fd;
}

static void test_file_number_reserved(void** state) {
  (void)state;
  begin();
  uv_file fd = open_file("/tmp/reserved");
  int real = fcntl(0, F_DUPFD_CLOEXEC, fd);   /* the kernel's lowest from fd */
  assert_true(real > fd);
  assert_int_equal(close(real), 0);
  uv_fs_t req;
  assert_int_equal(uv_fs_close(NULL, &req, fd, NULL), 0);
  uv_fs_req_cleanup(&req);
  real = fcntl(0, F_DUPFD_CLOEXEC, fd);       /* released: free again */
  assert_int_equal(real, fd);
  assert_int_equal(close(real), 0);
}

extern ssize_t __read_chk(int fd, void* buf, size_t n, size_t buflen);

static int thread_fd;
static int thread_r, thread_errno;

static void* other_thread(void* arg) {
  (void)arg;
  thread_r = (int)write(thread_fd, "x", 1);
  thread_errno = errno;
  return NULL;
}

static void test_other_thread_not_answered(void** state) {
  (void)state;
  begin();
  thread_fd = open_file("/tmp/threads");
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, other_thread, NULL), 0);
  assert_int_equal(pthread_join(t, NULL), 0);
  assert_int_equal(thread_r, -1);
  assert_int_equal(thread_errno, EBADF);
  struct stat st;
  assert_int_equal(fstat(thread_fd, &st), 0);   /* the loop's thread: the world */
  assert_int_equal(st.st_size, 0);
  assert_int_equal(write(thread_fd, "y", 1), 1);
  assert_int_equal(fstat(thread_fd, &st), 0);
  assert_int_equal(st.st_size, 1);
  /* what a program built with _FORTIFY_SOURCE calls for read(2) */
  char b[4];
  assert_int_equal(lseek(thread_fd, 0, SEEK_SET), 0);
  assert_int_equal(__read_chk(thread_fd, b, sizeof b, sizeof b), 1);
  assert_int_equal(b[0], 'y');
  assert_int_equal(close(thread_fd), 0);
}

/* ---- a TCP socket under libc */

static uv_tcp_t server, client, conn;
static uv_connect_t creq;
static uv_write_t wreq;
static int connected, accepted, eof, write_status = 1;
static char got[64];
static size_t ngot;

static void on_alloc(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  (void)h;
  (void)size;
  static char slab[64];
  *buf = uv_buf_init(slab, sizeof slab);
}

static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n > 0) {
    assert_true(ngot + (size_t)n <= sizeof got);
    memcpy(got + ngot, buf->base, (size_t)n);
    ngot += (size_t)n;
  } else if (n == UV_EOF) {
    eof = 1;
    uv_close((uv_handle_t*)s, NULL);
  }
}

static void on_connection(uv_stream_t* s, int status) {
  assert_int_equal(status, 0);
  assert_int_equal(uv_tcp_init(s->loop, &conn), 0);
  assert_int_equal(uv_accept(s, (uv_stream_t*)&conn), 0);
  assert_int_equal(uv_read_start((uv_stream_t*)&conn, on_alloc, on_read), 0);
  accepted = 1;
}

static void on_connect(uv_connect_t* req, int status) {
  (void)req;
  assert_int_equal(status, 0);
  connected = 1;
}

static void on_write(uv_write_t* req, int status) {
  (void)req;
  write_status = status;
}

/* Runs the loop until *flag is set (bounded: the world is simulated). */
static void run_until(const int* flag) {
  for (int i = 0; i < 100 && !*flag; i++) uv_run(uv_default_loop(), UV_RUN_ONCE);
  assert_true(*flag);
}

static int port_of(const struct sockaddr_storage* ss) {
  return ntohs(((const struct sockaddr_in*)ss)->sin_port);
}

static void test_tcp_socket_calls(void** state) {
  (void)state;
  begin();
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", 9123, &addr);
  assert_int_equal(uv_tcp_init(loop, &server), 0);
  assert_int_equal(uv_tcp_bind(&server, (const struct sockaddr*)&addr, 0), 0);
  assert_int_equal(uv_listen((uv_stream_t*)&server, 8, on_connection), 0);
  assert_int_equal(uv_tcp_init(loop, &client), 0);
  assert_int_equal(uv_tcp_connect(&creq, &client, (const struct sockaddr*)&addr, on_connect), 0);
  run_until(&connected);
  run_until(&accepted);

  uv_os_fd_t cfd, sfd;
  assert_int_equal(uv_fileno((uv_handle_t*)&client, &cfd), 0);
  assert_int_equal(uv_fileno((uv_handle_t*)&conn, &sfd), 0);
  assert_true(cfd >= 5000 && sfd >= 5000);

  /* what the program learns about it */
  int v = 0;
  socklen_t len = sizeof v;
  assert_int_equal(getsockopt(cfd, SOL_SOCKET, SO_TYPE, &v, &len), 0);
  assert_int_equal(v, SOCK_STREAM);
  struct sockaddr_storage ss;
  len = sizeof ss;
  assert_int_equal(getpeername(cfd, (struct sockaddr*)&ss, &len), 0);
  assert_int_equal(port_of(&ss), 9123);
  struct sockaddr_storage mine;
  int mlen = sizeof mine;
  assert_int_equal(uv_tcp_getsockname(&client, (struct sockaddr*)&mine, &mlen), 0);
  len = sizeof ss;
  assert_int_equal(getsockname(cfd, (struct sockaddr*)&ss, &len), 0);
  assert_int_equal(port_of(&ss), port_of(&mine));
  struct stat st;
  assert_int_equal(fstat(cfd, &st), 0);
  assert_true(S_ISSOCK(st.st_mode));
  assert_int_equal(lseek(cfd, 0, SEEK_CUR), -1);
  assert_int_equal(errno, ESPIPE);

  /* bytes written with libc arrive at the peer's stream */
  assert_int_equal(write(cfd, "ping", 4), 4);
  assert_int_equal(send(cfd, "!", 1, MSG_OOB), 1);
  for (int i = 0; i < 100 && ngot < 5; i++) uv_run(loop, UV_RUN_ONCE);
  assert_int_equal(ngot, 5);
  assert_memory_equal(got, "ping!", 5);

  /* SHUT_RD: the accepted handle's reading ends with EOF */
  assert_int_equal(shutdown(sfd, SHUT_RD), 0);
  run_until(&eof);

  /* close(2) under the handle: its next write fails with EBADF */
  assert_int_equal(close(cfd), 0);
  assert_int_equal(close(cfd), -1);
  assert_int_equal(errno, EBADF);
  assert_int_equal(fstat(cfd, &st), -1);
  uv_buf_t b = uv_buf_init("late", 4);
  assert_int_equal(uv_write(&wreq, (uv_stream_t*)&client, &b, 1, on_write), 0);
  for (int i = 0; i < 10 && write_status == 1; i++) uv_run(loop, UV_RUN_ONCE);
  assert_int_equal(write_status, UV_EBADF);
  uv_close((uv_handle_t*)&client, NULL);
  uv_close((uv_handle_t*)&server, NULL);
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(uv_loop_close(loop), 0);
}

/* ---- a UDP socket under libc */

static uv_udp_t rx, tx;
static int datagrams, from_port;
static char dgram[16];

static void on_datagram(uv_udp_t* h, ssize_t n, const uv_buf_t* buf,
                        const struct sockaddr* from, unsigned flags) {
  (void)h;
  (void)flags;
  if (n <= 0 || from == NULL) return;
  memcpy(dgram, buf->base, (size_t)n < sizeof dgram ? (size_t)n : sizeof dgram);
  from_port = ntohs(((const struct sockaddr_in*)from)->sin_port);
  datagrams++;
}

static void test_udp_socket_calls(void** state) {
  (void)state;
  begin();
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in ra, ta;
  uv_ip4_addr("127.0.0.1", 9200, &ra);
  uv_ip4_addr("127.0.0.1", 9201, &ta);
  assert_int_equal(uv_udp_init(loop, &rx), 0);
  assert_int_equal(uv_udp_bind(&rx, (const struct sockaddr*)&ra, 0), 0);
  assert_int_equal(uv_udp_recv_start(&rx, on_alloc, on_datagram), 0);
  assert_int_equal(uv_udp_init(loop, &tx), 0);
  assert_int_equal(uv_udp_bind(&tx, (const struct sockaddr*)&ta, 0), 0);
  uv_os_fd_t tfd, rfd;
  assert_int_equal(uv_fileno((uv_handle_t*)&tx, &tfd), 0);
  assert_int_equal(uv_fileno((uv_handle_t*)&rx, &rfd), 0);
  assert_true(tfd >= 7000 && rfd >= 7000);
  int v = 0;
  socklen_t len = sizeof v;
  assert_int_equal(getsockopt(tfd, SOL_SOCKET, SO_TYPE, &v, &len), 0);
  assert_int_equal(v, SOCK_DGRAM);
  struct sockaddr_storage ss;
  len = sizeof ss;
  assert_int_equal(getsockname(tfd, (struct sockaddr*)&ss, &len), 0);
  assert_int_equal(port_of(&ss), 9201);

  assert_int_equal(sendto(tfd, "dgram", 5, 0, (const struct sockaddr*)&ra, sizeof ra), 5);
  run_until(&datagrams);
  assert_memory_equal(dgram, "dgram", 5);
  assert_int_equal(from_port, 9201);

  /* the handle stops reading: libc takes the next one, with its source */
  assert_int_equal(uv_udp_recv_stop(&rx), 0);
  assert_int_equal(sendto(tfd, "again", 5, 0, (const struct sockaddr*)&ra, sizeof ra), 5);
  char buf[16];
  ssize_t n = -1;
  for (int i = 0; i < 10 && n < 0; i++) {
    len = sizeof ss;
    n = recvfrom(rfd, buf, sizeof buf, 0, (struct sockaddr*)&ss, &len);
    if (n < 0) {
      assert_int_equal(errno, EAGAIN);
      uv_run(loop, UV_RUN_NOWAIT);
    }
  }
  assert_int_equal(n, 5);
  assert_memory_equal(buf, "again", 5);
  assert_int_equal(port_of(&ss), 9201);

  assert_int_equal(close(tfd), 0);
  assert_int_equal(sendto(tfd, "x", 1, 0, (const struct sockaddr*)&ra, sizeof ra), -1);
  assert_int_equal(errno, EBADF);
  uv_close((uv_handle_t*)&tx, NULL);
  uv_close((uv_handle_t*)&rx, NULL);
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(uv_loop_close(loop), 0);
}

/* ---- dup, dup2, dup3 of a simulated file */

static uv_file sim_read_at(uv_file fd, char* buf, size_t n, int64_t off) {
  uv_fs_t req;
  uv_buf_t b = uv_buf_init(buf, (unsigned)n);
  int r = uv_fs_read(NULL, &req, fd, &b, 1, off, NULL);
  uv_fs_req_cleanup(&req);
  return r;
}

static void test_dup_shares_position(void** state) {
  (void)state;
  begin();
  uv_file fd = open_file("/tmp/dup");
  assert_int_equal(write(fd, "abcdef", 6), 6);
  int d = dup(fd);
  assert_true(d >= 1000);
  assert_int_not_equal(d, fd);
  assert_int_equal(lseek(d, 1, SEEK_SET), 1);     /* one open file: one position */
  char b[8];
  assert_int_equal(read(fd, b, 2), 2);
  assert_memory_equal(b, "bc", 2);
  assert_int_equal(close(fd), 0);
  assert_int_equal(read(d, b, 1), 1);             /* still open under the copy */
  assert_int_equal(b[0], 'd');
  int e = fcntl(d, F_DUPFD_CLOEXEC, 2000);
  assert_true(e >= 2000);
  assert_int_equal(fcntl(e, F_GETFL) & O_ACCMODE, O_RDWR);
  assert_int_equal(close(e), 0);
  assert_int_equal(close(d), 0);
  assert_int_equal(close(d), -1);
  assert_int_equal(errno, EBADF);
}

static void test_dup2_onto_low_number(void** state) {
  (void)state;
  begin();
  uv_file fd = open_file("/tmp/dup2");
  int low = open("/dev/null", O_RDONLY | O_CLOEXEC);  /* a real low number */
  assert_true(low > 2 && low < 1000);

  assert_int_equal(dup2(fd, low), low);
  assert_int_equal(write(low, "hi", 2), 2);       /* the file's, for libc */
  char b[8] = {0};
  assert_int_equal(sim_read_at(fd, b, sizeof b, 0), 2);   /* and for uv_fs */
  assert_memory_equal(b, "hi", 2);
  assert_int_equal(sim_read_at(low, b, sizeof b, 1), 1);
  assert_int_equal(b[0], 'i');
  assert_int_equal(uv_guess_handle(low), UV_FILE);
  struct stat st;
  assert_int_equal(fstat(low, &st), 0);
  assert_true(S_ISREG(st.st_mode));
  assert_int_equal(st.st_size, 2);
  int real = open("/dev/null", O_WRONLY | O_CLOEXEC);
  assert_true(real > low);                        /* reserved with the kernel */

  /* a real descriptor back onto it: the simulated one is closed */
  assert_int_equal(dup2(real, low), low);
  assert_int_equal(write(low, "xyz", 3), 3);      /* /dev/null's, for real */
  assert_int_equal(fstat(fd, &st), 0);
  assert_int_equal(st.st_size, 2);
  assert_int_equal(close(low), 0);
  assert_int_equal(close(real), 0);

  /* dup3, then uv_fs_close of the low number: free for the kernel again */
  assert_int_equal(dup3(fd, fd, O_CLOEXEC), -1);
  assert_int_equal(errno, EINVAL);
  assert_int_equal(dup3(fd, low, O_CLOEXEC), low);
  assert_int_equal(lseek(fd, 0, SEEK_SET), 0);    /* the position is shared */
  assert_int_equal(read(low, b, 2), 2);
  assert_int_equal(lseek(fd, 0, SEEK_CUR), 2);
  uv_fs_t req;
  assert_int_equal(uv_fs_close(NULL, &req, low, NULL), 0);
  uv_fs_req_cleanup(&req);
  assert_int_equal(write(low, "x", 1), -1);
  assert_int_equal(errno, EBADF);
  real = fcntl(0, F_DUPFD_CLOEXEC, low);
  assert_int_equal(real, low);
  assert_int_equal(close(real), 0);

  /* onto another simulated file: that one is closed, its number reused */
  uv_file other = open_file("/tmp/dup2-other");
  assert_int_equal(dup2(fd, other), other);
  assert_int_equal(write(other, "!", 1), 1);
  assert_int_equal(fstat(fd, &st), 0);
  assert_int_equal(st.st_size, 3);
  assert_int_equal(close(other), 0);
  assert_int_equal(close(fd), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_file_number_reserved),
    cmocka_unit_test(test_other_thread_not_answered),
    cmocka_unit_test(test_tcp_socket_calls),
    cmocka_unit_test(test_udp_socket_calls),
    cmocka_unit_test(test_dup_shares_position),
    cmocka_unit_test(test_dup2_onto_low_number),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
