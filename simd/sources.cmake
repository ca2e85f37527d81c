# SIMD kernel layer: dispatch plus one file per (kernel x ISA).
set(BM_SIMD_SOURCES)
