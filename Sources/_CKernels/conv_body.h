// The direct-convolution kernels, written once and stamped out per element type and ISA by
// conv_direct.c, which defines before including this file:
//   T       float or double           V   a vector of L T's (ext_vector_type: 64 bytes)
//   L       lanes of V                FB  output channels per pass (accumulators in registers)
//   NAME(x) x with the variant's suffix   TARGET  the ISA's __attribute__((target)) string
//
// V is 64 bytes whatever the ISA: AVX-512 holds it in one register, AVX2 in two. Every lane is
// computed by the same chain of fused multiply-adds in the same order on both, so the variants
// differ in speed only, never in bits.

#include "simd.h"

__attribute__((target(TARGET))) static void NAME(direct)(const T *xp, long channels, long hp,
                                                         long xw, const T *wp, const T *bias,
                                                         T *y, long outs, long oh, long ow,
                                                         long kh, long kw) {
  const long taps = channels * kh * kw;
  for (long o0 = 0; o0 < outs; o0 += FB) {
    const T *wb = wp + (o0 / FB) * taps * FB;
    const long nb = outs - o0 < FB ? outs - o0 : FB;
    for (long i = 0; i < oh; i++) {
      for (long j0 = 0; j0 < ow; j0 += L) {
        V acc[FB];
        for (int b = 0; b < FB; b++) acc[b] = (V)0;
        // Taps in (c, u, v) order; wb holds FB weights per tap side by side.
        for (long c = 0; c < channels; c++) {
          for (long u = 0; u < kh; u++) {
            const T *row = xp + (c * hp + i + u) * xw + j0;
            const T *wk = wb + (c * kh + u) * kw * FB;
            for (long v = 0; v < kw; v++) {
              const V xv = DL_LOAD(V, row + v);
              for (int b = 0; b < FB; b++)
                acc[b] = __builtin_elementwise_fma((V)wk[v * FB + b], xv, acc[b]);
            }
          }
        }
        const long nj = ow - j0 < L ? ow - j0 : L;
        // b runs to the constant FB (not nb) so acc[] is indexed by constants only and stays
        // in registers through the tap loop.
        for (int b = 0; b < FB; b++) {
          if (b >= nb) break;
          V r = acc[b];
          if (bias) r = r + (V)bias[o0 + b];
          T *out = y + ((o0 + b) * oh + i) * ow + j0;
          // A partial chunk is stored whole when the lanes past the row stay inside the same
          // plane: they land on later rows, which later iterations overwrite. Near the end of
          // a plane it stores lane by lane (the overflow would reach another output channel,
          // already written, or another sample).
          if (nj == L || i * ow + j0 + L <= oh * ow) {
            __builtin_memcpy(out, &r, sizeof r);
          } else {
            T lanes[L];
            __builtin_memcpy(lanes, &r, sizeof r);
            for (long j = 0; j < nj; j++) out[j] = lanes[j];
          }
        }
      }
    }
  }
}

// Taps whose partial sums are kept at once (TG·FB vectors on the stack); larger kernels take
// several passes over the samples.
#ifndef DL_TAP_GROUP
#define DL_TAP_GROUP 15  // a multiple of 3, so 3-wide kernel rows never straddle two groups
#endif

// dyp's rows have the same length as xp's (dyw == xw), so with p = i·xw + j the sum over a
// plane is one flat dot product, Σ_p dy[p] · x[p + u·xw + v]: the positions j ≥ ow in between
// hold zeros in dy. One long loop per tap instead of a short one per row.
__attribute__((target(TARGET))) static void NAME(wgrad)(
    const T *xp, const T *dyp, long samples, long channels, long hp, long xw, long outsPadded,
    long dyh, long dyw, long dyRowOffset, long dyColOffset, long oh, long ow, long kh, long kw,
    long c, long o0, long outs, long tapBegin, long tapEnd, T *dw, bool accumulate) {
  (void)ow;
  const long nb = outs - o0 < FB ? outs - o0 : FB;
  const long plane = dyh * dyw;
  const long count = oh * xw, chunks = count / L;
  const long taps = kh * kw;
  V part[DL_TAP_GROUP][FB];
  T tail[DL_TAP_GROUP][FB];
  for (long t0 = tapBegin; t0 < tapEnd; t0 += DL_TAP_GROUP) {
    const long nt = tapEnd - t0 < DL_TAP_GROUP ? tapEnd - t0 : DL_TAP_GROUP;
    for (long t = 0; t < nt; t++)
      for (int b = 0; b < FB; b++) {
        part[t][b] = (V)0;
        tail[t][b] = 0;
      }
    // Sample by sample, so one sample's input plane and gradient planes stay in cache for all
    // of its taps; lane l sums positions p ≡ l (mod L) in (n, p) order, the tail its own way.
    for (long n = 0; n < samples; n++) {
      const T *x = xp + (n * channels + c) * hp * xw;
      const T *d = dyp + (n * outsPadded + o0) * plane + dyRowOffset * dyw + dyColOffset;
      long t = 0;
#if FB >= 8
      // Three taps of a kernel row at once: they share the dy loads, so a chunk costs FB + 3
      // loads for 3·FB multiply-adds instead of 3·(FB + 1). Same operations per lane, in the
      // same order, as the generic loop below.
      if (kw == 3 && t0 % 3 == 0) {
        for (; t + 3 <= nt; t += 3) {
          const long u = (t0 + t) / 3;
          const T *xo = x + u * xw;
          V a0[FB], a1[FB], a2[FB];
          for (int b = 0; b < FB; b++) {
            a0[b] = part[t][b];
            a1[b] = part[t + 1][b];
            a2[b] = part[t + 2][b];
          }
          for (long q = 0; q < chunks; q++) {
            const V x0 = DL_LOAD(V, xo + q * L);
            const V x1 = DL_LOAD(V, xo + q * L + 1);
            const V x2 = DL_LOAD(V, xo + q * L + 2);
            for (int b = 0; b < FB; b++) {
              const V dv = DL_LOAD(V, d + b * plane + q * L);
              a0[b] = __builtin_elementwise_fma(dv, x0, a0[b]);
              a1[b] = __builtin_elementwise_fma(dv, x1, a1[b]);
              a2[b] = __builtin_elementwise_fma(dv, x2, a2[b]);
            }
          }
          for (int b = 0; b < FB; b++) {
            part[t][b] = a0[b];
            part[t + 1][b] = a1[b];
            part[t + 2][b] = a2[b];
          }
          for (long r = chunks * L; r < count; r++)
            for (int b = 0; b < FB; b++) {
              tail[t][b] = __builtin_elementwise_fma(d[b * plane + r], xo[r], tail[t][b]);
              tail[t + 1][b] = __builtin_elementwise_fma(d[b * plane + r], xo[r + 1], tail[t + 1][b]);
              tail[t + 2][b] = __builtin_elementwise_fma(d[b * plane + r], xo[r + 2], tail[t + 2][b]);
            }
        }
      }
#endif
      for (; t < nt; t++) {
        const long u = (t0 + t) / kw, v = (t0 + t) % kw;
        const T *xo = x + u * xw + v;
        V acc[FB];
        for (int b = 0; b < FB; b++) acc[b] = part[t][b];
        for (long q = 0; q < chunks; q++) {
          const V xv = DL_LOAD(V, xo + q * L);
          for (int b = 0; b < FB; b++)
            acc[b] = __builtin_elementwise_fma(DL_LOAD(V, d + b * plane + q * L), xv, acc[b]);
        }
        for (int b = 0; b < FB; b++) part[t][b] = acc[b];
        for (long r = chunks * L; r < count; r++)
          for (int b = 0; b < FB; b++)
            tail[t][b] = __builtin_elementwise_fma(d[b * plane + r], xo[r], tail[t][b]);
      }
    }
    for (long t = 0; t < nt; t++) {
      for (long b = 0; b < nb; b++) {
        T lanes[L];
        __builtin_memcpy(lanes, &part[t][b], sizeof lanes);
        T s = 0;
        for (int l = 0; l < L; l++) s += lanes[l];
        s += tail[t][b];
        T *out = dw + ((o0 + b) * channels + c) * taps + t0 + t;
        *out = accumulate ? *out + s : s;
      }
    }
  }
}
