/* Minutia detection on the ridge skeleton, direction, false-minutia
 * removal and quality.
 *
 * Detection uses the crossing number (half the number of 0/1 changes
 * around the 8-neighbourhood): 1 marks a ridge ending, 3 a bifurcation.
 * Every length of the clean-up rules is a multiple of the local ridge
 * period, so the rules hold at any input resolution (the image is at 500
 * ppi here) and for fine and coarse ridges alike. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/bm_template.h"
#include "error.h"
#include "extract/extract_internal.h"

/* Steps traced along a ridge to read a minutia's direction, in local ridge
 * periods (10 px at the adult mean). */
#define DIRECTION_PERIODS_ (10.0f / 9.0f)
/* The lengths below are in local ridge periods (ridge_frequency.c), so they
 * hold for fine and coarse ridges alike; at the adult mean of 9 px they are
 * 14, 10, 5, 16, 10 and 8 px. */
/* A ridge shorter than this between two endings is noise. */
#define SHORT_RIDGE_PERIODS_ (14.0f / 9.0f)
/* A branch shorter than this from an ending to a junction is a spur. */
#define SPUR_PERIODS_ (10.0f / 9.0f)
/* Minutiae closer than this are a cluster of artefacts. */
#define CLUSTER_PERIODS_ (5.0f / 9.0f)
/* Two endings facing each other this close are one broken ridge. */
#define BROKEN_RIDGE_PERIODS_ (16.0f / 9.0f)
/* A branch across the ridge flow shorter than this many local ridge periods
 * between two junctions is a bridge. */
#define BRIDGE_PERIODS_ 1.5f
/* Two bifurcations this close are the ends of a bridge between ridges. */
#define BRIDGE_PERIODS_APART_ (10.0f / 9.0f)
/* Minutiae closer than this to the background are cut ridges. */
#define BORDER_PERIODS_ (8.0f / 9.0f)
/* Below this block coherence the skeleton is not trusted: the segmentation's own
 * floor, which matters only in holes the segmentation filled. */
#define MIN_COHERENCE_ 0.1f
/* Ridge clarity (ridge_frequency.c) from which a minutia gets full quality. */
#define CLEAR_RIDGES_ 0.8f

enum { TRACE_END = 0, TRACE_JUNCTION = 1, TRACE_LIMIT = 2 };
/* minutia_candidate_.removed: kept (0), removed (1), or removed as an end of
 * a short isolated ridge, which still marks a gap for the broken-ridge rule. */
enum { REMOVED_ = 1, FRAGMENT_END_ = 2 };

static const int ring_dx_[8] = {0, 1, 1, 1, 0, -1, -1, -1};
static const int ring_dy_[8] = {-1, -1, 0, 1, 1, 1, 0, -1};

typedef struct skeleton_view_ {
  const uint8_t *pixels;
  int width, height; /* padded */
  int *stamps;       /* last trace that visited each pixel */
  int stamp;
} skeleton_view_;

static int crossing_number_(const skeleton_view_ *view, int x, int y) {
  const uint8_t *p = view->pixels + (size_t)y * view->width + x;
  int transitions = 0;
  for (int i = 0; i < 8; ++i) {
    const int j = (i + 1) & 7;
    const uint8_t a = p[ring_dy_[i] * view->width + ring_dx_[i]], b = p[ring_dy_[j] * view->width + ring_dx_[j]];
    transitions += !a && b;
  }
  return transitions;
}

static int inside_(const skeleton_view_ *view, int x, int y) {
  return x >= 1 && y >= 1 && x < view->width - 1 && y < view->height - 1;
}

/* Follows the skeleton from (x, y) for at most `steps` pixels. The caller
 * starts a new stamp and marks where it came from. When `through_junctions`
 * is 0 the walk stops at the first pixel with crossing number >= 3.
 * Returns the reason it stopped; (*end_x, *end_y) is the last pixel, *taken the
 * number of steps. */
static int trace_(skeleton_view_ *view, int x, int y, int steps, int through_junctions, int *end_x, int *end_y,
                  int *taken) {
  int previous_x = x, previous_y = y, reason = TRACE_LIMIT, step = 0;
  for (; step < steps; ++step) {
    /* Among unvisited neighbours, go to the one farthest from the previous
     * pixel: on a staircase this skips the corner pixel instead of
     * mistaking it for a branch. */
    int best = -1, best_distance = -1, junction = -1;
    for (int i = 0; i < 8; ++i) {
      const int nx = x + ring_dx_[i], ny = y + ring_dy_[i];
      if (!inside_(view, nx, ny)) continue;
      const size_t index = (size_t)ny * view->width + nx;
      if (!view->pixels[index] || view->stamps[index] == view->stamp) continue;
      const int distance = (nx - previous_x) * (nx - previous_x) + (ny - previous_y) * (ny - previous_y);
      if (distance > best_distance) {
        best_distance = distance;
        best = i;
      }
      if (!through_junctions && junction < 0 && crossing_number_(view, nx, ny) >= 3) junction = i;
    }
    /* A walk that stops at junctions must not step past one: where the
     * branch meets the other ridge, the junction pixel may be the nearer
     * neighbour. */
    if (junction >= 0) best = junction;
    if (best < 0) {
      reason = TRACE_END;
      break;
    }
    /* Mark every unvisited neighbour so the walk never turns back into them. */
    for (int i = 0; i < 8; ++i) {
      const int nx = x + ring_dx_[i], ny = y + ring_dy_[i];
      if (inside_(view, nx, ny)) view->stamps[(size_t)ny * view->width + nx] = view->stamp;
    }
    previous_x = x;
    previous_y = y;
    x += ring_dx_[best];
    y += ring_dy_[best];
    const int cn = crossing_number_(view, x, y);
    if (cn == 1) {
      reason = TRACE_END;
      ++step;
      break;
    }
    if (cn >= 3 && !through_junctions) {
      reason = TRACE_JUNCTION;
      ++step;
      break;
    }
  }
  *end_x = x;
  *end_y = y;
  *taken = step;
  return reason;
}

static float field_at_(const ridge_field_ *field, const float *values, float x, float y) {
  int bx = (int)(x / BM_BLOCK_), by = (int)(y / BM_BLOCK_);
  if (bx >= field->blocks_x) bx = field->blocks_x - 1;
  if (by >= field->blocks_y) by = field->blocks_y - 1;
  return values[by * field->blocks_x + bx];
}

static int foreground_at_(const ridge_field_ *field, const work_image_ *work, int x, int y) {
  if (x < 0 || y < 0 || x >= work->width || y >= work->height) return 0;
  return field->foreground[(y / BM_BLOCK_) * field->blocks_x + x / BM_BLOCK_];
}

/* Local ridge period at a point, pixels at 500 ppi. */
static float local_period_(const ridge_field_ *field, float x, float y) {
  return field_at_(field, field->period, x, y);
}

/* Starts a fresh walk from the junction (x, y) along the branch leaving
 * through ring pixel `first`: the junction and the ring pixels of the other
 * branches are marked visited, so the walk cannot turn into a sibling,
 * while the ring pixels of its own run stay open to it. */
static void mark_other_branches_(skeleton_view_ *view, int x, int y, int first) {
  ++view->stamp;
  view->stamps[(size_t)y * view->width + x] = view->stamp;
  int own = 0;
  for (int r = first; own < 8; ++r, ++own) {
    const int i = r & 7;
    if (!view->pixels[(size_t)(y + ring_dy_[i]) * view->width + x + ring_dx_[i]]) break;
  }
  for (int r = own; r < 8; ++r) {
    const int i = (first + r) & 7;
    view->stamps[(size_t)(y + ring_dy_[i]) * view->width + x + ring_dx_[i]] = view->stamp;
  }
}

/* Skeleton lines crossed by a segment across the ridge flow (direction
 * theta), 1.5 periods from (x, y) on the given side and 0.75 period long
 * each way: one on the stem side of a bifurcation, two on the fork side. */
static int ridges_across_(const skeleton_view_ *view, float x, float y, float theta, float period, float side) {
  const float along_x = cosf(theta), along_y = sinf(theta);
  const float cx = x + side * 1.5f * period * along_x, cy = y + side * 1.5f * period * along_y;
  const int half = (int)lroundf(0.75f * period);
  int runs = 0, previous = 0;
  for (int k = -half; k <= half; ++k) {
    const int px = (int)lroundf(cx - k * along_y), py = (int)lroundf(cy + k * along_x);
    const int on = inside_(view, px, py) && view->pixels[(size_t)py * view->width + px];
    runs += on && !previous;
    previous = on;
  }
  return runs;
}

/* Screen angle (counter-clockwise, y up) of an image-space vector (y down). */
static float screen_angle_(float dx, float dy) {
  float angle = atan2f(-dy, dx);
  if (angle < 0) angle += 2.0f * (float)M_PI;
  return angle;
}

/* Direction of a minutia: the local ridge orientation, pointed the way the
 * traced skeleton says, averaged with the traced vector itself. */
static float resolve_direction_(const ridge_field_ *field, float x, float y, float vx, float vy) {
  const float theta = field_at_(field, field->orientation, x, y);
  float fx = cosf(theta), fy = sinf(theta);
  const float length = sqrtf(vx * vx + vy * vy);
  if (length <= 0) return screen_angle_(fx, fy);
  if (fx * vx + fy * vy < 0) {
    fx = -fx;
    fy = -fy;
  }
  return screen_angle_(fx + vx / length, fy + vy / length);
}

static bm_status grow_(minutia_candidate_ **list, size_t *count, size_t *capacity) {
  if (*count < *capacity) return BM_OK;
  const size_t grown = *capacity ? *capacity * 2 : 256;
  minutia_candidate_ *bigger = realloc(*list, grown * sizeof **list);
  if (!bigger) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "minutia list of %zu entries", grown);
  *list = bigger;
  *capacity = grown;
  return BM_OK;
}

static int compare_quality_(const void *a, const void *b) {
  const minutia_candidate_ *x = a, *y = b;
  return (y->quality > x->quality) - (y->quality < x->quality);
}

bm_status bm_minutiae_detect_(const uint8_t *skeleton, const work_image_ *work, const ridge_field_ *field,
                              minutia_candidate_ **out, size_t *out_count) {
  *out = NULL;
  *out_count = 0;
  skeleton_view_ view = {skeleton, work->padded_width, work->padded_height, NULL, 0};
  view.stamps = calloc((size_t)view.width * view.height, sizeof *view.stamps);
  if (!view.stamps) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "trace marks");
  minutia_candidate_ *list = NULL;
  size_t count = 0, capacity = 0;
  /* Per candidate: the junction a short ending trace ran into (spur), else -1. */
  int *spur_junction = NULL;
  bm_status status = BM_OK;

  for (int y = 1; y < work->height - 1 && status == BM_OK; ++y)
    for (int x = 1; x < work->width - 1; ++x) {
      if (!skeleton[(size_t)y * view.width + x] || !foreground_at_(field, work, x, y)) continue;
      const int cn = crossing_number_(&view, x, y);
      if (cn != 1 && cn != 3) continue;
      status = grow_(&list, &count, &capacity);
      if (status != BM_OK) break;
      minutia_candidate_ *m = &list[count++];
      memset(m, 0, sizeof *m);
      m->x = (float)x;
      m->y = (float)y;
      m->type = cn == 1 ? BM_MINUTIA_RIDGE_ENDING : BM_MINUTIA_BIFURCATION;
    }
  if (status == BM_OK && count > 0) {
    spur_junction = malloc(sizeof *spur_junction * count);
    if (!spur_junction) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "spur table");
  }
  if (status != BM_OK) {
    free(view.stamps);
    free(list);
    free(spur_junction);
    return status;
  }

  /* Directions, and the ridge-following tests of endings. */
  for (size_t i = 0; i < count; ++i) {
    minutia_candidate_ *m = &list[i];
    const int x = (int)m->x, y = (int)m->y;
    spur_junction[i] = -1;
    if (m->type == BM_MINUTIA_RIDGE_ENDING) {
      view.stamps[(size_t)y * view.width + x] = ++view.stamp;
      int end_x, end_y, taken;
      const float period = local_period_(field, m->x, m->y);
      const int short_ridge = (int)lroundf(SHORT_RIDGE_PERIODS_ * period), spur = (int)lroundf(SPUR_PERIODS_ * period);
      const int reason = trace_(&view, x, y, short_ridge, 0, &end_x, &end_y, &taken);
      if (reason == TRACE_END && taken < short_ridge) m->removed = FRAGMENT_END_; /* short isolated ridge */
      if (reason == TRACE_JUNCTION && taken < spur) {
        m->removed = REMOVED_;
        spur_junction[i] = end_y * view.width + end_x;
      }
      /* Direction from a trace of fixed length, through junctions. */
      view.stamps[(size_t)y * view.width + x] = ++view.stamp;
      trace_(&view, x, y, (int)lroundf(DIRECTION_PERIODS_ * period), 1, &end_x, &end_y, &taken);
      /* ISO direction of a ridge ending: along the ridge, into its body (the
       * fork direction of the valley bifurcation it is the dual of). */
      m->angle = resolve_direction_(field, m->x, m->y, (float)(end_x - x), (float)(end_y - y));
    } else {
      /* Trace each branch; the stem is the one most opposite the other two,
       * and the bifurcation points away from it, into the fork. */
      float ux[3] = {0}, uy[3] = {0};
      int branches = 0, short_branch = 0;
      const int direction_steps = (int)lroundf(DIRECTION_PERIODS_ * local_period_(field, m->x, m->y));
      for (int k = 0; k < 8 && branches < 3; ++k) {
        const int nx = x + ring_dx_[k], ny = y + ring_dy_[k];
        const int previous = (k + 7) & 7;
        if (!skeleton[(size_t)ny * view.width + nx]) continue;
        /* One start per run of neighbours: skip when the previous ring pixel is set. */
        if (skeleton[(size_t)(y + ring_dy_[previous]) * view.width + x + ring_dx_[previous]]) continue;
        int end_x, end_y, taken;
        mark_other_branches_(&view, x, y, k);
        trace_(&view, nx, ny, direction_steps - 1, 1, &end_x, &end_y, &taken);
        short_branch |= taken < 2;
        const float vx = (float)(end_x - x), vy = (float)(end_y - y), length = sqrtf(vx * vx + vy * vy);
        if (length > 0) {
          ux[branches] = vx / length;
          uy[branches] = vy / length;
        }
        ++branches;
        /* Bridge: a branch that meets another junction within 1.5 local
         * ridge periods while running across the ridge flow (more than 60
         * degrees off it) joins two neighbouring ridges; real ridges run
         * with the flow. Both junctions are false bifurcations. */
        if (!m->removed) {
          mark_other_branches_(&view, x, y, k);
          const int bridge_steps = (int)lroundf(BRIDGE_PERIODS_ * field_at_(field, field->period, m->x, m->y));
          if (trace_(&view, nx, ny, bridge_steps, 0, &end_x, &end_y, &taken) == TRACE_JUNCTION) {
            const float theta = field_at_(field, field->orientation, m->x, m->y);
            const float bx = (float)(end_x - x), by = (float)(end_y - y), span = sqrtf(bx * bx + by * by);
            if (span > 0 && fabsf(bx * cosf(theta) + by * sinf(theta)) < 0.5f * span) {
              m->removed = REMOVED_;
              spur_junction[i] = end_y * view.width + end_x;
            }
          }
        }
      }
      int stem = 0;
      float most_opposite = 3;
      for (int b = 0; b < 3; ++b) {
        const float together = ux[b] * (ux[(b + 1) % 3] + ux[(b + 2) % 3]) + uy[b] * (uy[(b + 1) % 3] + uy[(b + 2) % 3]);
        if (together < most_opposite) {
          most_opposite = together;
          stem = b;
        }
      }
      m->angle = resolve_direction_(field, m->x, m->y, -ux[stem], -uy[stem]);
      if (branches < 3 || short_branch) {
        /* On fine ridges the branches crowd the junction's ring and a walk
         * can end at once or two arms look like one: count ridges across
         * the flow on each side instead; the fork is the side with two. */
        const float period = local_period_(field, m->x, m->y), theta = field_at_(field, field->orientation, m->x, m->y);
        const int ahead = ridges_across_(&view, m->x, m->y, theta, period, 1.0f);
        const int behind = ridges_across_(&view, m->x, m->y, theta, period, -1.0f);
        if (ahead != behind) {
          const float side = ahead > behind ? 1.0f : -1.0f;
          m->angle = resolve_direction_(field, m->x, m->y, side * cosf(theta), side * sinf(theta));
        }
      }
    }
  }
  /* A spur's or a bridge's other junction is a false bifurcation too. */
  for (size_t i = 0; i < count; ++i) {
    if (spur_junction[i] < 0) continue;
    const int jx = spur_junction[i] % view.width, jy = spur_junction[i] / view.width;
    for (size_t j = 0; j < count; ++j)
      if (list[j].type == BM_MINUTIA_BIFURCATION && fabsf(list[j].x - jx) <= 2 && fabsf(list[j].y - jy) <= 2)
        list[j].removed = REMOVED_;
  }

  /* Pairwise rules, decided on the set that survived the ridge tests. */
  uint8_t *drop = calloc(count ? count : 1, 1);
  if (!drop) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "pair flags");
  /* A short fragment's ends take part as partners of the broken-ridge
   * rule only: on a dotted ridge the pieces between gaps are short ridges,
   * and once they are gone the endings on either side face each other
   * across more than the broken-ridge distance. An ending that faces a
   * fragment is the near side of a gap, not where a ridge ends. */
  for (size_t i = 0; status == BM_OK && i < count; ++i) {
    if (list[i].removed && list[i].removed != FRAGMENT_END_) continue;
    for (size_t j = i + 1; j < count; ++j) {
      if (list[j].removed && list[j].removed != FRAGMENT_END_) continue;
      if (list[i].removed && list[j].removed) continue; /* two fragments */
      const int with_fragment = list[i].removed || list[j].removed;
      const float dx = list[j].x - list[i].x, dy = list[j].y - list[i].y;
      if (fabsf(dy) > BROKEN_RIDGE_PERIODS_ * BM_MAX_RIDGE_PERIOD_) {
        if (dy > BROKEN_RIDGE_PERIODS_ * BM_MAX_RIDGE_PERIOD_) break; /* list is in row order */
        continue;
      }
      const float period =
          0.5f * (local_period_(field, list[i].x, list[i].y) + local_period_(field, list[j].x, list[j].y));
      const float distance = sqrtf(dx * dx + dy * dy);
      if (!with_fragment && distance < CLUSTER_PERIODS_ * period) {
        drop[i] = drop[j] = 1;
        continue;
      }
      const int both_endings = list[i].type == BM_MINUTIA_RIDGE_ENDING && list[j].type == BM_MINUTIA_RIDGE_ENDING;
      const int both_bifurcations = list[i].type == BM_MINUTIA_BIFURCATION && list[j].type == BM_MINUTIA_BIFURCATION;
      if (!with_fragment && both_bifurcations && distance < BRIDGE_PERIODS_APART_ * period) {
        drop[i] = drop[j] = 1;
        continue;
      }
      if (both_endings && distance < BROKEN_RIDGE_PERIODS_ * period) {
        /* Facing each other: directions roughly opposite, and the gap runs
         * along the ridge rather than across to the next ridge. */
        const float ai = list[i].angle, aj = list[j].angle;
        const float facing = cosf(ai) * cosf(aj) + sinf(ai) * sinf(aj);
        const float gap_x = dx / distance, gap_y = -dy / distance; /* screen axes */
        const float along = fabsf(gap_x * cosf(ai) + gap_y * sinf(ai));
        if (facing < -0.7f && along > 0.7f) drop[i] = drop[j] = 1;
      }
    }
  }
  for (size_t i = 0; i < count; ++i)
    if (drop && drop[i]) list[i].removed = REMOVED_;
  free(drop);

  /* Border, reliability and quality. */
  size_t kept = 0;
  for (size_t i = 0; status == BM_OK && i < count; ++i) {
    minutia_candidate_ m = list[i];
    if (m.removed) continue;
    const int x = (int)m.x, y = (int)m.y;
    const int border = (int)lroundf(BORDER_PERIODS_ * local_period_(field, m.x, m.y));
    int near_border = 0;
    for (int k = 0; k < 8 && !near_border; ++k)
      near_border = !foreground_at_(field, work, x + ring_dx_[k] * border, y + ring_dy_[k] * border);
    if (near_border) continue;
    const float coherence = field_at_(field, field->coherence, m.x, m.y);
    if (coherence < MIN_COHERENCE_) continue;
    /* Quality: how periodic the ridges around the minutia are (the
     * autocorrelation of the oriented signature at the ridge period); clean
     * ridges read 0.8 and more, noise and smudges under 0.25. */
    const float clarity = field_at_(field, field->clarity, m.x, m.y) / CLEAR_RIDGES_;
    m.quality = (int)lroundf(100.0f * (clarity < 1.0f ? clarity : 1.0f));
    if (m.quality < 1) m.quality = 1;
    list[kept++] = m;
  }
  if (kept > BM_MAX_MINUTIAE) {
    qsort(list, kept, sizeof *list, compare_quality_);
    kept = BM_MAX_MINUTIAE;
  }
  free(view.stamps);
  free(spur_junction);
  if (status != BM_OK) {
    free(list);
    return status;
  }
  *out = list;
  *out_count = kept;
  return BM_OK;
}
