/* Progress bar on stderr for long CLI work, drawn only when stderr is a
 * terminal (never in pipes, logs or tests). Thread-safe: workers call
 * cli_progress_advance() concurrently. */
#ifndef BIOMATCH_CLI_PROGRESS_H
#define BIOMATCH_CLI_PROGRESS_H

#include <stdatomic.h>
#include <stddef.h>

typedef struct cli_progress {
  const char *label;
  size_t total;
  atomic_size_t done;
  atomic_llong last_draw_ms; /* redraws are limited to ~10 per second */
  int enabled;
} cli_progress;

/* enabled = stderr is a terminal and BIOMATCH_NO_PROGRESS is unset. */
void cli_progress_start(cli_progress *progress, const char *label, size_t total);
void cli_progress_advance(cli_progress *progress, size_t steps);
/* Draws the full bar and ends its line. */
void cli_progress_finish(cli_progress *progress);

#endif
