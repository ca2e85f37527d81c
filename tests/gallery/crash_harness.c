/* The kill loop shared by the SIGKILL crash tests. */
#include "crash_harness.h"

#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

long gt_environment_number(const char *name, long fallback) {
  const char *text = getenv(name);
  return text && *text ? strtol(text, NULL, 10) : fallback;
}

void gt_crash_kill_child(long iteration, int most_before_kill, gt_crash_child_fn child_main, void *context,
                         uint64_t *acknowledged) {
  int ack_pipe[2];
  ck_assert_int_eq(pipe(ack_pipe), 0);
  const unsigned child_seed = (unsigned)rand();
  const pid_t child = fork();
  if (child == 0) { /* no Check assertions in the child: see gallery_test_support.c */
    close(ack_pipe[0]);
    child_main(context, ack_pipe[1], child_seed);
    _exit(127); /* child_main never returns */
  }
  ck_assert_int_gt(child, 0);
  close(ack_pipe[1]);
  /* Target 0 kills the child anywhere, recovery included. */
  const int target = rand() % 8 == 0 ? 0 : 1 + rand() % most_before_kill;
  uint64_t sequence;
  ssize_t got;
  for (int received = 0; received < target; ++received) {
    got = read(ack_pipe[0], &sequence, sizeof sequence);
    if (got != (ssize_t)sizeof sequence) break; /* the child died: waitpid says why */
    ck_assert_uint_eq(sequence, *acknowledged + 1); /* acknowledgements arrive in order */
    *acknowledged = sequence;
  }
  usleep((useconds_t)(rand() % 3000));
  kill(child, SIGKILL);
  int status = 0;
  ck_assert_int_eq(waitpid(child, &status, 0), child);
  ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "iteration %ld: child exited with %d", iteration,
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  while ((got = read(ack_pipe[0], &sequence, sizeof sequence)) == (ssize_t)sizeof sequence) {
    ck_assert_uint_eq(sequence, *acknowledged + 1);
    *acknowledged = sequence;
  }
  ck_assert_int_eq(got, 0); /* the pipe's end, not a torn acknowledgement */
  close(ack_pipe[0]);
}
