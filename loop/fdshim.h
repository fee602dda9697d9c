/* loop/fdshim.h — what fdshim.c (libc's descriptor calls on simulated
 * numbers) shares with the rest of loop/: the real libc calls behind it,
 * and the reservation of simulated numbers with the kernel (fdreserve.c). */
#ifndef UVSIM_LOOP_FDSHIM_H
#define UVSIM_LOOP_FDSHIM_H

#include <sys/stat.h>

/* libc's own close, fcntl and fstat, never the simulated answer: for
 * descriptors libuvsim itself holds under a simulated number. */
int uvs__real_close(int fd);
int uvs__real_fcntl(int fd, int cmd, long arg);
int uvs__real_fstat(int fd, struct stat* st);
int uvs__real_dup3(int fd, int newfd, int flags);

/* Whether `fd` is a live descriptor of the simulated world (a file, a
 * stream socket, a datagram socket), whatever thread asks. */
int uvs__fd_live(int fd);

/* The number `fd` was handed to the program (uv_fs_open, uv_fileno): keep
 * the kernel from giving it to a real descriptor while the simulation
 * holds it. Numbers reserved before and no longer live are released on
 * the way. uvs__fd_release: the simulation closed it. Both are no-ops off
 * the simulated world's thread; uvs__fd_reserve is one for numbers below
 * SIM_FS_FD_BASE, which only dup2 reserves (uvs__fd_reserve_over). */
void uvs__fd_reserve(int fd);
void uvs__fd_release(int fd);
/* dup2 made `fd` (any number, a low one too) a simulated file's: whatever
 * real descriptor had it is closed and the number reserved in its place. */
void uvs__fd_reserve_over(int fd);
/* A new run: every reservation and the placeholder go (loop/world.c). */
void uvs__fd_release_all(void);

#endif
