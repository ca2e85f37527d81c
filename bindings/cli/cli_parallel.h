/* Runs a loop body over items 0..count-1 on several threads (pthreads):
 * items are handed out one at a time, so uneven items balance themselves. */
#ifndef BIOMATCH_CLI_PARALLEL_H
#define BIOMATCH_CLI_PARALLEL_H

#include <stddef.h>

#include "cli_progress.h"

#define CLI_MAX_THREADS 256

/* Calls body(context, i) once for every i < count, on up to `threads`
 * threads (the calling thread is one of them). `progress` (may be NULL)
 * advances by one per item. Returns when every item is done. */
void cli_parallel_for(size_t count, unsigned threads, void (*body)(void *context, size_t index), void *context,
                      cli_progress *progress);

/* Parses a --threads value: 1..CLI_MAX_THREADS, or 0 = one per online CPU.
 * Returns 0 (after printing "biomatch COMMAND: ...") when invalid. */
int cli_parse_threads(const char *command, const char *text, unsigned *threads);

#endif
