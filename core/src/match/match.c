/* Public matching calls: prepared template checks, probes, one and many
 * comparisons, and choice of the cylinder kernel for the active tier. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/bm_kernels.h"
#include "error.h"
#include "match/match_internal.h"

uint32_t bm_prepared_checksum_(const uint8_t *blob, size_t size);

struct bm_probe_s {
  bm_mcc_probe_ mcc; /* view into blob, and the per-probe constants of the consolidation */
  size_t size;
  uint8_t blob[]; /* the probe's own prepared template */
};

bm_mcc_similarity_row_fn_ bm_mcc_similarity_row_active_(void) {
#if defined(__x86_64__) || defined(__i386__)
  switch (bm_active_isa()) {
    case BM_ISA_AVX512:
      return bm_mcc_similarity_row_avx512_;
    case BM_ISA_AVX2:
      return bm_mcc_similarity_row_avx2_;
    default:
      break;
  }
#endif
  return bm_mcc_similarity_row_scalar_;
}

bm_status bm_prepared_view_make_(const void *blob, size_t size, bm_prepared_view_ *view) {
  if (!blob) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "prepared template is NULL");
  const uint8_t *bytes = blob;
  if (size < BM_PREPARED_HEADER_BYTES)
    return bm_fail_(BM_ERR_PREPARED_TRUNCATED, "prepared template of %zu bytes is shorter than its %d-byte header",
                    size, BM_PREPARED_HEADER_BYTES);
  if (bytes[0] != BM_PREPARED_MAGIC_0 || bytes[1] != BM_PREPARED_MAGIC_1 || bytes[2] != BM_PREPARED_MAGIC_2 ||
      bytes[3] != BM_PREPARED_MAGIC_3)
    return bm_fail_(BM_ERR_PREPARED_CORRUPT, "prepared template: bytes 0..3 are not the magic \"BMMC\"");
  const unsigned version = bm_load_u16le_(bytes + 4);
  if (version != BM_PREPARED_VERSION)
    return bm_fail_(BM_ERR_TEMPLATE_MISMATCH, "prepared template: version %u at offset 4, this library reads %d",
                    version, BM_PREPARED_VERSION);
  const size_t count = bm_load_u16le_(bytes + 6);
  const size_t declared = bm_load_u32le_(bytes + 8);
  if (count > BM_MAX_MINUTIAE || declared != bm_prepared_size(count))
    return bm_fail_(BM_ERR_PREPARED_CORRUPT,
                    "prepared template: cylinder count %zu (offset 6) and size %zu (offset 8) disagree", count,
                    declared);
  if (size < declared)
    return bm_fail_(BM_ERR_PREPARED_TRUNCATED, "prepared template declares %zu bytes at offset 8, %zu given",
                    declared, size);
  view->count = count;
  view->geometry = bytes + BM_PREPARED_HEADER_BYTES;
  view->cylinders = view->geometry + BM_MCC_GEOMETRY_BYTES * count;
  return BM_OK;
}

bm_status bm_prepared_check(const void *blob, size_t size) {
  bm_prepared_view_ view = {0, NULL, NULL};
  bm_status status = bm_prepared_view_make_(blob, size, &view);
  if (status != BM_OK) return status;
  const size_t declared = bm_prepared_size(view.count);
  const uint32_t stored = bm_load_u32le_((const uint8_t *)blob + 12);
  const uint32_t computed = bm_prepared_checksum_(blob, declared);
  if (stored != computed)
    return bm_fail_(BM_ERR_PREPARED_CORRUPT, "prepared template: checksum 0x%08x at offset 12, content gives 0x%08x",
                    stored, computed);
  return BM_OK;
}

size_t bm_prepared_cylinder_count(const void *blob, size_t size) {
  if (!blob || size < BM_PREPARED_HEADER_BYTES) return 0;
  return bm_load_u16le_((const uint8_t *)blob + 6);
}

bm_status bm_probe_create_from_prepared(const void *blob, size_t size, bm_probe **out_probe) {
  if (!out_probe) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_probe_create_from_prepared: out_probe is NULL");
  *out_probe = NULL;
  bm_status status = bm_prepared_check(blob, size);
  if (status != BM_OK) return status;
  const size_t declared = bm_prepared_size(bm_prepared_cylinder_count(blob, size));
  bm_probe *probe = malloc(sizeof *probe + declared);
  if (!probe) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "bm_probe_create: %zu bytes", sizeof *probe + declared);
  memcpy(probe->blob, blob, declared);
  probe->size = declared;
  status = bm_prepared_view_make_(probe->blob, declared, &probe->mcc.view);
  if (status == BM_OK) status = bm_mcc_probe_init_(&probe->mcc);
  if (status != BM_OK) {
    free(probe);
    return status;
  }
  *out_probe = probe;
  return BM_OK;
}

bm_status bm_probe_create(const bm_template *tpl, bm_probe **out_probe) {
  if (!out_probe) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_probe_create: out_probe is NULL");
  *out_probe = NULL;
  size_t size = 0;
  bm_status status = bm_prepare_template(tpl, NULL, 0, &size);
  if (status != BM_OK) return status;
  uint8_t *blob = malloc(size);
  if (!blob) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "bm_probe_create: %zu bytes", size);
  status = bm_prepare_template(tpl, blob, size, &size);
  if (status == BM_OK) status = bm_probe_create_from_prepared(blob, size, out_probe);
  free(blob);
  return status;
}

void bm_probe_free(bm_probe *probe) {
  if (!probe) return;
  bm_mcc_probe_release_(&probe->mcc);
  free(probe);
}

bm_status bm_match_one(const bm_probe *probe, const void *blob, size_t size, float *out_score) {
  if (!probe || !out_score)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_match_one: %s is NULL", probe ? "out_score" : "probe");
  bm_prepared_view_ gallery;
  bm_status status = bm_prepared_view_make_(blob, size, &gallery);
  if (status != BM_OK) return status;
  return bm_mcc_compare_(&probe->mcc, &gallery, bm_mcc_similarity_row_active_(), out_score);
}

bm_status bm_match_many(const bm_probe *probe, const void *packed, size_t packed_size, const size_t *offsets,
                        size_t count, float *scores) {
  if (!probe || (count && (!packed || !offsets || !scores)))
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_match_many: probe, packed, offsets or scores is NULL");
  const bm_mcc_similarity_row_fn_ row = bm_mcc_similarity_row_active_();
  for (size_t i = 0; i < count; ++i) {
    if (offsets[i] >= packed_size)
      return bm_fail_(BM_ERR_PREPARED_TRUNCATED, "bm_match_many: template %zu starts at %zu, beyond %zu bytes", i,
                      offsets[i], packed_size);
    bm_prepared_view_ gallery;
    bm_status status = bm_prepared_view_make_((const uint8_t *)packed + offsets[i], packed_size - offsets[i], &gallery);
    if (status == BM_OK) status = bm_mcc_compare_(&probe->mcc, &gallery, row, &scores[i]);
    if (status != BM_OK) {
      char message[256];
      snprintf(message, sizeof message, "%s", bm_last_error_message());
      return bm_fail_(status, "bm_match_many: template %zu: %s", i, message);
    }
  }
  return BM_OK;
}

bm_status bm_match_templates(const bm_template *a, const bm_template *b, float *out_score) {
  if (!a || !b || !out_score) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_match_templates: NULL argument");
  bm_probe *probe = NULL;
  bm_status status = bm_probe_create(a, &probe);
  if (status != BM_OK) return status;
  size_t size = 0;
  status = bm_prepare_template(b, NULL, 0, &size);
  uint8_t *blob = status == BM_OK ? malloc(size) : NULL;
  if (status == BM_OK && !blob) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "bm_match_templates: %zu bytes", size);
  if (status == BM_OK) status = bm_prepare_template(b, blob, size, &size);
  if (status == BM_OK) status = bm_match_one(probe, blob, size, out_score);
  free(blob);
  bm_probe_free(probe);
  return status;
}
