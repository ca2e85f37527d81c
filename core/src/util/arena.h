/* Growable, 64-byte aligned byte arenas for a shard's largest arrays
 * (prepared templates, prefilter codes, face rows, metadata).
 *
 * A million-record gallery holds gigabytes in these arrays, and they grow
 * one record at a time (enrolment, reopening). Grown by allocate-copy-free,
 * every step copies the arena and faults a fresh copy of it in page by
 * page: reopening spent most of its time in the kernel's page-fault path.
 * On Linux an arena is an anonymous mapping grown with mremap(), which
 * moves page tables instead of bytes, and asks for transparent huge pages,
 * which cut page faults by up to 512. Elsewhere, and under AddressSanitizer
 * (which checks heap blocks, not mappings), it is an aligned heap block.
 *
 * The caller keeps the capacity it asked for and passes it back: the
 * mapping's true size is derived from it. Not thread-safe per arena (the
 * shard's writer owns it). */
#ifndef BIOMATCH_GALLERY_ARENA_H
#define BIOMATCH_GALLERY_ARENA_H

#include <stddef.h>
#include <stdint.h>

/* Grows *arena (capacity *capacity, the first `used` bytes kept) to at
 * least `needed` bytes, 64-byte aligned; on success sets *capacity to the
 * new size and returns 1. Returns 0 (arena untouched) when out of memory. */
int bm_arena_grow_(uint8_t **arena, size_t *capacity, size_t used, size_t needed);

/* Releases an arena of `capacity` bytes (NULL: nothing). */
void bm_arena_free_(uint8_t *arena, size_t capacity);

#endif
