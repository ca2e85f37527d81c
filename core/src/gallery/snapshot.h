/* Snapshot files: a versioned header, a table of sections and the section
 * payloads, each with its own CRC-32C, payloads aligned so that a mapped
 * file can be used in place. The layout is in docs/persistence.md. */
#ifndef BIOMATCH_GALLERY_SNAPSHOT_H
#define BIOMATCH_GALLERY_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "biomatch/bm_errors.h"
#include "gallery/file_io.h"

enum {
  BM_SNAPSHOT_HEADER_SIZE_ = 64,
  BM_SNAPSHOT_ENTRY_SIZE_ = 32,
  /* Every payload starts on a 64-byte boundary (a cache line, the widest
   * vector load); payloads of at least BM_SNAPSHOT_PAGE_SECTION_ bytes on a
   * 4096-byte page boundary, so they can be advised or remapped alone. */
  BM_SNAPSHOT_ALIGNMENT_ = 64,
  BM_SNAPSHOT_PAGE_ALIGNMENT_ = 4096,
  BM_SNAPSHOT_PAGE_SECTION_ = 65536,
};

/* One section: a caller-chosen tag and its bytes. */
typedef struct bm_snapshot_section_ {
  uint32_t tag;
  const void *data;
  uint64_t size;
} bm_snapshot_section_;

/* A loaded, verified snapshot. Immutable after loading: any number of
 * threads may read it at once. */
typedef struct bm_snapshot_ bm_snapshot_;

/* Writes `count` sections as the snapshot `path` covering every log record
 * up to `sequence`: a temporary file "<path>.tmp" is written and fsynced,
 * renamed over `path`, then `directory` (which holds `path`) is fsynced.
 * On failure the temporary file is removed and `path` is untouched. */
bm_status bm_snapshot_write_(const char *directory, const char *path, uint64_t sequence,
                             const bm_snapshot_section_ *sections, size_t count, const bm_file_io_ *io);

/* Loads `path` and verifies the header and every section's CRC, reporting
 * BM_ERR_CORRUPT naming the section. `use_mmap` maps the file read-only
 * (pages come from the page cache, payloads are used in place); otherwise
 * it is read into a page-aligned allocation. */
bm_status bm_snapshot_load_(const char *path, int use_mmap, bm_snapshot_ **out);

uint64_t bm_snapshot_sequence_(const bm_snapshot_ *snapshot);
size_t bm_snapshot_section_count_(const bm_snapshot_ *snapshot);
/* Section `index` (< count); its data stays valid until bm_snapshot_free_. */
const bm_snapshot_section_ *bm_snapshot_section_at_(const bm_snapshot_ *snapshot, size_t index);
/* First section with `tag`, or NULL. */
const bm_snapshot_section_ *bm_snapshot_find_(const bm_snapshot_ *snapshot, uint32_t tag);

/* Accepts NULL. */
void bm_snapshot_free_(bm_snapshot_ *snapshot);

#endif
