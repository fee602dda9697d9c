/* bench/exec/fork_floor.c — what a fork costs here, the floor under the
 * fork server's cost per schedule: N times fork, _exit(0) in the child,
 * waitpid; prints forks per wall second and the CPU each took (parent and
 * children, user + system). Run by forkserver.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec / 1e6; }

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 300;
  if (n <= 0) return 2;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int i = 0; i < n; i++) {
    pid_t c = fork();
    if (c == 0) _exit(0);
    if (c < 0) return perror("fork"), 1;
    waitpid(c, NULL, 0);
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  struct rusage self, kids;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &kids);
  double cpu = seconds(self.ru_utime) + seconds(self.ru_stime) + seconds(kids.ru_utime) +
               seconds(kids.ru_stime);
  double wall = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
  printf("%.0f %.0f\n", n / wall, n / cpu);
  return 0;
}
