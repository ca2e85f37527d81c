/* Shard arenas (arena.h). */
#ifndef _GNU_SOURCE
#  define _GNU_SOURCE /* mremap */
#endif
#include "util/arena.h"

#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#  define BM_ARENA_HEAP 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define BM_ARENA_HEAP 1
#  endif
#endif
#if !defined(BM_ARENA_HEAP) && !defined(__linux__)
#  define BM_ARENA_HEAP 1
#endif

#ifndef BM_ARENA_HEAP
#  include <sys/mman.h>
#  include <unistd.h>
#endif

/* Growth rule of the arenas' callers: by a quarter (gallery_shard.c says why). */
static size_t grown(size_t n) { return n + n / 4 + 64; }

static size_t target_size(size_t capacity, size_t needed) {
  size_t n = capacity ? capacity : 65536;
  while (n < needed) n = grown(n);
  return n;
}

#ifdef BM_ARENA_HEAP

int bm_arena_grow_(uint8_t **arena, size_t *capacity, size_t used, size_t needed) {
  if (needed <= *capacity) return 1;
  const size_t n = (target_size(*capacity, needed) + 63) & ~(size_t)63;
  void *p = NULL;
  if (posix_memalign(&p, 64, n) != 0) return 0;
  if (used) memcpy(p, *arena, used);
  free(*arena);
  *arena = p;
  *capacity = n;
  return 1;
}

void bm_arena_free_(uint8_t *arena, size_t capacity) {
  (void)capacity;
  free(arena);
}

#else

static size_t page_size(void) {
  const long page = sysconf(_SC_PAGESIZE);
  return page > 0 ? (size_t)page : 4096;
}

/* The mapping behind a capacity: whole pages. */
static size_t mapped_size(size_t capacity) {
  const size_t page = page_size();
  return (capacity + page - 1) / page * page;
}

int bm_arena_grow_(uint8_t **arena, size_t *capacity, size_t used, size_t needed) {
  (void)used; /* mremap keeps every byte */
  if (needed <= *capacity) return 1;
  const size_t n = mapped_size(target_size(*capacity, needed));
  void *p;
  if (*arena) {
    p = mremap(*arena, mapped_size(*capacity), n, MREMAP_MAYMOVE);
  } else {
    p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  }
  if (p == MAP_FAILED) return 0;
#  ifdef MADV_HUGEPAGE
  if (n >= (size_t)2 << 20) (void)madvise(p, n, MADV_HUGEPAGE); /* advice only: failure changes nothing */
#  endif
  *arena = p;
  *capacity = n;
  return 1;
}

void bm_arena_free_(uint8_t *arena, size_t capacity) {
  if (arena) munmap(arena, mapped_size(capacity));
}

#endif
