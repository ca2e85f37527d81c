/* A rank's records as one byte block, the payload of the deduplication
 * ring: ids, prepared finger templates (the gallery's stored form, as
 * returned by bm_gallery_record_prepared()) and normalised face embeddings.
 *
 * Layout (host byte order: ranks of one job share an architecture), every
 * field starting on a 64-byte boundary of the block so blobs and faces can
 * be used in place (the block itself is 64-byte aligned):
 *   u32 magic "BMRB", u32 record count, u32 face dimension, pad to 64
 *   per record, ids ascending (bytewise):
 *     u8 id length, id bytes, u16 finger mask (bit p: position p), pad to 64
 *     per finger (positions ascending): u32 blob size, pad to 64, blob, pad to 64
 *     when the face dimension is non-zero: u8 face count (0..BM_GALLERY_MAX_FACES),
 *       pad to 64, then that many embeddings of face_dimension floats, each
 *       padded to 64
 * A received block is checked completely before use (bm_mpi_records_parse_). */
#ifndef BIOMATCH_MPI_RECORDS_H
#define BIOMATCH_MPI_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "biomatch/bm_gallery.h"

enum { BM_MPI_RECORD_ALIGN_ = 64 };

/* One record inside a block (pointers into the block). */
typedef struct bm_mpi_record_view_ {
  const char *id; /* points at a NUL-terminated copy held by the view array */
  char id_storage[BM_GALLERY_MAX_ID_BYTES + 1];
  uint16_t finger_mask;
  const uint8_t *blobs[BM_GALLERY_MAX_POSITION + 1];
  uint32_t blob_sizes[BM_GALLERY_MAX_POSITION + 1];
  const float *faces;     /* face_count embeddings, one every face_stride floats; NULL when none */
  unsigned face_count;
  size_t face_stride;
} bm_mpi_record_view_;

/* Packs every live record of `gallery`, ids ascending, into a new 64-byte
 * aligned block (free with free()). face_dimension is the gallery's.
 * Thread-safe as the gallery calls it makes; a write racing with the walk
 * may be seen or missed (callers run it while no writes are issued). */
bm_status bm_mpi_records_pack_(bm_gallery *gallery, uint32_t face_dimension, uint8_t **out_block, size_t *out_size,
                               size_t *out_count);

/* Checks a block completely (bounds, magic, id lengths and order, finger
 * positions, every blob with bm_prepared_check(), the face dimension equal
 * to `face_dimension`, faces finite) and returns a malloc'd array of views
 * into it. Damage is BM_ERR_CORRUPT naming the byte offset. Thread-safe. */
bm_status bm_mpi_records_parse_(const uint8_t *block, size_t size, uint32_t face_dimension,
                                bm_mpi_record_view_ **out_views, size_t *out_count);

#endif
