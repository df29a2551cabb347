// Hot convolution kernels in C, compiled once per instruction set (AVX2+FMA, AVX-512) with
// `__attribute__((target(...)))` and chosen by CPUID at run time: Swift cannot select an ISA per
// function, and the shipped build must not use -march=native. See README.md.
#ifndef DLSPEC_KERNELS_H
#define DLSPEC_KERNELS_H

#include <stdbool.h>

/// Instruction sets a kernel variant is compiled for. `DL_ISA_NONE`: no direct kernels (the
/// caller keeps im2col + GEMM).
enum { DL_ISA_NONE = 0, DL_ISA_AVX2 = 1, DL_ISA_AVX512 = 2 };

/// The best ISA this CPU (and OS) supports, limited by DLSPEC_ISA=none|avx2|avx512 when set.
/// Read once; later calls return the same value.
int dl_isa_selected(void);
/// What the CPU supports, ignoring DLSPEC_ISA.
int dl_isa_supported(void);

/// Vector lanes of a chunk (64 bytes): 16 floats or 8 doubles. Output rows are computed in
/// chunks of this many pixels, so padded rows must be rounded up to it.
#define DL_LANES_F32 16
#define DL_LANES_F64 8

/// Output channels one kernel pass computes at once (packed weight blocks have this width).
long dl_conv_block(int isa, bool f64);

/// Stride-1 direct convolution of one sample, summing over channels c and taps (u, v) in that
/// order with one fused multiply-add per term, then adding `bias` (may be NULL):
///   y[o, i, j] = Σ_{c,u,v} wp(o; c, u, v) · xp[c, i + u, j + v]  (+ bias[o])
/// xp: [channels][hp][xw] (already padded; xw ≥ round_up(ow, lanes) + kw − 1, hp ≥ oh + kh − 1);
/// wp: packed [⌈outs / block⌉][channels·kh·kw][block], zero for missing outputs;
/// y: [outs][oh][ow]. Every output is computed by the same sequence of operations on every ISA,
/// so results are bit-identical across ISAs.
void dl_conv_direct_f32(int isa, const float *xp, long channels, long hp, long xw,
                        const float *wp, const float *bias, float *y, long outs, long oh,
                        long ow, long kh, long kw);
void dl_conv_direct_f64(int isa, const double *xp, long channels, long hp, long xw,
                        const double *wp, const double *bias, double *y, long outs, long oh,
                        long ow, long kh, long kw);

/// Weight gradient of a stride-1 convolution for one input channel `c`, the output channels
/// `o0 ..< o0 + block` (rows beyond `outs` are skipped) and the taps `tapBegin ..< tapEnd`
/// (t = u·kw + v), summed over `samples`:
///   dw[o, c, u, v] (+)= Σ_n Σ_{i,j} dyp_n[o, i, j] · xp_n[c, i + u, j + v]
/// xp: [samples][channels][hp][xw]; dyp: [samples][outsPadded][oh][dyw] with zeros for
/// j ≥ ow (dyw ≥ round_up(ow, lanes)), rows `dyRowOffset`/columns `dyColOffset` into each plane;
/// dw: [outs][channels][kh][kw]. Each lane of a chunk keeps its own running sum, and the lanes
/// are added in a fixed order at the end, so results do not depend on the ISA.
void dl_conv_weight_grad_f32(int isa, const float *xp, const float *dyp, long samples,
                             long channels, long hp, long xw, long outsPadded, long dyh,
                             long dyw, long dyRowOffset, long dyColOffset, long oh, long ow,
                             long kh, long kw, long c, long o0, long outs, long tapBegin,
                             long tapEnd, float *dw,
                             bool accumulate);
void dl_conv_weight_grad_f64(int isa, const double *xp, const double *dyp, long samples,
                             long channels, long hp, long xw, long outsPadded, long dyh,
                             long dyw, long dyRowOffset, long dyColOffset, long oh, long ow,
                             long kh, long kw, long c, long o0, long outs, long tapBegin,
                             long tapEnd, double *dw,
                             bool accumulate);


/// Copies `planes` planes [height][width] into [rows][rowLength] planes with `top` zero rows and
/// `left` zero columns before the data, and zeros after it.
void dl_pad_planes_f32(const float *src, long planes, long height, long width, long top,
                       long left, float *dst, long rows, long rowLength);
void dl_pad_planes_f64(const double *src, long planes, long height, long width, long top,
                       long left, double *dst, long rows, long rowLength);

/// Σ x[i], in a fixed order (lane-wise running sums, then the lanes, then the tail).
float dl_sum_f32(const float *x, long count);
double dl_sum_f64(const double *x, long count);

/// y[r, j] = relu(y[r, j] + bias[j]) for y: [rows][columns], as `z > 0 ? z : 0` (NaN → 0).
void dl_bias_relu_rows_f32(float *y, const float *bias, long rows, long columns);
void dl_bias_relu_rows_f64(double *y, const double *bias, long rows, long columns);
/// y[i] = relu(x[i]) (x may be y); dx[i] = y[i] > 0 ? dy[i] : 0 (dx may be dy).
void dl_relu_f32(const float *x, float *y, long count);
void dl_relu_f64(const double *x, double *y, long count);
void dl_relu_grad_f32(const float *y, const float *dy, float *dx, long count);
void dl_relu_grad_f64(const double *y, const double *dy, double *dx, long count);

/// Row-major C[m, n] = alpha·op(A)[m, k]·op(B)[k, n] + beta·C, op(X) = Xᵀ when the flag is set
/// (then X is stored [k, m] or [n, k]); lda/ldb/ldc are the stored row strides. beta = 0 does
/// not read C. Each element sums its k terms by fused multiply-adds in index order, in blocks
/// whose bounds depend on k only, so results are identical across ISAs and however the caller
/// splits C. Packing buffers are per thread, kept between calls. Returns false (C untouched)
/// only when a packing buffer cannot be allocated.
bool dl_gemm_f32(int isa, bool transA, bool transB, long m, long n, long k, float alpha,
                 const float *a, long lda, const float *b, long ldb, float beta, float *c,
                 long ldc);
bool dl_gemm_f64(int isa, bool transA, bool transB, long m, long n, long k, double alpha,
                 const double *a, long lda, const double *b, long ldb, double beta, double *c,
                 long ldc);

/// op(B)[k, n] packed once for dl_gemm_prepacked_* (the layout depends on the ISA and the type):
/// dl_gemm_packed_count elements, which `out` must hold. B is stored [k, n], or [n, k] when tb.
long dl_gemm_packed_count(int isa, bool f64, long n, long k);
void dl_gemm_pack_b_f32(int isa, bool tb, long n, long k, const float *b, long ldb, float *out);
void dl_gemm_pack_b_f64(int isa, bool tb, long n, long k, const double *b, long ldb,
                        double *out);

/// dl_gemm_* with op(B) packed ahead by dl_gemm_pack_b_* for the same isa, n and k: the same
/// result, bit for bit, without packing B. C may be split across threads by rows only.
bool dl_gemm_prepacked_f32(int isa, bool transA, long m, long n, long k, float alpha,
                           const float *a, long lda, const float *packed, float beta, float *c,
                           long ldc);
bool dl_gemm_prepacked_f64(int isa, bool transA, long m, long n, long k, double alpha,
                           const double *a, long lda, const double *packed, double beta,
                           double *c, long ldc);

/// A spin-wait hint (x86 `pause`): lets the sibling hyperthread run and saves power while a
/// thread polls for work (`WorkerPool`).
static inline void dl_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

#endif
