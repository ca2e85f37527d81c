/* SYNTHETIC fingerprint minutiae for scale tests of the gallery: not real
 * fingers. Deterministic from (finger, impression) numbers, so any
 * impression can be regenerated anywhere without storing it.
 *
 * A finger ("master") is a pattern class (arch, loop, whorl) with its
 * singular points, a ridge orientation field from the Sherlock-Monro
 * zero-pole model, an elliptical finger area of realistic size at 500 ppi
 * and 25-70 minutiae placed with a minimum spacing of 1.2 ridge periods,
 * each pointing along the local ridge orientation (one of its two senses),
 * ridge endings and bifurcations in equal shares.
 *
 * An impression of a master applies what a capture does: a partial contact
 * area (cropping to a random window of 80-100% of the finger's extent), rotation up to +-25
 * degrees, translation up to +-30 px, a smooth non-linear distortion of up
 * to ~6 px, positional (sigma 2 px) and angular (sigma 6 degrees) noise,
 * about 15% of minutiae dropped and a few spurious ones added. */
#ifndef BIOMATCH_BENCH_SYNTHETIC_MINUTIAE_H
#define BIOMATCH_BENCH_SYNTHETIC_MINUTIAE_H

#include <stdint.h>

#include "biomatch/bm_template.h"

/* Image geometry of every synthetic template: 500 ppi, this many pixels. */
enum { BM_SYNTH_WIDTH = 480, BM_SYNTH_HEIGHT = 560 };

/* Impression `impression` of synthetic finger `finger` (both free numbers;
 * impressions of one finger are mates, of different fingers impostors).
 * Finger position is set to `position` (0..10). */
bm_status bm_synth_template(uint64_t finger, uint32_t impression, unsigned position, bm_template **out);

#endif
