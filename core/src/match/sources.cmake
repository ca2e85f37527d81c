# Fingerprint 1:1 matcher (Minutia Cylinder-Code), docs/matcher.md.
set(BM_MATCH_SOURCES
  core/src/match/prepare.c
  core/src/match/cylinder_similarity_scalar.c
  core/src/match/cylinder_similarity_avx2.c
  core/src/match/cylinder_similarity_avx512.c
  core/src/match/square_roots.c
  core/src/match/consolidate.c
  core/src/match/match.c
  core/src/match/calibration.c
  core/src/match/impostor_table.c
  core/src/util/mcc_geometry.c)  # cylinder geometry, shared with the prefilter
find_package(Threads REQUIRED)
set(BM_MATCH_LIBS m Threads::Threads)
