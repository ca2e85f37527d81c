/* The smallest false match rate biomatch reports for one comparison.
 *
 * Score-to-FMR calibrations are measured on a few thousand (fingers) to a
 * few hundred thousand (faces) impostor scores and extrapolated below that
 * by a fitted tail. Followed to high scores, such a tail yields rates like
 * 1e-94 that no measurement could support and that read as a claim of
 * certainty. Every single-comparison estimate is therefore floored here;
 * the gallery's fusion caps each comparison's term at the same value, so a
 * fused estimate gains certainty only from several independent parts. */
#ifndef BIOMATCH_UTIL_FMR_FLOOR_H
#define BIOMATCH_UTIL_FMR_FLOOR_H

#define BM_FMR_FLOOR_ 1e-12

#endif
