#include "simd.h"

// Output channels per pass: 8 accumulators of 64 bytes fill 8 of AVX-512's 32 registers; on
// AVX2 each takes two of the 16, so 4 (8 registers) leaves room for the input and weights.
#define FB_AVX2 4
#define FB_AVX512 8

#define T float
#define V dl_vf32
#define L DL_LANES_F32
#define FB FB_AVX2
#define TARGET "avx2,fma"
#define NAME(x) CAT(x, _f32_avx2)
#include "conv_body.h"
#undef FB
#undef TARGET
#undef NAME
#define FB FB_AVX512
#define TARGET "avx512f,avx512vl,avx2,fma"
#define NAME(x) CAT(x, _f32_avx512)
#include "conv_body.h"
#undef T
#undef V
#undef L
#undef FB
#undef TARGET
#undef NAME

#define T double
#define V dl_vf64
#define L DL_LANES_F64
#define FB FB_AVX2
#define TARGET "avx2,fma"
#define NAME(x) CAT(x, _f64_avx2)
#include "conv_body.h"
#undef FB
#undef TARGET
#undef NAME
#define FB FB_AVX512
#define TARGET "avx512f,avx512vl,avx2,fma"
#define NAME(x) CAT(x, _f64_avx512)
#include "conv_body.h"
#undef T
#undef V
#undef L
#undef FB
#undef TARGET
#undef NAME

long dl_conv_block(int isa, bool f64) {
  (void)f64;
  return isa == DL_ISA_AVX512 ? FB_AVX512 : FB_AVX2;
}

// An ISA the caller did not check (DL_ISA_NONE) takes the AVX2 variant only if the CPU has it;
// callers select kernels with dl_isa_selected() first, so this is a guard, not a path.
#define DISPATCH(prefix, suffix, ...)                                   \
  do {                                                                  \
    if (isa == DL_ISA_AVX512) prefix##_##suffix##_avx512(__VA_ARGS__); \
    else prefix##_##suffix##_avx2(__VA_ARGS__);                         \
  } while (0)

void dl_conv_direct_f32(int isa, const float *xp, long channels, long hp, long xw,
                        const float *wp, const float *bias, float *y, long outs, long oh,
                        long ow, long kh, long kw) {
  DISPATCH(direct, f32, xp, channels, hp, xw, wp, bias, y, outs, oh, ow, kh, kw);
}

void dl_conv_direct_f64(int isa, const double *xp, long channels, long hp, long xw,
                        const double *wp, const double *bias, double *y, long outs, long oh,
                        long ow, long kh, long kw) {
  DISPATCH(direct, f64, xp, channels, hp, xw, wp, bias, y, outs, oh, ow, kh, kw);
}

void dl_conv_weight_grad_f32(int isa, const float *xp, const float *dyp, long samples,
                             long channels, long hp, long xw, long outsPadded, long dyh,
                             long dyw, long dyRowOffset, long dyColOffset, long oh, long ow,
                             long kh, long kw, long c, long o0, long outs, long tapBegin,
                             long tapEnd, float *dw,
                             bool accumulate) {
  DISPATCH(wgrad, f32, xp, dyp, samples, channels, hp, xw, outsPadded, dyh, dyw, dyRowOffset,
           dyColOffset, oh, ow, kh, kw, c, o0, outs, tapBegin, tapEnd, dw, accumulate);
}

void dl_conv_weight_grad_f64(int isa, const double *xp, const double *dyp, long samples,
                             long channels, long hp, long xw, long outsPadded, long dyh,
                             long dyw, long dyRowOffset, long dyColOffset, long oh, long ow,
                             long kh, long kw, long c, long o0, long outs, long tapBegin,
                             long tapEnd, double *dw,
                             bool accumulate) {
  DISPATCH(wgrad, f64, xp, dyp, samples, channels, hp, xw, outsPadded, dyh, dyw, dyRowOffset,
           dyColOffset, oh, ow, kh, kw, c, o0, outs, tapBegin, tapEnd, dw, accumulate);
}

// Padding: plain copies, compiled per ISA like the kernels (restrict: no alias checks per
// row); no_builtin keeps the short row loops inline and vectorised instead of turning them into
// memset/memcpy calls for rows of a few dozen elements.
#define PAD_BODY(T)                                                        \
  for (long p = 0; p < planes; p++) {                                      \
    const T *restrict s = src + p * height * width;                        \
    T *restrict d = dst + p * rows * rowLength;                            \
    for (long r = 0; r < rows; r++) {                                      \
      T *restrict row = d + r * rowLength;                                 \
      const long sr = r - top;                                             \
      if (sr < 0 || sr >= height) {                                        \
        for (long j = 0; j < rowLength; j++) row[j] = 0;                   \
        continue;                                                          \
      }                                                                    \
      const T *restrict in = s + sr * width;                               \
      for (long j = 0; j < left; j++) row[j] = 0;                          \
      for (long j = 0; j < width; j++) row[left + j] = in[j];              \
      for (long j = left + width; j < rowLength; j++) row[j] = 0;          \
    }                                                                      \
  }

#define PAD_FUNCTION(T, suffix, isa_target)                                                    \
  __attribute__((target(isa_target), no_builtin("memset", "memcpy"))) static void pad_##suffix( \
      const T *restrict src, long planes, long height, long width, long top, long left,     \
      T *restrict dst, long rows, long rowLength) {                                         \
    PAD_BODY(T)                                                                            \
  }
PAD_FUNCTION(float, f32_avx2, "avx2,fma")
PAD_FUNCTION(float, f32_avx512, "avx512f,avx512vl,avx2,fma")
PAD_FUNCTION(double, f64_avx2, "avx2,fma")
PAD_FUNCTION(double, f64_avx512, "avx512f,avx512vl,avx2,fma")

__attribute__((no_builtin("memset", "memcpy"))) static void pad_f32_base(
    const float *restrict src, long planes, long height, long width, long top, long left,
    float *restrict dst, long rows, long rowLength) {
  PAD_BODY(float)
}
__attribute__((no_builtin("memset", "memcpy"))) static void pad_f64_base(
    const double *restrict src, long planes, long height, long width, long top, long left,
    double *restrict dst, long rows, long rowLength) {
  PAD_BODY(double)
}

void dl_pad_planes_f32(const float *src, long planes, long height, long width, long top,
                       long left, float *dst, long rows, long rowLength) {
  const int isa = dl_isa_selected();
  if (isa == DL_ISA_AVX512) pad_f32_avx512(src, planes, height, width, top, left, dst, rows, rowLength);
  else if (isa == DL_ISA_AVX2) pad_f32_avx2(src, planes, height, width, top, left, dst, rows, rowLength);
  else pad_f32_base(src, planes, height, width, top, left, dst, rows, rowLength);
}

void dl_pad_planes_f64(const double *src, long planes, long height, long width, long top,
                       long left, double *dst, long rows, long rowLength) {
  const int isa = dl_isa_selected();
  if (isa == DL_ISA_AVX512) pad_f64_avx512(src, planes, height, width, top, left, dst, rows, rowLength);
  else if (isa == DL_ISA_AVX2) pad_f64_avx2(src, planes, height, width, top, left, dst, rows, rowLength);
  else pad_f64_base(src, planes, height, width, top, left, dst, rows, rowLength);
}

// 16 (8) running sums, one per lane, then the lanes in order: vectorised, and the same bits on
// every machine.
#define SUM_BODY(T, V, LANES)                                 \
  V acc = (V)0;                                               \
  long i = 0;                                                 \
  for (; i + LANES <= count; i += LANES) {                    \
    V v;                                                      \
    __builtin_memcpy(&v, x + i, sizeof v);                    \
    acc = acc + v;                                            \
  }                                                           \
  T lanes[LANES];                                             \
  __builtin_memcpy(lanes, &acc, sizeof lanes);                \
  T s = 0;                                                    \
  for (int l = 0; l < LANES; l++) s += lanes[l];              \
  for (; i < count; i++) s += x[i];                           \
  return s;

float dl_sum_f32(const float *x, long count) { SUM_BODY(float, dl_vf32, DL_LANES_F32) }
double dl_sum_f64(const double *x, long count) { SUM_BODY(double, dl_vf64, DL_LANES_F64) }
