/* Check helpers shared by the gallery API tests (gallery_check.h). */
#include "gallery_check.h"

bm_gallery *gc_memory_gallery(uint32_t shards, uint32_t face_dimension, bm_face_storage storage) {
  bm_gallery_options options;
  bm_gallery_options_init(&options);
  options.shard_count = shards;
  options.face_dimension = face_dimension;
  options.face_storage = storage;
  bm_gallery *g = NULL;
  OK(bm_gallery_create(&options, &g));
  return g;
}
