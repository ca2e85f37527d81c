/* Writes a deterministic SYNTHETIC data set for the MPI tests (templates
 * from bench/gallery's minutiae generator, faces from the gallery tests'
 * embedding generator: not real people) into DIR:
 *   DIR/enroll.txt   "ID POSITION PATH" lines, then "delete ID" lines
 *   DIR/probes.txt   one probe specification per line
 * Persons p = 0..N-1 are enrolled as "person-p" (fingers 1, 2 and, for
 * every third person, 7; a face when a dimension is given). Every 7th
 * person is enrolled again as "dup-p" (other impressions: a duplicate
 * pair), every 21st a third time as "trip-p" (a cluster of three); every
 * 13th person also holds a finger of unknown position; every 11th is
 * deleted at the end. Probes: multi-finger, single finger at a position,
 * latent (unknown position), face-only and face+finger when faces exist,
 * a deleted person and an impostor.
 *
 *   mpi_make_dataset DIR PERSONS [FACE_DIMENSION] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/gallery/synthetic_minutiae.h"
#include "biomatch/biomatch.h"
#include "tests/gallery/gallery_fixtures.h"

static const char *directory;

static void must(bm_status status, const char *what) {
  if (status != BM_OK) {
    fprintf(stderr, "mpi_make_dataset: %s: %s %s\n", what, bm_error_name(status), bm_last_error_message());
    exit(1);
  }
}

/* Writes impression `impression` of finger (person, position) once; returns its path. */
static const char *finger_file(unsigned long person, unsigned position, unsigned impression) {
  static char path[4096];
  snprintf(path, sizeof path, "%s/f%06lu_%02u_%u.bmt", directory, person, position, impression);
  bm_template *tpl = NULL;
  must(bm_synth_template((uint64_t)person * 16 + position, impression, position, &tpl), "synthetic template");
  must(bm_template_write_file(tpl, BM_FORMAT_BIOMATCH, 0, path), path);
  bm_template_free(tpl);
  return path;
}

static const char *face_file(unsigned long person, float noise, unsigned long noise_seed, size_t dimension) {
  static char path[4096];
  snprintf(path, sizeof path, "%s/face%06lu_%lu.f32", directory, person, noise_seed);
  float *face = malloc(dimension * sizeof *face);
  if (!face) exit(1);
  gf_embedding(person, noise, noise_seed, face, dimension);
  FILE *file = fopen(path, "wb");
  if (!file || fwrite(face, sizeof *face, dimension, file) != dimension || fclose(file) != 0) {
    fprintf(stderr, "mpi_make_dataset: %s: %s\n", path, strerror(errno));
    exit(1);
  }
  free(face);
  return path;
}

static void enrol_person(FILE *list, const char *id, unsigned long person, unsigned impression, size_t face_dimension,
                         unsigned long face_seed) {
  fprintf(list, "%s 1 %s\n", id, finger_file(person, 1, impression));
  fprintf(list, "%s 2 %s\n", id, finger_file(person, 2, impression));
  if (person % 3 == 0) fprintf(list, "%s 7 %s\n", id, finger_file(person, 7, impression));
  if (person % 13 == 0) fprintf(list, "%s 0 %s\n", id, finger_file(person, 9, impression));
  if (face_dimension) fprintf(list, "%s face %s\n", id, face_file(person, face_seed ? 0.3f : 0.0f, face_seed, face_dimension));
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: mpi_make_dataset DIR PERSONS [FACE_DIMENSION]\n");
    return 2;
  }
  directory = argv[1];
  const unsigned long persons = strtoul(argv[2], NULL, 10);
  const size_t face_dimension = argc > 3 ? strtoul(argv[3], NULL, 10) : 0;
  if (mkdir(directory, 0755) != 0 && errno != EEXIST) {
    fprintf(stderr, "mpi_make_dataset: %s: %s\n", directory, strerror(errno));
    return 1;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/enroll.txt", directory);
  FILE *list = fopen(path, "w");
  snprintf(path, sizeof path, "%s/probes.txt", directory);
  FILE *probes = fopen(path, "w");
  if (!list || !probes) return 1;
  char id[64];
  for (unsigned long p = 0; p < persons; ++p) {
    snprintf(id, sizeof id, "person-%05lu", p);
    enrol_person(list, id, p, 0, face_dimension, 0);
    if (p % 7 == 0) {
      snprintf(id, sizeof id, "dup-%05lu", p);
      enrol_person(list, id, p, 1, face_dimension, 1);
    }
    if (p % 21 == 0) {
      snprintf(id, sizeof id, "trip-%05lu", p);
      enrol_person(list, id, p, 2, face_dimension, 2);
    }
  }
  for (unsigned long p = 0; p < persons; p += 11) fprintf(list, "delete person-%05lu\n", p);
  for (unsigned long p = 1; p < persons; p += 5) {
    /* each path is written before the next call reuses the static buffer */
    fprintf(probes, "1:%s", finger_file(p, 1, 3));
    fprintf(probes, ",2:%s\n", finger_file(p, 2, 3));
    if (p % 2) fprintf(probes, "%s\n", finger_file(p, 1, 4)); /* plain path: --position applies */
    if (p % 3 == 0) {
      fprintf(probes, "0:%s\n", finger_file(p, 7, 5)); /* latent: unknown position */
    }
    if (face_dimension && p % 4 == 1) {
      fprintf(probes, "face:%s", face_file(p, 0.3f, 9, face_dimension));
      fprintf(probes, ",2:%s\n", finger_file(p, 2, 6));
      fprintf(probes, "face:%s\n", face_file(p, 0.3f, 10, face_dimension));
    }
  }
  fprintf(probes, "1:%s\n", finger_file(0, 1, 3));           /* person-00000 was deleted; dup/trip remain */
  fprintf(probes, "1:%s\n", finger_file(persons + 1000, 1, 0)); /* nobody */
  if (fclose(list) != 0 || fclose(probes) != 0) return 1;
  return 0;
}
