/* The kill loop shared by the SIGKILL crash tests (test_crash.c on the
 * store, test_gallery_crash.c on the gallery): a child writes and
 * acknowledges on a pipe, the parent kills it at a random moment and
 * collects what it acknowledged. */
#ifndef BIOMATCH_TESTS_GALLERY_CRASH_HARNESS_H
#define BIOMATCH_TESTS_GALLERY_CRASH_HARNESS_H

#include <stdint.h>

/* The child's work: writes forever, sending each acknowledged number
 * (uint64_t) on `ack_fd` only after the write returned; seeds rand() with
 * `seed`; never returns, exits with its own code on failure, and uses no
 * Check assertions (see gallery_test_support.c). */
typedef void (*gt_crash_child_fn)(void *context, int ack_fd, unsigned seed);

/* Numeric environment variable (BM_CRASH_ITERATIONS, BM_CRASH_SEED), or
 * `fallback` when unset or empty. */
long gt_environment_number(const char *name, long fallback);

/* One kill: forks a child running `child_main` (seed from rand()), reads a
 * random number of its acknowledgements (none one time in 8, else 1 to
 * `most_before_kill`) so the child makes progress however slow the disk is,
 * waits up to 3 ms more so the signal lands anywhere, kills it with SIGKILL,
 * checks it died of that signal, and reads the acknowledgements left in the
 * pipe up to its end. Every acknowledgement must be *acknowledged + 1;
 * *acknowledged ends at the last one received. Check assertions name
 * `iteration`. */
void gt_crash_kill_child(long iteration, int most_before_kill, gt_crash_child_fn child_main, void *context,
                         uint64_t *acknowledged);

#endif
