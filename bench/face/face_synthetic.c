/* Clustered synthetic face embeddings (see face_synthetic.h).
 *
 * Why this model: independent random directions in 512 dimensions are all
 * nearly orthogonal (cosine ~ 0 +- 0.044), so the exact top-10 of a query
 * is its few mates followed by near-ties of noise that no approximate index
 * can be expected to reproduce, and no index is rewarded for finding real
 * neighbours. Real face embeddings are not like that. On LFW FaceNet-512
 * (../shared/data/lfw_facenet512) mates score 0.63 +- 0.15 and impostors
 * 0.04 +- 0.16: impostor scores spread almost four times wider than random
 * directions, because the embeddings use few effective dimensions and
 * people resemble each other. The model reproduces both facts with parts
 * that each have a reason:
 *
 * - a spectrum: every random direction (person, group, noise) draws its
 *   coordinates with standard deviations falling as a power law of their
 *   rank (in a shuffled order of the coordinates, so no product-quantiser
 *   block holds all the variance), as the principal components of real
 *   embeddings do. The exponent sets the effective dimension and thereby
 *   the impostor spread;
 * - a common direction shared by everybody (share GLOBAL_SHARE of a
 *   person's centre): real embeddings are not centred, which gives
 *   impostors their positive mean;
 * - look-alike groups (about 64 people each, share GROUP_SHARE of the
 *   centre): people who resemble each other, so that beyond a query's
 *   mates the exact top-10 holds real neighbours separated by score gaps;
 * - samples: 2 to 6 per person (a registry re-enrols people), each the
 *   person's centre mixed with noise. The weight q of the centre varies per
 *   sample like image quality does; two mates then score q1 * q2, so the
 *   mean and spread of q follow from the LFW mate mean and spread
 *   (E[q]^2 = 0.63 and (E[q]^2 + var q)^2 - E[q]^4 = 0.15^2, before the
 *   small extra spread of the noise terms).
 *
 * The constants were set so that bm_face_synthetic_check's synthetic mate
 * and impostor means and spreads match the LFW ones (it prints both); they
 * were not chosen from any search result. */
#include "face_synthetic.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SPECTRUM_EXPONENT 1.0
#define GLOBAL_SHARE 0.07
#define GROUP_SHARE 0.30
#define QUALITY_MEAN 0.794
#define QUALITY_SPREAD 0.136
#define QUALITY_LOWEST 0.30
#define QUALITY_HIGHEST 0.99
enum { PEOPLE_PER_GROUP = 64, FEWEST_SAMPLES = 2, MOST_SAMPLES = 6 };
enum { STREAM_SPECTRUM = 1, STREAM_GLOBAL, STREAM_GROUP, STREAM_MEMBERSHIP, STREAM_PERSON, STREAM_SAMPLE };

typedef struct random_stream {
  uint64_t state;
} random_stream;

static uint64_t mix(uint64_t x) {
  x ^= x >> 30, x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27, x *= 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/* An independent stream for each (kind, a, b): vectors do not depend on the order they are made in. */
static random_stream stream_for(uint64_t seed, uint64_t kind, uint64_t a, uint64_t b) {
  random_stream stream = {mix(mix(mix(seed ^ kind) ^ a) + b)};
  return stream;
}

static uint64_t next(random_stream *stream) {
  stream->state += 0x9E3779B97F4A7C15ULL;
  return mix(stream->state);
}

static double uniform(random_stream *stream) { return ((double)(next(stream) >> 11) + 0.5) / 9007199254740992.0; }

static double gaussian(random_stream *stream) {
  const double u = uniform(stream), v = uniform(stream);
  return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static void normalise(float *v) {
  double norm = 0;
  for (int d = 0; d < FACE_SYNTHETIC_DIMENSION; ++d) norm += (double)v[d] * v[d];
  const float scale = (float)(1.0 / sqrt(norm));
  for (int d = 0; d < FACE_SYNTHETIC_DIMENSION; ++d) v[d] *= scale;
}

/* A unit direction drawn with the model's spectrum. */
static void random_direction(const face_synthetic *model, random_stream *stream, float *out) {
  for (int d = 0; d < FACE_SYNTHETIC_DIMENSION; ++d) out[d] = (float)(model->spread[d] * gaussian(stream));
  normalise(out);
}

float face_synthetic_cosine(const float *a, const float *b) {
  double sum = 0;
  for (int d = 0; d < FACE_SYNTHETIC_DIMENSION; ++d) sum += (double)a[d] * b[d];
  return (float)sum;
}

int face_synthetic_create(face_synthetic *model, size_t vector_count, uint64_t seed) {
  memset(model, 0, sizeof *model);
  model->seed = seed;
  /* Spectrum: variance of the coordinate of rank r proportional to (r + 1)^-exponent, ranks shuffled. */
  int rank[FACE_SYNTHETIC_DIMENSION];
  for (int d = 0; d < FACE_SYNTHETIC_DIMENSION; ++d) rank[d] = d;
  random_stream stream = stream_for(seed, STREAM_SPECTRUM, 0, 0);
  for (int d = FACE_SYNTHETIC_DIMENSION - 1; d > 0; --d) {
    const int other = (int)(next(&stream) % (uint64_t)(d + 1)), kept = rank[d];
    rank[d] = rank[other], rank[other] = kept;
  }
  double total = 0;
  for (int d = 0; d < FACE_SYNTHETIC_DIMENSION; ++d) total += pow(rank[d] + 1.0, -SPECTRUM_EXPONENT);
  for (int d = 0; d < FACE_SYNTHETIC_DIMENSION; ++d)
    model->spread[d] = (float)sqrt(pow(rank[d] + 1.0, -SPECTRUM_EXPONENT) / total);
  stream = stream_for(seed, STREAM_GLOBAL, 0, 0);
  random_direction(model, &stream, model->global_direction);

  /* People: 2..6 samples each until the requested count is reached (the last one cut short). */
  const size_t capacity = vector_count / FEWEST_SAMPLES + 2;
  model->first_sample = malloc((capacity + 1) * sizeof *model->first_sample);
  model->group_of = malloc(capacity * sizeof *model->group_of);
  if (!model->first_sample || !model->group_of) return face_synthetic_free(model), -1;
  size_t people = 0, rows = 0;
  model->first_sample[0] = 0;
  while (rows < vector_count) {
    random_stream person = stream_for(seed, STREAM_MEMBERSHIP, people, 0);
    size_t samples = FEWEST_SAMPLES + (size_t)(next(&person) % (MOST_SAMPLES - FEWEST_SAMPLES + 1));
    if (samples > vector_count - rows) samples = vector_count - rows;
    rows += samples;
    model->first_sample[++people] = rows;
  }
  model->person_count = people;
  model->vector_count = rows;
  model->group_count = people / PEOPLE_PER_GROUP > 0 ? people / PEOPLE_PER_GROUP : 1;
  for (size_t p = 0; p < people; ++p) {
    random_stream person = stream_for(seed, STREAM_MEMBERSHIP, p, 1);
    model->group_of[p] = (uint32_t)(next(&person) % model->group_count);
  }
  model->group_centres = malloc(model->group_count * FACE_SYNTHETIC_DIMENSION * sizeof *model->group_centres);
  if (!model->group_centres) return face_synthetic_free(model), -1;
  for (size_t g = 0; g < model->group_count; ++g) {
    stream = stream_for(seed, STREAM_GROUP, g, 0);
    random_direction(model, &stream, model->group_centres + g * FACE_SYNTHETIC_DIMENSION);
  }
  return 0;
}

void face_synthetic_free(face_synthetic *model) {
  free(model->first_sample);
  free(model->group_of);
  free(model->group_centres);
  memset(model, 0, sizeof *model);
}

void face_synthetic_person(const face_synthetic *model, size_t person, float *centre) {
  random_stream stream = stream_for(model->seed, STREAM_PERSON, person, 0);
  random_direction(model, &stream, centre);
  const float *group = model->group_centres + (size_t)model->group_of[person] * FACE_SYNTHETIC_DIMENSION;
  const float own = (float)sqrt(1.0 - GLOBAL_SHARE - GROUP_SHARE), shared = (float)sqrt(GROUP_SHARE),
              common = (float)sqrt(GLOBAL_SHARE);
  for (int d = 0; d < FACE_SYNTHETIC_DIMENSION; ++d)
    centre[d] = own * centre[d] + shared * group[d] + common * model->global_direction[d];
  normalise(centre);
}

void face_synthetic_sample(const face_synthetic *model, size_t person, uint64_t sample, const float *centre,
                           float *out) {
  random_stream stream = stream_for(model->seed, STREAM_SAMPLE, person, sample);
  double quality = QUALITY_MEAN + QUALITY_SPREAD * gaussian(&stream);
  quality = quality < QUALITY_LOWEST ? QUALITY_LOWEST : quality > QUALITY_HIGHEST ? QUALITY_HIGHEST : quality;
  random_direction(model, &stream, out);
  const float keep = (float)quality, noise = (float)sqrt(1.0 - quality * quality);
  for (int d = 0; d < FACE_SYNTHETIC_DIMENSION; ++d) out[d] = keep * centre[d] + noise * out[d];
  normalise(out);
}
