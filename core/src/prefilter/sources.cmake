# Gallery cascade prefilter: fixed-length per-finger codes and their SIMD
# scan (docs/prefilter.md).
set(BM_PREFILTER_SOURCES
  core/src/prefilter/encode.c
  core/src/prefilter/pair_features.c
  core/src/prefilter/cylinder_words.c
  core/src/prefilter/scan.c
  core/src/prefilter/select.c)
set(BM_PREFILTER_LIBS m)
