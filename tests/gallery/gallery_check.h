/* Check helpers shared by the gallery API tests (test_gallery.c,
 * test_gallery_faces.c): a call that must succeed, and a memory gallery. */
#ifndef BIOMATCH_TESTS_GALLERY_CHECK_H
#define BIOMATCH_TESTS_GALLERY_CHECK_H

#include <check.h>
#include <stdint.h>

#include "biomatch/bm_gallery.h"

/* The call must return BM_OK; otherwise the test fails naming the call, the
 * code and the library's message. */
#define OK(call)                                                                                            \
  do {                                                                                                      \
    bm_status status_ = (call);                                                                             \
    ck_assert_msg(status_ == BM_OK, "%s: %s %s", #call, bm_error_name(status_), bm_last_error_message()); \
  } while (0)

/* An empty memory-only gallery of `shards` shards and, when
 * `face_dimension` is not 0, faces of that dimension in `storage`. */
bm_gallery *gc_memory_gallery(uint32_t shards, uint32_t face_dimension, bm_face_storage storage);

#endif
