/* Minutia detection and false-minutia removal (core/src/extract/minutiae.c)
 * on hand-drawn skeletons with a uniform ridge field, so each rule is
 * exercised alone. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/biomatch.h"
#include "extract/extract_internal.h"
#include "test_support.h"

enum { SIDE = 320 };

typedef struct scene {
  work_image_ work;
  ridge_field_ field;
  uint8_t *skeleton;
} scene;

/* Uniform field: horizontal ridges of `period` pixels, all foreground, clear. */
static void scene_init(scene *s, float period) {
  memset(s, 0, sizeof *s);
  s->work.width = s->work.height = s->work.padded_width = s->work.padded_height = SIDE;
  s->work.scale = 1.0;
  const int blocks = SIDE / BM_BLOCK_, count = blocks * blocks;
  s->field.blocks_x = s->field.blocks_y = blocks;
  s->field.foreground = malloc(count);
  s->field.orientation = calloc(count, sizeof(float));
  s->field.coherence = malloc(sizeof(float) * count);
  s->field.contrast = malloc(sizeof(float) * count);
  s->field.period = malloc(sizeof(float) * count);
  s->field.clarity = malloc(sizeof(float) * count);
  s->skeleton = calloc(SIDE * SIDE, 1);
  ck_assert_ptr_nonnull(s->skeleton);
  ck_assert_ptr_nonnull(s->field.clarity);
  for (int i = 0; i < count; ++i) {
    s->field.foreground[i] = 1;
    s->field.coherence[i] = 0.9f;
    s->field.contrast[i] = 40.0f;
    s->field.period[i] = period;
    s->field.clarity[i] = 0.9f;
  }
}

static void scene_free(scene *s) {
  bm_ridge_field_free_(&s->field);
  free(s->skeleton);
}

static void draw_line(scene *s, int x0, int y0, int x1, int y1) {
  const int steps = abs(x1 - x0) > abs(y1 - y0) ? abs(x1 - x0) : abs(y1 - y0);
  for (int i = 0; i <= steps; ++i) {
    const int x = (int)lround(x0 + (double)(x1 - x0) * i / (steps ? steps : 1));
    const int y = (int)lround(y0 + (double)(y1 - y0) * i / (steps ? steps : 1));
    s->skeleton[y * SIDE + x] = 1;
  }
}

/* Horizontal ridges `period` apart across the middle of the image. */
static void draw_ridges(scene *s, int period) {
  for (int y = 40; y < SIDE - 40; y += period) draw_line(s, 40, y, SIDE - 41, y);
}

static size_t minutiae_near(const minutia_candidate_ *found, size_t count, float x, float y, float radius) {
  size_t near = 0;
  for (size_t i = 0; i < count; ++i) near += hypotf(found[i].x - x, found[i].y - y) <= radius;
  return near;
}

/* An oblique connector between two neighbouring ridges, its junctions 13 px
 * apart (farther than the fixed two-bifurcation distance), is a bridge at a
 * 12 px ridge period. */
START_TEST(oblique_bridge_is_removed_at_the_local_period) {
  scene s;
  scene_init(&s, 12.0f);
  draw_ridges(&s, 12);
  const int y = 40 + 12 * 10;
  draw_line(&s, 160, y, 165, y + 12); /* 67 degrees off the ridges */
  minutia_candidate_ *found = NULL;
  size_t count = 0;
  ck_assert_int_eq(bm_minutiae_detect_(s.skeleton, &s.work, &s.field, &found, &count), BM_OK);
  ck_assert_uint_eq(minutiae_near(found, count, 162.5f, y + 6.0f, 20.0f), 0);
  free(found);
  scene_free(&s);
}
END_TEST

/* A branch leaving a ridge along the flow is a real bifurcation. */
START_TEST(branch_along_the_flow_is_kept) {
  scene s;
  scene_init(&s, 12.0f);
  /* One ridge at y = 160 that forks at x = 160 into itself and a branch that
   * climbs at 45 degrees for 6 px and runs on at y = 154, between the
   * ridges at 142 and 172. */
  draw_line(&s, 40, 160, SIDE - 41, 160);
  draw_line(&s, 160, 160, 166, 154);
  draw_line(&s, 166, 154, SIDE - 41, 154);
  draw_line(&s, 40, 142, SIDE - 41, 142);
  draw_line(&s, 40, 172, SIDE - 41, 172);
  minutia_candidate_ *found = NULL;
  size_t count = 0;
  ck_assert_int_eq(bm_minutiae_detect_(s.skeleton, &s.work, &s.field, &found, &count), BM_OK);
  int bifurcations = 0;
  for (size_t i = 0; i < count; ++i)
    bifurcations += found[i].type == BM_MINUTIA_BIFURCATION && hypotf(found[i].x - 160, found[i].y - 160) <= 4;
  ck_assert_int_eq(bifurcations, 1);
  free(found);
  scene_free(&s);
}
END_TEST

/* Horizontal ridges 12 px apart, all whole but the one at the returned row,
 * which runs from the left edge to x = 140 and stops there. */
static int dotted_ridge_scene(scene *s) {
  scene_init(s, 12.0f);
  const int y = 40 + 12 * 10;
  for (int row = 40; row < SIDE - 40; row += 12)
    if (row != y) draw_line(s, 40, row, SIDE - 41, row);
  draw_line(s, 40, y, 140, y);
  return y;
}

/* A dotted ridge: a gap, a fragment shorter than the short-ridge length, a
 * gap, and the ridge goes on. The fragment is removed; the endings either
 * side of it, 28 px apart (more than the broken-ridge distance at a 12 px
 * period), are the near sides of gaps and go too. */
START_TEST(endings_facing_a_fragment_are_removed) {
  scene s;
  const int y = dotted_ridge_scene(&s);
  draw_line(&s, 148, y, 160, y);
  draw_line(&s, 168, y, SIDE - 41, y);
  minutia_candidate_ *found = NULL;
  size_t count = 0;
  ck_assert_int_eq(bm_minutiae_detect_(s.skeleton, &s.work, &s.field, &found, &count), BM_OK);
  ck_assert_uint_eq(minutiae_near(found, count, 154.0f, (float)y, 30.0f), 0);
  free(found);
  scene_free(&s);
}
END_TEST

/* A fragment farther along than the broken-ridge distance does not remove
 * a ridge ending. */
START_TEST(ending_away_from_a_fragment_is_kept) {
  scene s;
  const int y = dotted_ridge_scene(&s);
  draw_line(&s, 176, y, 188, y); /* 36 px on: three periods */
  minutia_candidate_ *found = NULL;
  size_t count = 0;
  ck_assert_int_eq(bm_minutiae_detect_(s.skeleton, &s.work, &s.field, &found, &count), BM_OK);
  ck_assert_uint_eq(minutiae_near(found, count, 140.0f, (float)y, 3.0f), 1);
  ck_assert_uint_eq(minutiae_near(found, count, 182.0f, (float)y, 10.0f), 0);
  free(found);
  scene_free(&s);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("minutiae");
  TCase *tc = tcase_create("minutiae");
  tcase_add_test(tc, oblique_bridge_is_removed_at_the_local_period);
  tcase_add_test(tc, branch_along_the_flow_is_kept);
  tcase_add_test(tc, endings_facing_a_fragment_are_removed);
  tcase_add_test(tc, ending_away_from_a_fragment_is_kept);
  suite_add_tcase(suite, tc);
  return bm_test_run_suite(suite);
}
