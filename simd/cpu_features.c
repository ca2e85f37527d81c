/* What the CPU and the operating system support. On x86 a CPUID bit only
 * says the CPU has an instruction set; the OS must also save its registers
 * on context switch, which XGETBV reports through XCR0. Without that check
 * an AVX-512 kernel could run on a kernel that does not preserve ZMM state. */
#include "kernels_internal.h"

#if defined(__AVX__)
#  error "cpu_features.c must be compiled for baseline x86-64: a global -mavx flag would leak AVX into it"
#endif

#if BM_ARCH_X86_64
#  include <cpuid.h>

enum {
  XCR0_SSE = 1u << 1,
  XCR0_AVX = 1u << 2,
  XCR0_OPMASK = 1u << 5,
  XCR0_ZMM_HI256 = 1u << 6,
  XCR0_HI16_ZMM = 1u << 7
};

static uint64_t read_xcr0(void) {
  uint32_t low, high;
  __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
  return ((uint64_t)high << 32) | low;
}

typedef struct x86_features {
  int avx2, avx512;
} x86_features;

static x86_features detect_x86(void) {
  x86_features features = {0, 0};
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return features;
  const int osxsave = (ecx >> 27) & 1, avx = (ecx >> 28) & 1, fma = (ecx >> 12) & 1, f16c = (ecx >> 29) & 1,
            popcnt = (ecx >> 23) & 1;
  if (!osxsave || !avx) return features;
  const uint64_t xcr0 = read_xcr0();
  const int os_saves_ymm = (xcr0 & (XCR0_SSE | XCR0_AVX)) == (XCR0_SSE | XCR0_AVX);
  const int os_saves_zmm = os_saves_ymm && (xcr0 & (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)) ==
                                               (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM);
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return features;
  const int avx2 = (ebx >> 5) & 1, bmi1 = (ebx >> 3) & 1, bmi2 = (ebx >> 8) & 1;
  const int avx512f = (ebx >> 16) & 1, avx512dq = (ebx >> 17) & 1, avx512bw = (ebx >> 30) & 1,
            avx512vl = (ebx >> 31) & 1, avx512vnni = (ecx >> 11) & 1, avx512vpopcntdq = (ecx >> 14) & 1;
  features.avx2 = os_saves_ymm && avx2 && fma && f16c && popcnt && bmi1 && bmi2;
  features.avx512 = features.avx2 && os_saves_zmm && avx512f && avx512dq && avx512bw && avx512vl && avx512vnni &&
                    avx512vpopcntdq;
  return features;
}

int bm_cpu_supports_avx2_(void) { return detect_x86().avx2; }
int bm_cpu_supports_avx512_(void) { return detect_x86().avx512; }
int bm_cpu_supports_neon_(void) { return 0; }

#elif BM_ARCH_AARCH64
#  include <sys/auxv.h>
#  ifndef HWCAP_ASIMD
#    define HWCAP_ASIMD (1 << 1)
#  endif

int bm_cpu_supports_avx2_(void) { return 0; }
int bm_cpu_supports_avx512_(void) { return 0; }
int bm_cpu_supports_neon_(void) { return (getauxval(AT_HWCAP) & HWCAP_ASIMD) != 0; }

#else

int bm_cpu_supports_avx2_(void) { return 0; }
int bm_cpu_supports_avx512_(void) { return 0; }
int bm_cpu_supports_neon_(void) { return 0; }

#endif
