/* Pairs the minutiae of two impressions for pictures: the matcher's score
 * does not say which minutiae matched, so the demo finds the rigid
 * alignment (rotation + translation) that most minutiae agree with, trying
 * the one proposed by each pair of minutiae, then pairs minutiae that fall
 * close after aligning. Only used to draw; scores come from the matcher. */
#ifndef BIOMATCH_CLI_MINUTIA_PAIRING_H
#define BIOMATCH_CLI_MINUTIA_PAIRING_H

#include <stddef.h>

#include "biomatch/biomatch.h"

typedef struct minutia_pair {
  size_t a, b; /* indices into the two templates' minutiae */
} minutia_pair;

/* Writes up to `capacity` pairs; returns how many. Coordinates are
 * compared in millimetres (each template's own ppi), so prints of
 * different resolutions pair correctly. */
size_t pair_minutiae(const bm_template *a, const bm_template *b, minutia_pair *pairs, size_t capacity);

#endif
