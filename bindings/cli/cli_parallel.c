#include "cli_parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct parallel_loop {
  size_t count;
  atomic_size_t next;
  void (*body)(void *context, size_t index);
  void *context;
  cli_progress *progress;
} parallel_loop;

static void *run_items(void *argument) {
  parallel_loop *loop = argument;
  for (size_t i; (i = atomic_fetch_add(&loop->next, 1)) < loop->count;) {
    loop->body(loop->context, i);
    if (loop->progress) cli_progress_advance(loop->progress, 1);
  }
  return NULL;
}

void cli_parallel_for(size_t count, unsigned threads, void (*body)(void *context, size_t index), void *context,
                      cli_progress *progress) {
  parallel_loop loop = {count, 0, body, context, progress};
  pthread_t ids[CLI_MAX_THREADS];
  unsigned started = 0;
  if (threads > CLI_MAX_THREADS) threads = CLI_MAX_THREADS;
  for (unsigned t = 1; t < threads && t < count; ++t)
    if (pthread_create(&ids[started], NULL, run_items, &loop) == 0) ++started;
  run_items(&loop); /* a failed pthread_create only means fewer helpers */
  for (unsigned t = 0; t < started; ++t) pthread_join(ids[t], NULL);
}

int cli_parse_threads(const char *command, const char *text, unsigned *threads) {
  char *end;
  const long value = strtol(text, &end, 10);
  if (*text == '\0' || *end || value < 0 || value > CLI_MAX_THREADS) {
    fprintf(stderr, "biomatch %s: --threads takes 0 (one per CPU) to %d, not '%s'\n", command, CLI_MAX_THREADS, text);
    return 0;
  }
  if (value == 0) {
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    *threads = cpus < 1 ? 1 : cpus > CLI_MAX_THREADS ? CLI_MAX_THREADS : (unsigned)cpus;
  } else {
    *threads = (unsigned)value;
  }
  return 1;
}
