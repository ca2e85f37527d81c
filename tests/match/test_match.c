/* Matcher tests on synthetic templates (random minutiae with a minimum
 * spacing, as a print has); test_match_fvc.c covers real templates. */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/biomatch.h"
#include "match/match_internal.h"
#include "match_fixtures.h"
#include "test_support.h"

#define PI_ 3.14159265358979323846

static unsigned rng_state_ = 12345u;
static double uniform(void) { return match_fixture_uniform(&rng_state_); }

/* count ridge endings of quality 60 over a 300 x 400 px area around (cx, cy), at least 12 px apart. */
static bm_template *synthetic(size_t count, double cx, double cy) {
  bm_minutia m[BM_MAX_MINUTIAE];
  return match_fixture_template(m, match_fixture_minutiae(&rng_state_, m, count, cx, cy, 60, false));
}

/* A copy rotated by `degrees` about (cx, cy) and shifted, optionally with
 * position jitter, `drop` minutiae removed and `add` spurious ones. */
static bm_template *transformed(const bm_template *source, double degrees, double dx, double dy, double jitter,
                                size_t drop, size_t add) {
  const size_t count = bm_template_minutia_count(source);
  const bm_minutia *in = bm_template_minutiae(source);
  bm_minutia out[BM_MAX_MINUTIAE];
  double cx = 0, cy = 0;
  for (size_t i = 0; i < count; ++i) {
    cx += in[i].x;
    cy += in[i].y;
  }
  cx /= count;
  cy /= count;
  /* Angles turn counter-clockwise on screen, with y downwards. */
  const double r = degrees * PI_ / 180, c = cos(r), s = sin(r);
  size_t n = 0;
  for (size_t i = drop; i < count; ++i) {
    const double x = in[i].x - cx, y = in[i].y - cy;
    out[n] = in[i];
    out[n].x = (uint16_t)lround(cx + dx + x * c + y * s + (uniform() - 0.5) * 2 * jitter);
    out[n].y = (uint16_t)lround(cy + dy - x * s + y * c + (uniform() - 0.5) * 2 * jitter);
    out[n].angle = (float)fmod(in[i].angle + degrees + 720.0, 360.0);
    if (out[n].angle >= 360.0f) out[n].angle = 0;
    ++n;
  }
  for (size_t i = 0; i < add; ++i) {
    memset(&out[n], 0, sizeof out[n]);
    out[n].x = (uint16_t)lround(cx + dx + (uniform() - 0.5) * 300);
    out[n].y = (uint16_t)lround(cy + dy + (uniform() - 0.5) * 400);
    out[n].angle = (float)(uniform() * 359);
    ++n;
  }
  return match_fixture_template(out, n);
}

static float score_of(const bm_template *a, const bm_template *b) { return match_fixture_score(a, b); }

static uint8_t *prepared(const bm_template *tpl, size_t *size) {
  ck_assert_int_eq(bm_prepare_template(tpl, NULL, 0, size), BM_OK);
  uint8_t *blob = malloc(*size);
  ck_assert_int_eq(bm_prepare_template(tpl, blob, *size, size), BM_OK);
  return blob;
}

START_TEST(identical_high_unrelated_low) {
  bm_template *a = synthetic(40, 1000, 1000), *b = synthetic(40, 1000, 1000);
  const float same = score_of(a, a), other = score_of(a, b);
  ck_assert_msg(same > 0.3f, "identical score %f", same);
  ck_assert_msg(other < same / 4, "unrelated %f vs identical %f", other, same);
  bm_template_free(a);
  bm_template_free(b);
}
END_TEST

START_TEST(rotation_and_translation_invariance) {
  bm_template *a = synthetic(40, 1000, 1000);
  const float reference = score_of(a, a);
  for (int trial = 0; trial < 12; ++trial) {
    const double degrees = uniform() * 360, dx = (uniform() - 0.5) * 400, dy = (uniform() - 0.5) * 400;
    bm_template *b = transformed(a, degrees, dx, dy, 0, 0, 0);
    const float score = score_of(a, b);
    /* Only coordinate rounding to whole pixels differs. */
    ck_assert_msg(fabsf(score - reference) < 0.15f * reference, "rotation %.1f shift (%.0f,%.0f): %f vs %f", degrees,
                  dx, dy, score, reference);
    bm_template_free(b);
  }
  bm_template_free(a);
}
END_TEST

START_TEST(distortion_missing_and_spurious_minutiae) {
  bm_template *a = synthetic(45, 1000, 1000), *unrelated = synthetic(45, 1000, 1000);
  bm_template *b = transformed(a, 137, 30, -20, 3, 10, 8);
  const float genuine = score_of(a, b), impostor = score_of(a, unrelated);
  ck_assert_msg(genuine > 3 * impostor, "genuine %f impostor %f", genuine, impostor);
  bm_template_free(a);
  bm_template_free(b);
  bm_template_free(unrelated);
}
END_TEST

START_TEST(symmetric_and_deterministic) {
  bm_template *a = synthetic(40, 1000, 1000);
  bm_template *b = transformed(a, 50, 10, 10, 3, 6, 5);
  const float ab = score_of(a, b), ba = score_of(b, a), again = score_of(a, b);
  ck_assert_msg(fabsf(ab - ba) <= 0.1f * (ab > ba ? ab : ba), "ab %f ba %f", ab, ba);
  ck_assert(memcmp(&ab, &again, sizeof ab) == 0);
  bm_template_free(a);
  bm_template_free(b);
}
END_TEST

START_TEST(few_minutiae_probe) {
  /* Latent-style: the 12 minutiae closest to one point of the print. */
  bm_template *full = synthetic(50, 1000, 1000), *other = synthetic(50, 1000, 1000);
  const bm_minutia *m = bm_template_minutiae(full);
  size_t order[BM_MAX_MINUTIAE], n = bm_template_minutia_count(full);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  const double px = m[0].x, py = m[0].y;
  for (size_t i = 1; i < n; ++i)
    for (size_t j = i; j > 0 && hypot(m[order[j]].x - px, m[order[j]].y - py) < hypot(m[order[j - 1]].x - px, m[order[j - 1]].y - py); --j) {
      size_t t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  bm_minutia subset[12];
  for (size_t i = 0; i < 12; ++i) subset[i] = m[order[i]];
  bm_template *latent = NULL;
  ck_assert_int_eq(bm_template_create(&latent), BM_OK);
  ck_assert_int_eq(bm_template_set_minutiae(latent, subset, 12), BM_OK);
  bm_template *moved = transformed(latent, 200, 40, 40, 2, 0, 0);
  const float mate = score_of(moved, full), nonmate = score_of(moved, other);
  ck_assert_msg(mate > 0.05f && mate > 3 * nonmate, "mate %f non-mate %f", mate, nonmate);
  bm_template_free(full);
  bm_template_free(other);
  bm_template_free(latent);
  bm_template_free(moved);
}
END_TEST

START_TEST(resolution_is_normalised) {
  bm_template *a = synthetic(40, 500, 500);
  const bm_minutia *m = bm_template_minutiae(a);
  bm_minutia scaled[BM_MAX_MINUTIAE];
  const size_t n = bm_template_minutia_count(a);
  for (size_t i = 0; i < n; ++i) {
    scaled[i] = m[i];
    scaled[i].x = (uint16_t)(m[i].x * 2);
    scaled[i].y = (uint16_t)(m[i].y * 2);
  }
  bm_template *b = NULL;
  ck_assert_int_eq(bm_template_create(&b), BM_OK);
  ck_assert_int_eq(bm_template_set_image(b, 0, 0, 1000, 1000), BM_OK);
  ck_assert_int_eq(bm_template_set_minutiae(b, scaled, n), BM_OK);
  const float same = score_of(a, a), across = score_of(a, b);
  ck_assert_msg(fabsf(same - across) < 0.1f * same, "500 ppi %f vs 1000 ppi %f", same, across);
  bm_template_free(a);
  bm_template_free(b);
}
END_TEST

START_TEST(prepared_blob_round_trip) {
  bm_template *a = synthetic(40, 1000, 1000), *b = transformed(a, 33, 5, 5, 2, 4, 4);
  size_t size_a, size_b;
  uint8_t *blob_a = prepared(a, &size_a), *blob_b = prepared(b, &size_b);
  ck_assert_uint_eq(size_a, bm_prepared_size(bm_prepared_cylinder_count(blob_a, size_a)));
  ck_assert_int_eq(bm_prepared_check(blob_a, size_a), BM_OK);
  /* Moved to an odd address inside a larger shard: position-independent. */
  uint8_t *shard = malloc(size_a + size_b + 3);
  memcpy(shard + 3, blob_a, size_a);
  memcpy(shard + 3 + size_a, blob_b, size_b);
  bm_probe *from_template = NULL, *from_blob = NULL;
  ck_assert_int_eq(bm_probe_create(a, &from_template), BM_OK);
  ck_assert_int_eq(bm_probe_create_from_prepared(shard + 3, size_a, &from_blob), BM_OK);
  const size_t offsets[2] = {3, 3 + size_a};
  float many[2], one_a, one_b;
  ck_assert_int_eq(bm_match_many(from_blob, shard, size_a + size_b + 3, offsets, 2, many), BM_OK);
  ck_assert_int_eq(bm_match_one(from_template, blob_a, size_a, &one_a), BM_OK);
  ck_assert_int_eq(bm_match_one(from_template, blob_b, size_b, &one_b), BM_OK);
  ck_assert(many[0] == one_a && many[1] == one_b);
  ck_assert(one_a == score_of(a, a));
  bm_probe_free(from_template);
  bm_probe_free(from_blob);
  free(shard);
  free(blob_a);
  free(blob_b);
  bm_template_free(a);
  bm_template_free(b);
}
END_TEST

START_TEST(bad_input_codes) {
  bm_template *a = synthetic(30, 1000, 1000), *empty = NULL;
  ck_assert_int_eq(bm_template_create(&empty), BM_OK);
  size_t size = 0;
  float score;
  bm_probe *probe = NULL;
  ck_assert_int_eq(bm_prepare_template(NULL, NULL, 0, &size), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_prepare_template(empty, NULL, 0, &size), BM_ERR_NO_MINUTIAE);
  ck_assert_int_eq(bm_probe_create(empty, &probe), BM_ERR_NO_MINUTIAE);
  ck_assert_ptr_null(probe);
  ck_assert_int_eq(bm_probe_create(a, NULL), BM_ERR_INVALID_ARGUMENT);
  uint8_t *blob = prepared(a, &size);
  uint8_t small[8];
  size_t needed = 0;
  ck_assert_int_eq(bm_prepare_template(a, small, sizeof small, &needed), BM_ERR_BUFFER_TOO_SMALL);
  ck_assert_uint_eq(needed, size);
  ck_assert_int_eq(bm_probe_create(a, &probe), BM_OK);
  ck_assert_int_eq(bm_match_one(NULL, blob, size, &score), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_match_one(probe, NULL, size, &score), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_match_one(probe, blob, size, NULL), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_match_one(probe, blob, 10, &score), BM_ERR_PREPARED_TRUNCATED);
  ck_assert_int_eq(bm_match_one(probe, blob, size - 1, &score), BM_ERR_PREPARED_TRUNCATED);
  ck_assert_int_eq(bm_prepared_check(blob, size - 1), BM_ERR_PREPARED_TRUNCATED);
  ck_assert_ptr_nonnull(strstr(bm_last_error_message(), "offset 8"));
  uint8_t *copy = malloc(size);
  memcpy(copy, blob, size);
  copy[0] = 'X';
  ck_assert_int_eq(bm_match_one(probe, copy, size, &score), BM_ERR_PREPARED_CORRUPT);
  memcpy(copy, blob, size);
  copy[4] = 9;
  ck_assert_int_eq(bm_prepared_check(copy, size), BM_ERR_TEMPLATE_MISMATCH);
  memcpy(copy, blob, size);
  copy[6] ^= 1; /* count disagrees with the declared size */
  ck_assert_int_eq(bm_prepared_check(copy, size), BM_ERR_PREPARED_CORRUPT);
  memcpy(copy, blob, size);
  copy[size / 2] ^= 0x10; /* damage inside a cylinder: only the checksum sees it */
  ck_assert_int_eq(bm_prepared_check(copy, size), BM_ERR_PREPARED_CORRUPT);
  ck_assert_ptr_nonnull(strstr(bm_last_error_message(), "checksum"));
  bm_probe *bad = NULL;
  ck_assert_int_eq(bm_probe_create_from_prepared(copy, size, &bad), BM_ERR_PREPARED_CORRUPT);
  const size_t offsets[1] = {size};
  ck_assert_int_eq(bm_match_many(probe, blob, size, offsets, 1, &score), BM_ERR_PREPARED_TRUNCATED);
  double fmr_inputs[] = {0, 1, 1e-7, NAN};
  float threshold;
  for (size_t i = 0; i < 4; ++i)
    ck_assert_int_eq(bm_match_fmr_to_threshold(fmr_inputs[i], &threshold), BM_ERR_INVALID_ARGUMENT);
  bm_probe_free(NULL);
  bm_probe_free(probe);
  free(copy);
  free(blob);
  bm_template_free(a);
  bm_template_free(empty);
}
END_TEST

START_TEST(square_root_table_is_exact) {
  for (unsigned n = 0; n <= BM_MCC_MAX_LAYER_BITS; ++n) {
    const float expected = sqrtf((float)n);
    ck_assert_msg(memcmp(&expected, &bm_mcc_square_root_[n], sizeof expected) == 0, "sqrt table entry %u", n);
  }
}
END_TEST

typedef struct tier_ {
  const char *name;
  bm_mcc_similarity_row_fn_ row;
} tier_;

static size_t simd_tiers(tier_ tiers[2]) {
  size_t count = 0;
#if defined(__x86_64__) || defined(__i386__)
  if (bm_isa_is_supported(BM_ISA_AVX2)) tiers[count++] = (tier_){"avx2", bm_mcc_similarity_row_avx2_};
  else fprintf(stderr, "test_match: avx2 not supported here, not compared\n");
  if (bm_isa_is_supported(BM_ISA_AVX512)) tiers[count++] = (tier_){"avx512", bm_mcc_similarity_row_avx512_};
  else fprintf(stderr, "test_match: avx512 not supported here, not compared\n");
#endif
  return count;
}

static uint64_t random_word(void) {
  uint64_t word = 0;
  for (int i = 0; i < 4; ++i) word = word << 16 | (uint64_t)(uniform() * 65536.0);
  return word;
}

START_TEST(kernels_agree_on_random_cylinders) {
  /* Random cylinders (layers inside the validity mask, as prepared ones
   * are, and also outside it), every gallery length 0..41 (tails of the
   * vector blocks), probes at every byte misalignment and planes at every
   * 8-byte offset inside a vector, several minimum_common thresholds: every
   * tier must give the scalar reference's bits and best column. */
  enum { GALLERY = 41 };
  uint8_t probe_bytes[BM_MCC_CYLINDER_BYTES + 8];
  uint8_t gallery[GALLERY * BM_MCC_CYLINDER_BYTES];
  uint64_t plane_buffer[BM_MCC_WORDS * BM_MCC_MAX_STRIDE + 8];
  tier_ tiers[2];
  const size_t tier_count = simd_tiers(tiers);
  const unsigned minimums[] = {0, 20, bm_mcc_minimum_common_cells_(), 64};
  for (int round = 0; round < 40; ++round) {
    const int inside_mask = round % 4 != 3;
    uint64_t words[(GALLERY + 1) * BM_MCC_WORDS];
    for (size_t c = 0; c <= GALLERY; ++c) {
      /* Dense and sparse masks: some pairs pass the common-cell test, some do not. */
      uint64_t mask = random_word() | (round % 2 ? random_word() : ~0ull);
      words[c * BM_MCC_WORDS] = mask;
      for (unsigned w = 1; w < BM_MCC_WORDS; ++w) {
        uint64_t layer = random_word() & random_word() & (uniform() < 0.1 ? 0 : ~0ull);
        words[c * BM_MCC_WORDS + w] = inside_mask ? layer & mask : layer;
      }
    }
    uint8_t *probe = probe_bytes + (size_t)round % 8;
    uint64_t *planes = plane_buffer + (size_t)round % 8;
    memcpy(probe, words, BM_MCC_CYLINDER_BYTES);
    memcpy(gallery, words + BM_MCC_WORDS, GALLERY * BM_MCC_CYLINDER_BYTES);
    for (size_t length = 0; length <= GALLERY; ++length) {
      bm_mcc_gallery_planes_(gallery, length, planes);
      for (size_t j = 0; j < length; ++j) /* the planes hold the cylinders' words */
        ck_assert(planes[3 * bm_mcc_plane_stride_(length) + j] == words[(j + 1) * BM_MCC_WORDS + 3]);
      for (size_t m = 0; m < sizeof minimums / sizeof *minimums; ++m) {
        float expected[GALLERY + 1], got[GALLERY + 1];
        expected[length] = got[length] = -7.0f; /* guard: nothing written past the row */
        const size_t best = bm_mcc_similarity_row_scalar_(probe, planes, length, minimums[m], expected);
        size_t first_largest = length;
        for (size_t j = 0; j < length; ++j) {
          ck_assert(expected[j] >= 0.0f && expected[j] <= 1.0f);
          if (expected[j] > (first_largest < length ? expected[first_largest] : 0.0f)) first_largest = j;
        }
        ck_assert_uint_eq(best, first_largest);
        for (size_t t = 0; t < tier_count; ++t) {
          ck_assert_uint_eq(tiers[t].row(probe, planes, length, minimums[m], got), best);
          ck_assert_msg(memcmp(expected, got, (length + 1) * sizeof *got) == 0,
                        "%s differs: round %d, length %zu, minimum %u", tiers[t].name, round, length, minimums[m]);
        }
      }
    }
  }
}
END_TEST

/* Reference greedy selection: every positive pair sorted by decreasing
 * similarity, then probe-major index; take what is free. */
static const float *reference_similarity_;
static int by_similarity_then_index(const void *left, const void *right) {
  const uint32_t p = *(const uint32_t *)left, q = *(const uint32_t *)right;
  const float a = reference_similarity_[p], b = reference_similarity_[q];
  if (a != b) return a > b ? -1 : 1;
  return p < q ? -1 : p > q;
}

static size_t reference_selection(const float *similarity, size_t na, size_t nb, size_t limit, bm_mcc_pair_ *out) {
  static uint32_t order[BM_MAX_MINUTIAE * BM_MAX_MINUTIAE];
  size_t count = 0;
  for (size_t p = 0; p < na * nb; ++p)
    if (similarity[p] > 0) order[count++] = (uint32_t)p;
  reference_similarity_ = similarity;
  qsort(order, count, sizeof *order, by_similarity_then_index);
  uint8_t used_a[BM_MAX_MINUTIAE] = {0}, used_b[BM_MAX_MINUTIAE] = {0};
  size_t selected = 0;
  for (size_t s = 0; s < count && selected < limit; ++s) {
    const size_t a = order[s] / nb, b = order[s] % nb;
    if (used_a[a] || used_b[b]) continue;
    used_a[a] = used_b[b] = 1;
    out[selected++] = (bm_mcc_pair_){similarity[order[s]], (uint8_t)a, (uint8_t)b};
  }
  return selected;
}

START_TEST(selection_equals_sorted_greedy) {
  /* Random matrices with many ties (few distinct values), zeros, hub
   * columns that many rows prefer, every limit up to min(na, nb): the lazy
   * heap selection must equal the full sort. */
  static float similarity[BM_MAX_MINUTIAE * BM_MAX_MINUTIAE];
  for (int round = 0; round < 200; ++round) {
    const size_t largest = round < 195 ? 50 : 255; /* a few at the maximum template size */
    const size_t na = 1 + (size_t)(uniform() * largest), nb = 1 + (size_t)(uniform() * largest);
    const int levels = 2 + round % 20;
    const size_t hub = (size_t)(uniform() * nb);
    for (size_t i = 0; i < na; ++i)
      for (size_t j = 0; j < nb; ++j) {
        float value = uniform() < 0.2 ? 0.0f : (float)(1 + (int)(uniform() * levels)) / (float)levels;
        if (j == hub && uniform() < 0.5) value = 1.0f;
        similarity[i * nb + j] = value;
      }
    const size_t smaller = na < nb ? na : nb;
    for (size_t limit = 1; limit <= smaller; limit += 1 + smaller / 8) {
      uint8_t row_best[BM_MAX_MINUTIAE];
      for (size_t i = 0; i < na; ++i) {
        size_t best = nb;
        for (size_t j = 0; j < nb; ++j)
          if (similarity[i * nb + j] > (best < nb ? similarity[i * nb + best] : 0.0f)) best = j;
        row_best[i] = best < nb ? (uint8_t)best : 0xFF;
      }
      bm_mcc_pair_ expected[BM_MAX_MINUTIAE], got[BM_MAX_MINUTIAE];
      const size_t expected_count = reference_selection(similarity, na, nb, limit, expected);
      const size_t got_count = bm_mcc_select_pairs_(similarity, na, nb, row_best, limit, got);
      ck_assert_uint_eq(got_count, expected_count);
      for (size_t k = 0; k < got_count; ++k) {
        ck_assert_msg(got[k].a == expected[k].a && got[k].b == expected[k].b && got[k].similarity == expected[k].similarity,
                      "round %d (%zu x %zu, limit %zu): pair %zu is (%u,%u), expected (%u,%u)", round, na, nb, limit, k,
                      got[k].a, got[k].b, expected[k].a, expected[k].b);
      }
    }
  }
}
END_TEST

START_TEST(kernels_agree_bit_exactly) {
  /* Every tier against the scalar reference on real cylinders of many pairs. */
  bm_template *a = synthetic(60, 1000, 1000), *b = transformed(a, 77, 0, 0, 3, 10, 10);
  size_t size_a, size_b;
  uint8_t *blob_a = prepared(a, &size_a), *blob_b = prepared(b, &size_b);
  bm_mcc_probe_ pa;
  bm_prepared_view_ vb;
  ck_assert_int_eq(bm_prepared_view_make_(blob_a, size_a, &pa.view), BM_OK);
  ck_assert_int_eq(bm_mcc_probe_init_(&pa), BM_OK);
  ck_assert_int_eq(bm_prepared_view_make_(blob_b, size_b, &vb), BM_OK);
  ck_assert_uint_gt(pa.view.count, 40);
  tier_ tiers[2];
  const size_t tier_count = simd_tiers(tiers);
  float reference_score;
  ck_assert_int_eq(bm_mcc_compare_(&pa, &vb, bm_mcc_similarity_row_scalar_, &reference_score), BM_OK);
  ck_assert(reference_score > 0.1f);
  size_t positive = 0;
  for (size_t t = 0; t < tier_count; ++t) {
    uint64_t planes[BM_MCC_WORDS * BM_MCC_MAX_STRIDE];
    bm_mcc_gallery_planes_(vb.cylinders, vb.count, planes);
    for (size_t i = 0; i < pa.view.count; ++i) {
      float expected[BM_MAX_MINUTIAE], got[BM_MAX_MINUTIAE];
      bm_mcc_similarity_row_scalar_(pa.view.cylinders + BM_MCC_CYLINDER_BYTES * i, planes, vb.count,
                                    bm_mcc_minimum_common_cells_(), expected);
      tiers[t].row(pa.view.cylinders + BM_MCC_CYLINDER_BYTES * i, planes, vb.count, bm_mcc_minimum_common_cells_(),
                   got);
      ck_assert_msg(memcmp(expected, got, vb.count * sizeof *got) == 0, "%s differs on row %zu", tiers[t].name, i);
      for (size_t j = 0; j < vb.count; ++j) positive += expected[j] > 0;
    }
    float score;
    ck_assert_int_eq(bm_mcc_compare_(&pa, &vb, tiers[t].row, &score), BM_OK);
    ck_assert(memcmp(&score, &reference_score, sizeof score) == 0);
  }
  if (tier_count) ck_assert_uint_gt(positive, 100);
  bm_mcc_probe_release_(&pa);
  free(blob_a);
  free(blob_b);
  bm_template_free(a);
  bm_template_free(b);
}
END_TEST

typedef struct thread_job {
  const bm_probe *probe;
  const uint8_t *packed;
  size_t packed_size, count;
  const size_t *offsets;
  float scores[8];
  bm_status status;
} thread_job;

static void *run_job(void *argument) {
  thread_job *job = argument;
  for (int repeat = 0; repeat < 20 && job->status == BM_OK; ++repeat)
    job->status = bm_match_many(job->probe, job->packed, job->packed_size, job->offsets, job->count, job->scores);
  return NULL;
}

START_TEST(threads_share_one_probe) {
  enum { GALLERY = 8, THREADS = 4 };
  bm_template *a = synthetic(40, 1000, 1000);
  uint8_t *packed = NULL;
  size_t packed_size = 0, offsets[GALLERY];
  for (int g = 0; g < GALLERY; ++g) {
    bm_template *t = g % 2 ? synthetic(40, 1000, 1000) : transformed(a, g * 40.0, 0, 0, 2, 3, 3);
    size_t size;
    uint8_t *blob = prepared(t, &size);
    packed = realloc(packed, packed_size + size);
    memcpy(packed + packed_size, blob, size);
    offsets[g] = packed_size;
    packed_size += size;
    free(blob);
    bm_template_free(t);
  }
  bm_probe *probe = NULL;
  ck_assert_int_eq(bm_probe_create(a, &probe), BM_OK);
  float expected[GALLERY];
  ck_assert_int_eq(bm_match_many(probe, packed, packed_size, offsets, GALLERY, expected), BM_OK);
  thread_job jobs[THREADS];
  pthread_t threads[THREADS];
  for (int t = 0; t < THREADS; ++t) {
    jobs[t] = (thread_job){probe, packed, packed_size, GALLERY, offsets, {0}, BM_OK};
    ck_assert_int_eq(pthread_create(&threads[t], NULL, run_job, &jobs[t]), 0);
  }
  for (int t = 0; t < THREADS; ++t) {
    pthread_join(threads[t], NULL);
    ck_assert_int_eq(jobs[t].status, BM_OK);
    ck_assert(memcmp(jobs[t].scores, expected, sizeof expected) == 0);
  }
  bm_probe_free(probe);
  free(packed);
  bm_template_free(a);
}
END_TEST

START_TEST(calibration_is_monotone) {
  const double rates[] = {1e-2, 1e-3, 1e-4, 1e-5, 1e-6};
  float previous = 0;
  for (size_t i = 0; i < 5; ++i) {
    float threshold;
    ck_assert_int_eq(bm_match_fmr_to_threshold(rates[i], &threshold), BM_OK);
    ck_assert_msg(threshold > previous, "threshold for %g: %f not above %f", rates[i], threshold, previous);
    ck_assert_msg(bm_match_score_to_fmr(threshold) <= rates[i] * 1.01, "fmr at threshold %g for target %g",
                  bm_match_score_to_fmr(threshold), rates[i]);
    previous = threshold;
  }
  ck_assert(bm_match_score_to_fmr(0) == 1.0);
  /* The fitted tail is not followed below the documented floor, and the rate never rises with the score. */
  ck_assert_double_eq(bm_match_score_to_fmr(1.0f), 1e-12);
  double last = 1.0;
  for (float score = 0.0f; score <= 1.0f; score += 1.0f / 256) {
    const double fmr = bm_match_score_to_fmr(score);
    ck_assert_msg(fmr >= 1e-12 && fmr <= last, "fmr %g at score %g after %g", fmr, (double)score, last);
    last = fmr;
  }
}
END_TEST

int main(void) {
  Suite *suite = suite_create("match");
  TCase *core = tcase_create("core");
  tcase_add_test(core, identical_high_unrelated_low);
  tcase_add_test(core, rotation_and_translation_invariance);
  tcase_add_test(core, distortion_missing_and_spurious_minutiae);
  tcase_add_test(core, symmetric_and_deterministic);
  tcase_add_test(core, few_minutiae_probe);
  tcase_add_test(core, resolution_is_normalised);
  tcase_add_test(core, prepared_blob_round_trip);
  tcase_add_test(core, bad_input_codes);
  tcase_add_test(core, square_root_table_is_exact);
  tcase_add_test(core, kernels_agree_on_random_cylinders);
  tcase_add_test(core, kernels_agree_bit_exactly);
  tcase_add_test(core, selection_equals_sorted_greedy);
  tcase_add_test(core, threads_share_one_probe);
  tcase_add_test(core, calibration_is_monotone);
  suite_add_tcase(suite, core);
  return bm_test_run_suite(suite);
}
