/* Prefilter codes: invariance to rotation, translation and resolution,
 * partial prints, determinism, identical scans on every instruction-set
 * tier, selection against a sorting reference, bad input. Templates are
 * synthetic (a smooth orientation field, minutiae at least a ridge period
 * apart), so the test needs no data. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/biomatch.h"
#include "prefilter/prefilter_internal.h"
#include "test_support.h"

#define PI_ 3.14159265358979323846

enum { CANVAS = 800, OTHERS = 60 };

static uint64_t rng_state;
static uint64_t next_random(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}
static double uniform(void) { return (double)(next_random() >> 11) / 9007199254740992.0; }

/* A synthetic finger: `count` minutiae in a 300 x 400 px area centred on
 * the canvas, 12 px apart at least, directions from a loop-like orientation
 * field plus noise, endings and bifurcations pointing either way. */
static bm_template *synthetic_finger(uint64_t seed, size_t count) {
  rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
  bm_template *tpl = NULL;
  ck_assert_int_eq(bm_template_create(&tpl), BM_OK);
  ck_assert_int_eq(bm_template_set_image(tpl, CANVAS, CANVAS, 500, 500), BM_OK);
  const double core_x = CANVAS / 2 + (uniform() - 0.5) * 80, core_y = CANVAS / 2 + (uniform() - 0.5) * 80;
  const double twist = uniform() * PI_;
  bm_minutia placed[BM_MAX_MINUTIAE];
  size_t n = 0;
  for (int attempt = 0; n < count && attempt < 100000; ++attempt) {
    const double x = CANVAS / 2 - 150 + uniform() * 300, y = CANVAS / 2 - 200 + uniform() * 400;
    int crowded = 0;
    for (size_t i = 0; i < n && !crowded; ++i) crowded = hypot(placed[i].x - x, placed[i].y - y) < 12;
    if (crowded) continue;
    double angle = 0.5 * atan2(y - core_y, x - core_x) + twist + (uniform() - 0.5) * 0.3;
    if (next_random() & 1) angle += PI_;
    angle = fmod(angle * 180 / PI_ + 720, 360);
    if (angle >= 360) angle = 0;
    placed[n] = (bm_minutia){(uint16_t)x, (uint16_t)y, (float)angle, (uint8_t)(1 + (next_random() & 1)), 60, {0, 0}};
    ++n;
  }
  ck_assert_int_eq(bm_template_set_minutiae(tpl, placed, n), BM_OK);
  return tpl;
}

/* A copy of `source` (image size and resolution included) holding the `n` minutiae `m` instead of its own. */
static bm_template *with_minutiae(const bm_template *source, const bm_minutia *m, size_t n) {
  bm_template *tpl = NULL;
  ck_assert_int_eq(bm_template_clone(source, &tpl), BM_OK);
  ck_assert_int_eq(bm_template_set_minutiae(tpl, m, n), BM_OK);
  return tpl;
}

/* Rotates by `degrees` counter-clockwise on screen about the canvas centre, then shifts. */
static bm_template *moved(const bm_template *source, double degrees, double dx, double dy) {
  const size_t count = bm_template_minutia_count(source);
  const bm_minutia *m = bm_template_minutiae(source);
  bm_minutia out[BM_MAX_MINUTIAE];
  const double a = degrees * PI_ / 180, c = cos(a), s = sin(a), centre = CANVAS / 2.0;
  for (size_t i = 0; i < count; ++i) {
    const double x = m[i].x - centre, y = m[i].y - centre;
    out[i] = m[i];
    out[i].x = (uint16_t)lround(centre + x * c + y * s + dx);
    out[i].y = (uint16_t)lround(centre - x * s + y * c + dy);
    double angle = fmod(m[i].angle + degrees, 360.0);
    out[i].angle = (float)(angle >= 360 ? 0 : angle);
  }
  return with_minutiae(source, out, count);
}

static size_t code_bytes(void) { return bm_prefilter_code_bytes_(); }

static uint8_t *encode_new(const bm_template *tpl) {
  uint8_t *code = aligned_alloc(BM_PREFILTER_CODE_ALIGNMENT, code_bytes());
  ck_assert_ptr_nonnull(code);
  ck_assert_int_eq(bm_prefilter_encode_(tpl, code), BM_OK);
  return code;
}

/* Gallery: codes of OTHERS unrelated synthetic fingers followed by `mate`'s code.
 * Returns the mate's rank (1 = best) by scan similarity, ties against it. */
static size_t rank_of_mate(const bm_template *probe, const bm_template *mate) {
  const size_t bytes = code_bytes();
  uint8_t *codes = aligned_alloc(BM_PREFILTER_CODE_ALIGNMENT, (OTHERS + 1) * bytes);
  ck_assert_ptr_nonnull(codes);
  for (size_t i = 0; i < OTHERS; ++i) {
    bm_template *other = synthetic_finger(1000 + i, 30 + i % 25);
    ck_assert_int_eq(bm_prefilter_encode_(other, codes + i * bytes), BM_OK);
    bm_template_free(other);
  }
  ck_assert_int_eq(bm_prefilter_encode_(mate, codes + OTHERS * bytes), BM_OK);
  uint8_t *probe_code = encode_new(probe);
  uint32_t similarities[OTHERS + 1];
  ck_assert_int_eq(bm_prefilter_scan_(probe_code, codes, OTHERS + 1, similarities), BM_OK);
  size_t rank = 1;
  for (size_t i = 0; i < OTHERS; ++i) rank += similarities[i] >= similarities[OTHERS];
  ck_assert_uint_gt(similarities[OTHERS], 0);
  free(probe_code);
  free(codes);
  return rank;
}

/* Fraction of the reference code's bits that the other code also sets. */
static double shared_fraction(const uint8_t *reference, const uint8_t *other) {
  unsigned both = 0, ones = 0;
  for (size_t i = 0; i < BM_PREFILTER_FEATURE_BYTES; ++i) {
    both += (unsigned)__builtin_popcount(reference[i] & other[i]);
    ones += (unsigned)__builtin_popcount(reference[i]);
  }
  return ones ? (double)both / ones : 0;
}

START_TEST(test_layout) {
  ck_assert_uint_eq(code_bytes() % BM_PREFILTER_CODE_ALIGNMENT, 0);
  ck_assert_uint_eq(code_bytes(), 512);
  ck_assert_uint_ge(bm_prefilter_code_version_(), 1);
  bm_template *tpl = synthetic_finger(1, 40);
  uint8_t *code = encode_new(tpl);
  unsigned ones = 0;
  for (size_t i = 0; i < BM_PREFILTER_FEATURE_BYTES; ++i) ones += (unsigned)__builtin_popcount(code[i]);
  ck_assert_uint_eq(bm_prefilter_code_ones_(code), ones);
  /* A 40-minutia finger sets a useful share of the bits: neither empty nor saturated. */
  ck_assert_uint_gt(ones, BM_PREFILTER_FEATURE_BITS / 20);
  ck_assert_uint_lt(ones, BM_PREFILTER_FEATURE_BITS / 2);
  free(code);
  bm_template_free(tpl);
}
END_TEST

START_TEST(test_deterministic) {
  bm_template *tpl = synthetic_finger(2, 45);
  bm_template *copy = NULL;
  ck_assert_int_eq(bm_template_clone(tpl, &copy), BM_OK);
  uint8_t *a = encode_new(tpl), *b = encode_new(copy);
  ck_assert_mem_eq(a, b, code_bytes());
  /* The order of the minutiae in the record does not matter either. */
  bm_minutia reversed[BM_MAX_MINUTIAE];
  const size_t count = bm_template_minutia_count(tpl);
  for (size_t i = 0; i < count; ++i) reversed[i] = bm_template_minutiae(tpl)[count - 1 - i];
  ck_assert_int_eq(bm_template_set_minutiae(copy, reversed, count), BM_OK);
  uint8_t *c = encode_new(copy);
  ck_assert_mem_eq(a, c, code_bytes());
  free(a);
  free(b);
  free(c);
  bm_template_free(tpl);
  bm_template_free(copy);
}
END_TEST

START_TEST(test_rotation_translation_invariance) {
  static const double angles[] = {0, 17, 90, 180, 243, 331};
  for (size_t k = 0; k < sizeof angles / sizeof *angles; ++k) {
    bm_template *tpl = synthetic_finger(3 + k, 40);
    bm_template *turned = moved(tpl, angles[k], (double)(k * 37 % 101) - 50, (double)(k * 53 % 89) - 44);
    uint8_t *a = encode_new(tpl), *b = encode_new(turned);
    /* Only pixel rounding moves the features: almost every bit survives
     * (0.97 measured at 17, 243 and 331 degrees; 0.64 for a code without
     * the rotation normalisation). */
    ck_assert_double_gt(shared_fraction(a, b), 0.9);
    ck_assert_uint_eq(rank_of_mate(turned, tpl), 1);
    free(a);
    free(b);
    bm_template_free(tpl);
    bm_template_free(turned);
  }
}
END_TEST

START_TEST(test_resolution_normalised) {
  /* The same finger captured at 1000 ppi: twice the pixel coordinates. */
  bm_template *tpl = synthetic_finger(11, 40);
  bm_template *fine = NULL;
  ck_assert_int_eq(bm_template_create(&fine), BM_OK);
  ck_assert_int_eq(bm_template_set_image(fine, 2 * CANVAS, 2 * CANVAS, 1000, 1000), BM_OK);
  const size_t count = bm_template_minutia_count(tpl);
  bm_minutia doubled[BM_MAX_MINUTIAE];
  for (size_t i = 0; i < count; ++i) {
    doubled[i] = bm_template_minutiae(tpl)[i];
    doubled[i].x = (uint16_t)(2 * doubled[i].x);
    doubled[i].y = (uint16_t)(2 * doubled[i].y);
  }
  ck_assert_int_eq(bm_template_set_minutiae(fine, doubled, count), BM_OK);
  uint8_t *a = encode_new(tpl), *b = encode_new(fine);
  ck_assert_mem_eq(a, b, code_bytes());
  free(a);
  free(b);
  bm_template_free(tpl);
  bm_template_free(fine);
}
END_TEST

START_TEST(test_partial_print) {
  /* The left half of the finger (a partial capture, rotated and shifted)
   * still finds the full print first among unrelated fingers. */
  bm_template *tpl = synthetic_finger(21, 50);
  const size_t count = bm_template_minutia_count(tpl);
  bm_minutia kept[BM_MAX_MINUTIAE];
  size_t n = 0;
  for (size_t i = 0; i < count; ++i)
    if (bm_template_minutiae(tpl)[i].x < CANVAS / 2) kept[n++] = bm_template_minutiae(tpl)[i];
  ck_assert_uint_ge(n, 15);
  bm_template *half = with_minutiae(tpl, kept, n);
  bm_template *turned = moved(half, 40, 30, -20);
  ck_assert_uint_eq(rank_of_mate(turned, tpl), 1);
  /* And the other way round: the partial print enrolled, the full one searched. */
  ck_assert_uint_eq(rank_of_mate(tpl, turned), 1);
  bm_template_free(tpl);
  bm_template_free(half);
  bm_template_free(turned);
}
END_TEST

START_TEST(test_noisy_mate) {
  /* A mate with 20% of minutiae dropped, spurious ones added and every
   * position jittered by up to 3 px still ranks first. */
  bm_template *tpl = synthetic_finger(31, 45);
  const size_t count = bm_template_minutia_count(tpl);
  bm_minutia noisy[BM_MAX_MINUTIAE];
  size_t n = 0;
  rng_state = 77;
  for (size_t i = 0; i < count; ++i) {
    if (i % 5 == 0) continue;
    noisy[n] = bm_template_minutiae(tpl)[i];
    noisy[n].x = (uint16_t)(noisy[n].x + (int)(next_random() % 7) - 3);
    noisy[n].y = (uint16_t)(noisy[n].y + (int)(next_random() % 7) - 3);
    ++n;
  }
  for (int i = 0; i < 6; ++i)
    noisy[n++] = (bm_minutia){(uint16_t)(250 + next_random() % 300), (uint16_t)(200 + next_random() % 400),
                              (float)(next_random() % 360), 1, 50, {0, 0}};
  bm_template *mate = with_minutiae(tpl, noisy, n);
  ck_assert_uint_eq(rank_of_mate(mate, tpl), 1);
  bm_template_free(tpl);
  bm_template_free(mate);
}
END_TEST

START_TEST(test_few_minutiae) {
  /* One minutia forms no pair and no cylinder: a valid code that scores 0. */
  bm_template *tpl = NULL;
  ck_assert_int_eq(bm_template_create(&tpl), BM_OK);
  const bm_minutia one = {100, 100, 45.0f, 1, 50, {0, 0}};
  ck_assert_int_eq(bm_template_add_minutia(tpl, &one), BM_OK);
  uint8_t *code = encode_new(tpl);
  ck_assert_uint_eq(bm_prefilter_code_ones_(code), 0);
  bm_template *other = synthetic_finger(5, 40);
  uint8_t *other_code = encode_new(other);
  uint32_t similarity = 7;
  ck_assert_int_eq(bm_prefilter_scan_(code, other_code, 1, &similarity), BM_OK);
  ck_assert_uint_eq(similarity, 0);
  ck_assert_int_eq(bm_prefilter_scan_(other_code, code, 1, &similarity), BM_OK);
  ck_assert_uint_eq(similarity, 0);
  free(code);
  free(other_code);
  bm_template_free(tpl);
  bm_template_free(other);
}
END_TEST

/* Independent reference of the scan: plain popcounts and the z-score. */
static uint32_t reference_similarity(const uint8_t *probe, const uint8_t *row) {
  unsigned p = 0, r = 0, both = 0;
  for (size_t i = 0; i < BM_PREFILTER_FEATURE_BYTES; ++i) {
    p += (unsigned)__builtin_popcount(probe[i]);
    r += (unsigned)__builtin_popcount(row[i]);
    both += (unsigned)__builtin_popcount(probe[i] & row[i]);
  }
  if (p == 0 || r == 0 || r >= BM_PREFILTER_FEATURE_BITS) return 0;
  const double q = (double)r / BM_PREFILTER_FEATURE_BITS;
  const double z = ((double)both - p * q) / sqrt(p * q * (1 - q));
  if (!(z > 0)) return 0;
  return (uint32_t)(z * 1024.0 + 0.5);
}

static void random_code(uint8_t *code, unsigned density_percent) {
  memset(code, 0, code_bytes());
  unsigned ones = 0;
  for (unsigned bit = 0; bit < BM_PREFILTER_FEATURE_BITS; ++bit)
    if (next_random() % 100 < density_percent) {
      code[bit / 8] |= (uint8_t)(1u << (bit % 8));
      ++ones;
    }
  for (int i = 0; i < 4; ++i) code[BM_PREFILTER_FEATURE_BYTES + i] = (uint8_t)(ones >> (8 * i));
  code[BM_PREFILTER_FEATURE_BYTES + 4] = BM_PREFILTER_VERSION;
}

START_TEST(test_scan_tiers_match_reference) {
  /* 9,223 rows: full blocks of the scan and an odd remainder, enough for
   * the tabulated path (8,192 rows and more); the split calls below take
   * the inline path for the first 1,000. The probe sits at an odd address
   * (it may), the rows on 8 bytes only. */
  const size_t rows = 9223, bytes = code_bytes();
  uint8_t *codes = malloc(rows * bytes + 8);
  uint8_t *probe_buffer = malloc(bytes + 3);
  ck_assert_ptr_nonnull(codes);
  ck_assert_ptr_nonnull(probe_buffer);
  uint8_t *rows_at = codes + ((uintptr_t)codes % 64 == 0 ? 8 : 0);
  uint8_t *probe = probe_buffer + 3;
  rng_state = 12345;
  random_code(probe, 22);
  for (size_t r = 0; r < rows; ++r) random_code(rows_at + r * bytes, (unsigned)(r % 7 == 0 ? 0 : 5 + r % 40));
  memcpy(rows_at + 17 * bytes, probe, bytes); /* an identical row */
  uint32_t *expected = malloc(rows * sizeof *expected), *got = malloc(rows * sizeof *got);
  for (size_t r = 0; r < rows; ++r) expected[r] = reference_similarity(probe, rows_at + r * bytes);
  ck_assert_uint_gt(expected[17], expected[18]);
  const bm_isa original = bm_active_isa();
  static const bm_isa tiers[] = {BM_ISA_SCALAR, BM_ISA_AVX2, BM_ISA_AVX512, BM_ISA_NEON};
  int tested = 0;
  for (size_t t = 0; t < sizeof tiers / sizeof *tiers; ++t) {
    if (!bm_isa_is_supported(tiers[t])) continue;
    ck_assert_int_eq(bm_force_isa(tiers[t]), BM_OK);
    memset(got, 0xAB, rows * sizeof *got);
    ck_assert_int_eq(bm_prefilter_scan_(probe, rows_at, rows, got), BM_OK);
    for (size_t r = 0; r < rows; ++r)
      ck_assert_msg(got[r] == expected[r], "tier %s row %zu: %u != %u", bm_isa_name(tiers[t]), r, got[r], expected[r]);
    /* Split into two calls: the same scores (a gallery splits shards this way). */
    ck_assert_int_eq(bm_prefilter_scan_(probe, rows_at, 1000, got), BM_OK);
    ck_assert_int_eq(bm_prefilter_scan_(probe, rows_at + 1000 * bytes, rows - 1000, got + 1000), BM_OK);
    ck_assert_mem_eq(got, expected, rows * sizeof *got);
    ++tested;
  }
  ck_assert_int_ge(tested, 1);
  ck_assert_int_eq(bm_force_isa(original), BM_OK);
  free(expected);
  free(got);
  free(codes);
  free(probe_buffer);
}
END_TEST

START_TEST(test_similarity_formula) {
  ck_assert_uint_eq(bm_prefilter_similarity_(0, 100, 100), 0);
  ck_assert_uint_eq(bm_prefilter_similarity_(100, 0, 100), 0);
  /* Nothing shared: below chance, 0. */
  ck_assert_uint_eq(bm_prefilter_similarity_(100, 100, 200), 0);
  /* More shared bits, higher score; the same share among more row bits, lower. */
  ck_assert_uint_gt(bm_prefilter_similarity_(500, 500, 400), bm_prefilter_similarity_(500, 500, 600));
  ck_assert_uint_gt(bm_prefilter_similarity_(500, 500, 500), bm_prefilter_similarity_(500, 2000, 2000));
  /* Saturated or full rows carry no information. */
  ck_assert_uint_eq(bm_prefilter_similarity_(500, BM_PREFILTER_FEATURE_BITS, BM_PREFILTER_FEATURE_BITS - 500), 0);
}
END_TEST

/* Reference selection: sort (similarity descending, index ascending), take k, sort indices. */
static int by_score_then_index(const void *a, const void *b, void *context) {
  const uint32_t *s = context;
  const uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
  if (s[i] != s[j]) return s[i] > s[j] ? -1 : 1;
  return i < j ? -1 : i > j;
}
static int ascending(const void *a, const void *b) {
  const uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
  return i < j ? -1 : i > j;
}

START_TEST(test_select_matches_sorting) {
  static const size_t counts[] = {1, 2, 3, 73, 1000, 4099};
  static const double penetrations[] = {0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 0.999, 1.0};
  rng_state = 999;
  for (size_t c = 0; c < sizeof counts / sizeof *counts; ++c)
    for (int spread = 0; spread < 3; ++spread) {
      const size_t count = counts[c];
      uint32_t *scores = malloc(count * sizeof *scores), *order = malloc(count * sizeof *order),
               *got = malloc(count * sizeof *got);
      /* Few distinct values (many ties), byte-boundary values, full range. */
      for (size_t i = 0; i < count; ++i)
        scores[i] = spread == 0 ? (uint32_t)(next_random() % 4)
                    : spread == 1 ? (uint32_t)(0xFFu << (8 * (next_random() % 4))) + (uint32_t)(next_random() % 2)
                                  : (uint32_t)next_random();
      for (size_t p = 0; p < sizeof penetrations / sizeof *penetrations; ++p) {
        const size_t keep = bm_prefilter_select_count_(count, penetrations[p]);
        for (size_t i = 0; i < count; ++i) order[i] = (uint32_t)i;
        qsort_r(order, count, sizeof *order, by_score_then_index, scores);
        qsort(order, keep, sizeof *order, ascending);
        size_t written = 0;
        ck_assert_int_eq(bm_prefilter_select_(scores, count, penetrations[p], got, &written), BM_OK);
        ck_assert_uint_eq(written, keep);
        ck_assert_mem_eq(got, order, keep * sizeof *got);
      }
      free(scores);
      free(order);
      free(got);
    }
}
END_TEST

START_TEST(test_select_count) {
  ck_assert_uint_eq(bm_prefilter_select_count_(1000, 0.1), 100);
  ck_assert_uint_eq(bm_prefilter_select_count_(1000, 0.1001), 101);
  ck_assert_uint_eq(bm_prefilter_select_count_(73, 0.01), 1);
  ck_assert_uint_eq(bm_prefilter_select_count_(73, 0.05), 4);
  ck_assert_uint_eq(bm_prefilter_select_count_(1000000, 0.07), 70000);
  ck_assert_uint_eq(bm_prefilter_select_count_(10, 1.0), 10);
  ck_assert_uint_eq(bm_prefilter_select_count_(10, 1e-9), 1);
  ck_assert_uint_eq(bm_prefilter_select_count_(0, 0.5), 0);
}
END_TEST

START_TEST(test_bad_input) {
  bm_template *tpl = synthetic_finger(8, 30), *empty = NULL;
  ck_assert_int_eq(bm_template_create(&empty), BM_OK);
  uint8_t *code = aligned_alloc(64, 2 * code_bytes());
  memset(code, 0x5A, 2 * code_bytes());
  ck_assert_int_eq(bm_prefilter_encode_(NULL, code), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_prefilter_encode_(tpl, NULL), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_prefilter_encode_(empty, code), BM_ERR_NO_MINUTIAE);
  ck_assert_int_eq(bm_last_error(), BM_ERR_NO_MINUTIAE);
  ck_assert_str_ne(bm_last_error_message(), "");
  for (size_t i = 0; i < code_bytes(); ++i) ck_assert_uint_eq(code[i], 0x5A); /* untouched on error */

  bm_prefilter_params_ params;
  bm_prefilter_default_params_(&params);
  params.word_bits = 0;
  ck_assert_int_eq(bm_prefilter_encode_with_(tpl, &params, code), BM_ERR_INVALID_ARGUMENT);
  bm_prefilter_default_params_(&params);
  params.max_distance_px = params.min_distance_px;
  ck_assert_int_eq(bm_prefilter_encode_with_(tpl, &params, code), BM_ERR_INVALID_ARGUMENT);

  ck_assert_int_eq(bm_prefilter_encode_(tpl, code), BM_OK);
  ck_assert_int_eq(bm_prefilter_encode_(tpl, code + code_bytes()), BM_OK);
  uint32_t scores[2];
  ck_assert_int_eq(bm_prefilter_scan_(NULL, code, 1, scores), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_prefilter_scan_(code, NULL, 1, scores), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_prefilter_scan_(code, code, 1, NULL), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_prefilter_scan_(code, code + 4, 1, scores), BM_ERR_INVALID_ARGUMENT); /* misaligned rows */
  ck_assert_int_eq(bm_prefilter_scan_(NULL, NULL, 0, NULL), BM_OK);                        /* nothing to do */

  uint32_t indices[4];
  size_t written = 99;
  const uint32_t values[3] = {3, 1, 2};
  ck_assert_int_eq(bm_prefilter_select_(values, 3, 0.0, indices, &written), BM_ERR_INVALID_ARGUMENT);
  ck_assert_uint_eq(written, 0);
  ck_assert_int_eq(bm_prefilter_select_(values, 3, -0.5, indices, &written), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_prefilter_select_(values, 3, 1.5, indices, &written), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_prefilter_select_(values, 3, NAN, indices, &written), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_prefilter_select_(values, 3, 0.5, indices, NULL), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_prefilter_select_(NULL, 3, 0.5, indices, &written), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_prefilter_select_(values, 3, 0.5, NULL, &written), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_prefilter_select_(values, (size_t)UINT32_MAX + 1, 0.5, indices, &written),
                   BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_prefilter_select_(values, 3, 0.5, indices, &written), BM_OK);
  ck_assert_uint_eq(written, 2);
  ck_assert_uint_eq(indices[0], 0);
  ck_assert_uint_eq(indices[1], 2);
  free(code);
  bm_template_free(tpl);
  bm_template_free(empty);
}
END_TEST

START_TEST(test_extreme_templates) {
  /* Whatever a valid template holds (coordinates up to 65535 at 50 ppi,
   * stacked duplicates, 255 minutiae, collinear points), encoding succeeds
   * with a consistent trailer and the code scans against itself. */
  rng_state = 4242;
  uint8_t *code = aligned_alloc(BM_PREFILTER_CODE_ALIGNMENT, code_bytes());
  for (int round = 0; round < 40; ++round) {
    bm_template *tpl = NULL;
    ck_assert_int_eq(bm_template_create(&tpl), BM_OK);
    const double ppi = round % 4 == 0 ? 50 : round % 4 == 1 ? 5000 : 200 + (double)(next_random() % 1000);
    ck_assert_int_eq(bm_template_set_image(tpl, 0, 0, ppi, ppi), BM_OK);
    const size_t count = round % 5 == 0 ? BM_MAX_MINUTIAE : 1 + next_random() % BM_MAX_MINUTIAE;
    bm_minutia m[BM_MAX_MINUTIAE];
    for (size_t i = 0; i < count; ++i) {
      const int shape = round % 3;
      const uint16_t x = shape == 0 ? (uint16_t)next_random() : shape == 1 ? 1000 : (uint16_t)(i * 7);
      const uint16_t y = shape == 0 ? (uint16_t)next_random() : shape == 1 ? 1000 : 500; /* random, stacked, collinear */
      m[i] = (bm_minutia){x, y, (float)(next_random() % 36000) / 100.0f, (uint8_t)(next_random() % 3), 50, {0, 0}};
    }
    ck_assert_int_eq(bm_template_set_minutiae(tpl, m, count), BM_OK);
    ck_assert_int_eq(bm_prefilter_encode_(tpl, code), BM_OK);
    unsigned ones = 0;
    for (size_t i = 0; i < BM_PREFILTER_FEATURE_BYTES; ++i) ones += (unsigned)__builtin_popcount(code[i]);
    ck_assert_uint_eq(bm_prefilter_code_ones_(code), ones);
    uint32_t self = 0;
    ck_assert_int_eq(bm_prefilter_scan_(code, code, 1, &self), BM_OK);
    if (ones > 0 && ones < BM_PREFILTER_FEATURE_BITS) ck_assert_uint_gt(self, 0);
    bm_template_free(tpl);
  }
  free(code);
}
END_TEST

static Suite *prefilter_suite(void) {
  Suite *suite = suite_create("prefilter");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_layout);
  tcase_add_test(tc, test_deterministic);
  tcase_add_test(tc, test_rotation_translation_invariance);
  tcase_add_test(tc, test_resolution_normalised);
  tcase_add_test(tc, test_partial_print);
  tcase_add_test(tc, test_noisy_mate);
  tcase_add_test(tc, test_few_minutiae);
  tcase_add_test(tc, test_scan_tiers_match_reference);
  tcase_add_test(tc, test_similarity_formula);
  tcase_add_test(tc, test_select_matches_sorting);
  tcase_add_test(tc, test_select_count);
  tcase_add_test(tc, test_bad_input);
  tcase_add_test(tc, test_extreme_templates);
  suite_add_tcase(suite, tc);
  return suite;
}

int main(void) { return bm_test_run_suite(prefilter_suite()); }
