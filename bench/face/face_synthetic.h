/* Clustered synthetic face embeddings for the approximate-search benchmark:
 * a registry of people with several samples each, whose score
 * distributions are calibrated against real embeddings (LFW FaceNet-512,
 * measured by bm_face_synthetic_check). The model and the reasons for each
 * part are in face_synthetic.c. Every vector is a pure function of the
 * model's seed and its (person, sample) number, so a run of any size is
 * reproducible and queries need no stored state. Not thread-safe to create;
 * a created model may be read by any number of threads. */
#ifndef BIOMATCH_BENCH_FACE_SYNTHETIC_H
#define BIOMATCH_BENCH_FACE_SYNTHETIC_H

#include <stddef.h>
#include <stdint.h>

enum { FACE_SYNTHETIC_DIMENSION = 512 };

typedef struct face_synthetic {
  size_t person_count;
  size_t group_count;
  size_t vector_count;   /* enrolled samples of all people */
  size_t *first_sample;  /* person p's samples are rows first_sample[p] .. first_sample[p + 1] - 1 */
  uint32_t *group_of;    /* look-alike group of each person */
  float *group_centres;  /* group_count x DIMENSION unit vectors */
  float spread[FACE_SYNTHETIC_DIMENSION]; /* standard deviation of each coordinate of a random direction */
  float global_direction[FACE_SYNTHETIC_DIMENSION];
  uint64_t seed;
} face_synthetic;

/* Plans a registry of about `vector_count` enrolled samples (rounded to
 * whole people). Returns 0, or -1 when out of memory. */
int face_synthetic_create(face_synthetic *model, size_t vector_count, uint64_t seed);
void face_synthetic_free(face_synthetic *model);

/* Unit-length identity centre of `person` (before sample noise). */
void face_synthetic_person(const face_synthetic *model, size_t person, float *centre);
/* Unit-length sample `sample` of the person with centre `centre`: enrolled
 * samples use 0 .. (count - 1); queries use other numbers (fresh samples). */
void face_synthetic_sample(const face_synthetic *model, size_t person, uint64_t sample, const float *centre,
                           float *out);

/* Cosine of two unit vectors (the calibration check's score). */
float face_synthetic_cosine(const float *a, const float *b);

#endif
