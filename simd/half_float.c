/* IEEE-754 binary16 <-> binary32 conversion in portable C. The f16 kernels
 * convert in hardware (F16C, AVX-512, NEON); this is their reference and the
 * path for tails and for machines without conversion instructions. */
#include <string.h>

#include "kernels_internal.h"

static uint32_t float_bits(float value) {
  uint32_t bits;
  memcpy(&bits, &value, sizeof bits);
  return bits;
}

static float bits_float(uint32_t bits) {
  float value;
  memcpy(&value, &bits, sizeof value);
  return value;
}

float bm_f16_to_f32_scalar_(uint16_t half) {
  const uint32_t sign = (uint32_t)(half & 0x8000u) << 16;
  const uint32_t exponent = (half >> 10) & 0x1fu;
  uint32_t mantissa = half & 0x3ffu;
  if (exponent == 0x1f) return bits_float(sign | 0x7f800000u | (mantissa << 13)); /* inf, NaN */
  if (exponent != 0) return bits_float(sign | ((exponent + 112u) << 23) | (mantissa << 13));
  if (mantissa == 0) return bits_float(sign); /* signed zero */
  /* Subnormal half: value = mantissa * 2^-24, exactly representable. */
  const float magnitude = (float)mantissa * 0x1p-24f;
  return sign ? -magnitude : magnitude;
}

uint16_t bm_f32_to_f16_scalar_(float value) {
  const uint32_t bits = float_bits(value);
  const uint16_t sign = (uint16_t)((bits >> 16) & 0x8000u);
  const uint32_t exponent = (bits >> 23) & 0xffu;
  const uint32_t mantissa = bits & 0x7fffffu;
  if (exponent == 0xff) /* inf stays inf; NaN stays a quiet NaN with its top payload bits */
    return (uint16_t)(sign | 0x7c00u | (mantissa ? (0x200u | (mantissa >> 13)) : 0u));
  const int unbiased = (int)exponent - 127;
  if (unbiased > 15) return (uint16_t)(sign | 0x7c00u); /* overflow -> inf */
  if (unbiased >= -14) {
    /* Normal half: keep 10 mantissa bits, round to nearest even on the 13 dropped. */
    uint32_t half = ((uint32_t)(unbiased + 15) << 10) | (mantissa >> 13);
    const uint32_t dropped = mantissa & 0x1fffu;
    if (dropped > 0x1000u || (dropped == 0x1000u && (half & 1u))) ++half; /* may carry into inf: correct */
    return (uint16_t)(sign | half);
  }
  if (unbiased < -25) return sign; /* below half the smallest subnormal -> zero */
  /* Subnormal half: value / 2^-24 rounded to nearest even. */
  const uint32_t full = mantissa | 0x800000u;  /* 24-bit significand */
  const int shift = -unbiased - 14 + 13;       /* 14..24 */
  uint32_t half = full >> shift;
  const uint32_t remainder = full & ((1u << shift) - 1u), halfway = 1u << (shift - 1);
  if (remainder > halfway || (remainder == halfway && (half & 1u))) ++half;
  return (uint16_t)(sign | half);
}
