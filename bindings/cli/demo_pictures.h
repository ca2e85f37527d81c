/* Pictures of `biomatch demo`: minutiae over a fingerprint image (or a
 * white page for synthetic templates, which have no image) and the
 * side-by-side match picture with paired minutiae joined by lines. */
#ifndef BIOMATCH_CLI_DEMO_PICTURES_H
#define BIOMATCH_CLI_DEMO_PICTURES_H

#include "biomatch/biomatch.h"
#include "minutia_pairing.h"

/* Writes tpl's minutiae (endings red, bifurcations green, others yellow,
 * each a circle with a tick along its direction) over `image` (may be NULL).
 * Returns the library status of the PNG write. */
bm_status write_minutiae_picture(const char *path, const bm_template *tpl, const bm_image *image);

/* Writes A (left) and B (right) side by side, each with its minutiae, and a
 * line from each minutia of A to its partner in B. Images may be NULL. */
bm_status write_match_picture(const char *path, const bm_template *a, const bm_image *image_a, const bm_template *b,
                              const bm_image *image_b, const minutia_pair *pairs, size_t pair_count);

#endif
