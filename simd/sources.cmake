# SIMD kernel layer: the dispatcher plus one file per (kernel x ISA).
# Files for another architecture compile to nothing.
set(BM_SIMD_SOURCES
  simd/cpu_features.c simd/dispatch.c simd/kernels_api.c simd/top_k.c simd/self_check.c simd/half_float.c
  simd/hamming_scalar.c simd/dot_scalar.c simd/select_scalar.c
  simd/hamming_avx2.c simd/dot_avx2.c simd/select_avx2.c
  simd/hamming_avx512.c simd/dot_avx512.c simd/select_avx512.c
  simd/hamming_neon.c simd/dot_neon.c simd/select_neon.c)
