/* Kernel dispatch: one const table per tier, the best supported one chosen
 * once (pthread_once) and published through an atomic pointer, so there is
 * no racy lazily-initialised static. BM_FORCE_ISA, read during that first
 * initialisation, or bm_force_isa() may select a lower tier. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "kernels_internal.h"

#if defined(__AVX__)
#  error "dispatch.c must be compiled for baseline x86-64"
#endif

#define BM_KERNEL_TABLE_(isa_value, suffix, f32_batch, f16_batch, i8_batch)                                 \
  {isa_value,                    bm_hamming_scan_##suffix##_, bm_hamming_masked_scan_##suffix##_,            \
   bm_dot_f32_scan_##suffix##_,  bm_dot_f16_scan_##suffix##_, bm_dot_i8_scan_##suffix##_,                    \
   bm_select_at_least_##suffix##_, f32_batch, f16_batch, i8_batch}

static const bm_kernel_table_ scalar_table_ = BM_KERNEL_TABLE_(BM_ISA_SCALAR, scalar, NULL, NULL, NULL);
#if BM_ARCH_X86_64
static const bm_kernel_table_ avx2_table_ = BM_KERNEL_TABLE_(BM_ISA_AVX2, avx2, NULL, NULL, NULL);
static const bm_kernel_table_ avx512_table_ =
    BM_KERNEL_TABLE_(BM_ISA_AVX512, avx512, bm_dot_f32_batch_avx512_, bm_dot_f16_batch_avx512_,
                     bm_dot_i8_batch_avx512_);
#endif
#if BM_ARCH_AARCH64
static const bm_kernel_table_ neon_table_ = BM_KERNEL_TABLE_(BM_ISA_NEON, neon, NULL, NULL, NULL);
#endif

static pthread_once_t dispatch_once_ = PTHREAD_ONCE_INIT;
static _Atomic(const bm_kernel_table_ *) active_table_;
static const bm_kernel_table_ *best_table_;

const bm_kernel_table_ *bm_kernels_for_isa_(bm_isa isa) {
  switch (isa) {
    case BM_ISA_SCALAR:
      return &scalar_table_;
#if BM_ARCH_X86_64
    case BM_ISA_AVX2:
      return bm_cpu_supports_avx2_() ? &avx2_table_ : NULL;
    case BM_ISA_AVX512:
      return bm_cpu_supports_avx512_() ? &avx512_table_ : NULL;
#endif
#if BM_ARCH_AARCH64
    case BM_ISA_NEON:
      return bm_cpu_supports_neon_() ? &neon_table_ : NULL;
#endif
    default:
      return NULL;
  }
}

static void initialise_dispatch(void) {
  static const bm_isa best_first[] = {BM_ISA_AVX512, BM_ISA_AVX2, BM_ISA_NEON, BM_ISA_SCALAR};
  best_table_ = &scalar_table_;
  for (size_t i = 0; i < sizeof best_first / sizeof best_first[0]; ++i) {
    const bm_kernel_table_ *table = bm_kernels_for_isa_(best_first[i]);
    if (table) {
      best_table_ = table;
      break;
    }
  }
  const bm_kernel_table_ *chosen = best_table_;
  /* An unknown or unsupported BM_FORCE_ISA keeps the best tier: the library
   * must not print or fail here; bm_active_isa() shows what is in force. */
  const char *forced_name = getenv("BM_FORCE_ISA");
  bm_isa forced;
  if (forced_name && *forced_name && bm_isa_from_name(forced_name, &forced) == BM_OK) {
    const bm_kernel_table_ *forced_table = bm_kernels_for_isa_(forced);
    if (forced_table) chosen = forced_table;
  }
  atomic_store_explicit(&active_table_, chosen, memory_order_release);
}

const bm_kernel_table_ *bm_kernels_active_(void) {
  pthread_once(&dispatch_once_, initialise_dispatch);
  return atomic_load_explicit(&active_table_, memory_order_acquire);
}

bm_isa bm_active_isa(void) { return bm_kernels_active_()->isa; }

bm_isa bm_best_isa(void) {
  pthread_once(&dispatch_once_, initialise_dispatch);
  return best_table_->isa;
}

int bm_isa_is_supported(bm_isa isa) { return bm_kernels_for_isa_(isa) != NULL; }

const char *bm_isa_name(bm_isa isa) {
  switch (isa) {
    case BM_ISA_SCALAR:
      return "scalar";
    case BM_ISA_AVX2:
      return "avx2";
    case BM_ISA_AVX512:
      return "avx512";
    case BM_ISA_NEON:
      return "neon";
  }
  return "unknown";
}

bm_status bm_isa_from_name(const char *name, bm_isa *out_isa) {
  if (!name || !out_isa) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_isa_from_name: NULL argument");
  static const bm_isa all[] = {BM_ISA_SCALAR, BM_ISA_AVX2, BM_ISA_AVX512, BM_ISA_NEON};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; ++i) {
    if (strcmp(name, bm_isa_name(all[i])) == 0) {
      *out_isa = all[i];
      return BM_OK;
    }
  }
  return bm_fail_(BM_ERR_INVALID_ARGUMENT, "unknown instruction set '%s' (scalar, avx2, avx512, neon)", name);
}

bm_status bm_force_isa(bm_isa isa) {
  const bm_kernel_table_ *table = bm_kernels_for_isa_(isa);
  if (!table)
    return bm_fail_(BM_ERR_UNSUPPORTED, "instruction set %s is not supported by this CPU or build",
                    bm_isa_name(isa));
  pthread_once(&dispatch_once_, initialise_dispatch);
  atomic_store_explicit(&active_table_, table, memory_order_release);
  return BM_OK;
}
