/* SYNTHETIC minutiae generator (see synthetic_minutiae.h for the model). */
#include "synthetic_minutiae.h"

#include <math.h>
#include <stdlib.h>

enum { MAX_MASTER = 80 };
static const double kPi = 3.14159265358979323846;
static const double kRidgePeriod = 9.0; /* px at 500 ppi (~0.46 mm) */

typedef struct rng {
  uint64_t state;
} rng;

static uint64_t next_u64(rng *r) { /* splitmix64 */
  uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static double uniform(rng *r) { return (double)(next_u64(r) >> 11) * (1.0 / 9007199254740992.0); }
static double range(rng *r, double lo, double hi) { return lo + (hi - lo) * uniform(r); }
static double normal(rng *r) {
  const double u = uniform(r) + 1e-12, v = uniform(r);
  return sqrt(-2.0 * log(u)) * cos(2.0 * kPi * v);
}

typedef struct master {
  int cls;                   /* 0 arch, 1 loop, 2 whorl */
  double cx, cy, ax, ay;     /* finger ellipse (image px) */
  double cores[2][2], deltas[2][2];
  int core_count, delta_count;
  double arch_amplitude;
  int count;
  double x[MAX_MASTER], y[MAX_MASTER], angle[MAX_MASTER]; /* angle: radians, image y down, counter-clockwise on screen */
  uint8_t type[MAX_MASTER];
} master;

/* Ridge orientation (radians, modulo pi) of the zero-pole model. */
static double orientation(const master *m, double x, double y) {
  if (m->cls == 0) return m->arch_amplitude * sin((x - m->cx) / m->ax * kPi) * exp(-(y - m->cy + m->ay) / (2 * m->ay));
  double o = 0.0;
  for (int i = 0; i < m->core_count; ++i) o += atan2(y - m->cores[i][1], x - m->cores[i][0]);
  for (int i = 0; i < m->delta_count; ++i) o -= atan2(y - m->deltas[i][1], x - m->deltas[i][0]);
  return 0.5 * o;
}

static int inside(const master *m, double x, double y) {
  const double dx = (x - m->cx) / m->ax, dy = (y - m->cy) / m->ay;
  return dx * dx + dy * dy <= 1.0;
}

static void make_master(uint64_t finger, master *m) {
  rng r = {finger * 0x2545f4914f6cdd1dull + 0x1234567ull};
  m->cx = BM_SYNTH_WIDTH / 2.0 + range(&r, -15, 15);
  m->cy = BM_SYNTH_HEIGHT / 2.0 + range(&r, -15, 15);
  m->ax = range(&r, 145, 185);
  m->ay = range(&r, 190, 235);
  const double u = uniform(&r);
  m->cls = u < 0.1 ? 0 : u < 0.7 ? 1 : 2; /* roughly the population's shares of arches, loops, whorls */
  m->arch_amplitude = range(&r, 0.3, 0.7);
  m->core_count = m->delta_count = 0;
  if (m->cls == 1) {
    m->cores[0][0] = m->cx + range(&r, -40, 40);
    m->cores[0][1] = m->cy + range(&r, -60, 0);
    m->deltas[0][0] = m->cores[0][0] + (uniform(&r) < 0.5 ? -1 : 1) * range(&r, 60, 120);
    m->deltas[0][1] = m->cores[0][1] + range(&r, 80, 150);
    m->core_count = m->delta_count = 1;
  } else if (m->cls == 2) {
    const double x = m->cx + range(&r, -30, 30), y = m->cy + range(&r, -40, 10);
    m->cores[0][0] = x - range(&r, 5, 20);
    m->cores[0][1] = y;
    m->cores[1][0] = x + range(&r, 5, 20);
    m->cores[1][1] = y + range(&r, -10, 10);
    m->deltas[0][0] = x - range(&r, 90, 140);
    m->deltas[0][1] = y + range(&r, 90, 150);
    m->deltas[1][0] = x + range(&r, 90, 140);
    m->deltas[1][1] = y + range(&r, 90, 150);
    m->core_count = m->delta_count = 2;
  }
  int target = (int)lround(45 + 10 * normal(&r));
  if (target < 25) target = 25;
  if (target > 70) target = 70;
  m->count = 0;
  const double spacing = 1.2 * kRidgePeriod;
  for (int attempt = 0; attempt < 4000 && m->count < target; ++attempt) {
    const double x = m->cx + range(&r, -m->ax, m->ax), y = m->cy + range(&r, -m->ay, m->ay);
    if (!inside(m, x, y)) continue;
    int ok = 1;
    for (int i = 0; i < m->count && ok; ++i)
      ok = (m->x[i] - x) * (m->x[i] - x) + (m->y[i] - y) * (m->y[i] - y) >= spacing * spacing;
    if (!ok) continue;
    m->x[m->count] = x;
    m->y[m->count] = y;
    m->angle[m->count] = orientation(m, x, y) + (uniform(&r) < 0.5 ? 0.0 : kPi);
    m->type[m->count] = uniform(&r) < 0.5 ? BM_MINUTIA_RIDGE_ENDING : BM_MINUTIA_BIFURCATION;
    m->count++;
  }
}

bm_status bm_synth_template(uint64_t finger, uint32_t impression, unsigned position, bm_template **out) {
  master m;
  make_master(finger, &m);
  rng r = {(finger * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)impression * 0xd1b54a32d192ed03ull) ^ 0x5bd1e995ull};
  /* contact window: a random part of the finger's bounding box */
  const double wx = m.ax * range(&r, 0.8, 1.0), wy = m.ay * range(&r, 0.8, 1.0);
  const double ox = m.cx + range(&r, -1, 1) * (m.ax - wx), oy = m.cy + range(&r, -1, 1) * (m.ay - wy);
  const double rotation = range(&r, -25, 25) * kPi / 180.0;
  const double tx = range(&r, -30, 30), ty = range(&r, -30, 30);
  const double amplitude = range(&r, 0, 6), phase1 = range(&r, 0, 2 * kPi), phase2 = range(&r, 0, 2 * kPi);
  const double c = cos(rotation), s = sin(rotation);
  bm_minutia out_minutiae[BM_MAX_MINUTIAE];
  size_t n = 0;
  const double drop = range(&r, 0.08, 0.22);
  for (int i = 0; i < m.count + 8; ++i) {
    double x, y, angle;
    uint8_t type;
    if (i < m.count) {
      if (uniform(&r) < drop) continue;
      x = m.x[i];
      y = m.y[i];
      angle = m.angle[i];
      type = m.type[i];
      if (uniform(&r) < 0.1) type = type == BM_MINUTIA_RIDGE_ENDING ? BM_MINUTIA_BIFURCATION : BM_MINUTIA_RIDGE_ENDING;
    } else {
      if (uniform(&r) < 0.6) continue; /* about 3 spurious minutiae */
      x = m.cx + range(&r, -m.ax, m.ax);
      y = m.cy + range(&r, -m.ay, m.ay);
      if (!inside(&m, x, y)) continue;
      angle = range(&r, 0, 2 * kPi);
      type = uniform(&r) < 0.5 ? BM_MINUTIA_RIDGE_ENDING : BM_MINUTIA_BIFURCATION;
    }
    if (fabs(x - ox) > wx || fabs(y - oy) > wy) continue; /* outside the contact window */
    /* smooth distortion, then rigid motion about the finger centre, then noise */
    x += amplitude * sin(2 * kPi * y / 420.0 + phase1);
    y += amplitude * sin(2 * kPi * x / 380.0 + phase2);
    const double dx = x - m.cx, dy = y - m.cy;
    double X = m.cx + c * dx - s * dy + tx + 1.5 * normal(&r);
    double Y = m.cy + s * dx + c * dy + ty + 1.5 * normal(&r);
    /* Angles so far are image-coordinate angles (y down), which the rigid
     * motion turns by +rotation; a template angle is counter-clockwise on
     * screen, the negative of an image-coordinate angle. */
    double a = -(angle + rotation) + normal(&r) * 5.0 * kPi / 180.0;
    if (X < 1 || Y < 1 || X > BM_SYNTH_WIDTH - 2 || Y > BM_SYNTH_HEIGHT - 2) continue;
    a = fmod(a, 2 * kPi);
    if (a < 0) a += 2 * kPi;
    double degrees = a * 180.0 / kPi;
    if (degrees >= 360.0) degrees = 0.0;
    out_minutiae[n++] = (bm_minutia){(uint16_t)lround(X), (uint16_t)lround(Y), (float)degrees, type,
                                     (uint8_t)(40 + next_u64(&r) % 61), {0, 0}};
  }
  bm_template *tpl = NULL;
  bm_status status = bm_template_create(&tpl);
  if (status == BM_OK) status = bm_template_set_image(tpl, BM_SYNTH_WIDTH, BM_SYNTH_HEIGHT, 500.0, 500.0);
  if (status == BM_OK) status = bm_template_set_finger(tpl, position, BM_IMPRESSION_LIVE_PLAIN, BM_QUALITY_UNKNOWN);
  if (status == BM_OK) status = bm_template_set_minutiae(tpl, out_minutiae, n);
  if (status != BM_OK) {
    bm_template_free(tpl);
    return status;
  }
  *out = tpl;
  return BM_OK;
}
