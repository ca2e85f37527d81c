#include "cli_progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void draw(const cli_progress *progress, size_t done) {
  enum { BAR = 30 };
  const size_t filled = progress->total ? (done < progress->total ? done : progress->total) * BAR / progress->total : 0;
  char bar[BAR + 1];
  for (size_t i = 0; i < BAR; ++i) bar[i] = i < filled ? '#' : '.';
  bar[BAR] = '\0';
  fprintf(stderr, "\r%-12s [%s] %zu/%zu", progress->label, bar, done, progress->total);
  fflush(stderr);
}

void cli_progress_start(cli_progress *progress, const char *label, size_t total) {
  progress->label = label;
  progress->total = total;
  atomic_init(&progress->done, 0);
  atomic_init(&progress->last_draw_ms, 0);
  progress->enabled = isatty(STDERR_FILENO) && !getenv("BIOMATCH_NO_PROGRESS");
  if (progress->enabled) draw(progress, 0);
}

void cli_progress_advance(cli_progress *progress, size_t steps) {
  const size_t done = atomic_fetch_add(&progress->done, steps) + steps;
  if (!progress->enabled) return;
  const long long now = now_ms();
  long long last = atomic_load(&progress->last_draw_ms);
  /* One thread wins the right to redraw for this 100 ms slot. */
  if (now - last >= 100 && atomic_compare_exchange_strong(&progress->last_draw_ms, &last, now)) draw(progress, done);
}

void cli_progress_finish(cli_progress *progress) {
  if (!progress->enabled) return;
  draw(progress, atomic_load(&progress->done));
  fputc('\n', stderr);
}
