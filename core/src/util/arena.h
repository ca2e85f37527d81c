/* Growable, 64-byte aligned byte arenas for the largest arrays: a gallery
 * shard's prepared templates, prefilter codes, face rows and metadata, and
 * a face index's rows.
 *
 * A million-record gallery holds gigabytes in these arrays, and they grow
 * one record at a time (enrolment, reopening). Scans stream through them,
 * and on virtual machines a streaming read over 4 KB pages spends much of
 * its time in page walks (measured here: 11 GB/s on 4 KB pages, 16 GB/s on
 * 2 MB pages). Grown by allocate-copy-free,
 * every step copies the arena and faults a fresh copy of it in page by
 * page: reopening spent most of its time in the kernel's page-fault path.
 * On Linux an arena is an anonymous mapping grown with mremap(), which
 * moves page tables instead of bytes, and asks for transparent huge pages,
 * which cut page faults by up to 512. Elsewhere, and under AddressSanitizer
 * (which checks heap blocks, not mappings), it is an aligned heap block.
 *
 * The caller keeps the capacity the last call returned and passes it back.
 * Not thread-safe per arena (its writer owns it). */
#ifndef BIOMATCH_UTIL_ARENA_H
#define BIOMATCH_UTIL_ARENA_H

#include <stddef.h>
#include <stdint.h>

/* Grows *arena (capacity *capacity, the first `used` bytes kept) to at
 * least `needed` bytes, 64-byte aligned; on success sets *capacity to the
 * new size and returns 1. Returns 0 (arena untouched) when out of memory. */
int bm_arena_grow_(uint8_t **arena, size_t *capacity, size_t used, size_t needed);

/* Releases an arena of `capacity` bytes (NULL: nothing). */
void bm_arena_free_(uint8_t *arena, size_t capacity);

#endif
