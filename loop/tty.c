/* loop/tty.c — uv_tty_*: a terminal on the real stdio descriptors.
 *
 * The simulated machine has one terminal, on descriptors 0 (its keyboard,
 * readable) and 1 and 2 (its screen, writable), whatever the real
 * descriptors are: nothing real is asked (no isatty, tcgetattr, ioctl), so
 * a run behaves the same under a terminal, a pipe or a CI log. A tty is a
 * stream (loop/stream.c, UVS__S_TTY) whose transport is:
 *
 *  - writes: passed through to the real descriptor synchronously, as
 *    loop/fs.c does for uv_fs_write on 0-2. uv_write completes in the next
 *    pending phase and uv_try_write returns the count, exactly as on a
 *    pipe whose reader keeps up;
 *  - reads: the terminal's user types nothing and ends the input at once
 *    (Ctrl-D): after uv_read_start the next poll phase gives alloc_cb and
 *    then UV_EOF, and reading stops. Deterministic, and a program waiting
 *    for its keyboard finishes instead of hanging the run;
 *  - the window is 80 columns by 24 rows; modes are recorded, never
 *    applied, so uv_tty_reset_mode has nothing to restore.
 *
 * Differences from libuv 1.44 (src/unix/tty.c), all because the real
 * descriptor is never examined: uv_tty_init accepts 0-2 (readable for 0,
 * writable for 1 and 2, where libuv reads the access mode) and refuses
 * every other descriptor with EINVAL, which is what libuv answers for a
 * file (uv_guess_handle says UV_FILE for stdio and the simulated files). */
#include "loop/stream.h"

#include <errno.h>
#include <unistd.h>

#define TTY_COLUMNS 80
#define TTY_ROWS 24

int uv_tty_init(uv_loop_t* loop, uv_tty_t* tty, int fd, int unused) {
  (void)unused;   /* deprecated in libuv: the access mode decides */
  if (fd < 0 || fd > 2) return UV_EINVAL;
  uvs__stream_init(loop, (uv_stream_t*)tty, UV_TTY);
  uvs__stream* st = uvs__st((uv_stream_t*)tty);
  st->fd = fd;
  st->flags |= UVS__S_TTY | (fd == 0 ? UVS__S_READABLE : UVS__S_WRITABLE);
  tty->io_watcher.fd = fd;
  tty->mode = UV_TTY_MODE_NORMAL;
  return 0;
}

/* One writev(2), like libuv's: what the descriptor took, or the error when
 * it took nothing. Interrupted writes are retried. */
ssize_t uvs__tty_write(int fd, const uv_buf_t* bufs, unsigned n) {
  ssize_t total = 0;
  for (unsigned i = 0; i < n; i++) {
    size_t off = 0;
    while (off < bufs[i].len) {
      ssize_t w = write(fd, bufs[i].base + off, bufs[i].len - off);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        if (total > 0) return total;
        return errno == EWOULDBLOCK ? UV_EAGAIN : -errno;
      }
      off += (size_t)w;
      total += w;
    }
  }
  return total;
}

int uv_tty_set_mode(uv_tty_t* tty, uv_tty_mode_t mode) {
  if (tty->mode == (int)mode) return 0;
  /* libuv's tcgetattr on the closed handle's descriptor (-1) */
  if (uvs__st((uv_stream_t*)tty) == NULL || tty->io_watcher.fd < 0) return UV_EBADF;
  tty->mode = (int)mode;
  return 0;
}

/* No mode was ever applied to a real terminal. libuv's answers 0 too when
 * it has nothing to restore, and leaves errno alone. */
int uv_tty_reset_mode(void) { return 0; }

int uv_tty_get_winsize(uv_tty_t* tty, int* width, int* height) {
  if (uvs__st((uv_stream_t*)tty) == NULL || tty->io_watcher.fd < 0) return UV_EBADF;
  *width = TTY_COLUMNS;
  *height = TTY_ROWS;
  return 0;
}

/* Windows only in libuv; Unix answers ENOTSUP and ignores the setter. */
void uv_tty_set_vterm_state(uv_tty_vtermstate_t state) { (void)state; }

int uv_tty_get_vterm_state(uv_tty_vtermstate_t* state) {
  (void)state;
  return UV_ENOTSUP;
}
