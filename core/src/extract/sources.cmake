# Fingerprint images (PNG through libpng, raw buffers) and minutiae extraction.
find_package(PNG REQUIRED)
set(BM_EXTRACT_SOURCES
  core/src/extract/image.c
  core/src/extract/image_png.c
  core/src/extract/resample.c
  core/src/extract/ridge_field.c
  core/src/extract/ridge_frequency.c
  core/src/extract/normalise.c
  core/src/extract/enhance.c
  core/src/extract/pores.c
  core/src/extract/skeleton.c
  core/src/extract/minutiae.c
  core/src/extract/extract.c
  core/src/extract/overlay.c)
set(BM_EXTRACT_LIBS PNG::PNG m)
