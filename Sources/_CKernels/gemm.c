// The GEMM of the dense layers (and of im2col convolutions), in place of OpenBLAS's: see
// gemm_body.h for the algorithm, docs/performance.md for why (OpenBLAS packs both operands on
// every call and its small-M kernels trail MKL's), and README.md for the ISA scheme.
#include <pthread.h>
#include <stdlib.h>

#include "simd.h"

#define DL_UNROLL _Pragma("clang loop unroll(full)")

// Inner-dimension block: k is cut into ⌈k / 256⌉ equal blocks (a 256-deep B micro-panel of
// 32 floats is 32 KB: L1), so the bounds, and with them every
// result, depend on k alone. Rows of A packed at once: a multiple of both ISAs' MR.
#define DL_GEMM_KC 256
#define DL_GEMM_MC 144
// Bytes of packed B one block may take (it is re-read from L2 by every A panel).
#define DL_GEMM_B_BYTES (1L << 20)

// Micro-tiles: AVX-512 holds 12×2 accumulators of 64 bytes in 24 of its 32 registers; on AVX2
// a 64-byte vector takes two of the 16, so 6×1 (12 registers) leaves room for B and the
// broadcast.
#define MR_AVX2 6
#define NV_AVX2 1
#define MR_AVX512 12
#define NV_AVX512 2

#define T float
#define V dl_vf32
#define L DL_LANES_F32
#define MR MR_AVX2
#define NV NV_AVX2
#define TARGET "avx2,fma"
#define NAME(x) CAT(x, _f32_avx2)
#include "gemm_body.h"
#undef MR
#undef NV
#undef TARGET
#undef NAME
#define MR MR_AVX512
#define NV NV_AVX512
#define TARGET "avx512f,avx512vl,avx2,fma"
#define NAME(x) CAT(x, _f32_avx512)
#include "gemm_body.h"
#undef T
#undef V
#undef L
#undef MR
#undef NV
#undef TARGET
#undef NAME

#define T double
#define V dl_vf64
#define L DL_LANES_F64
#define MR MR_AVX2
#define NV NV_AVX2
#define TARGET "avx2,fma"
#define NAME(x) CAT(x, _f64_avx2)
#include "gemm_body.h"
#undef MR
#undef NV
#undef TARGET
#undef NAME
#define MR MR_AVX512
#define NV NV_AVX512
#define TARGET "avx512f,avx512vl,avx2,fma"
#define NAME(x) CAT(x, _f64_avx512)
#include "gemm_body.h"
#undef T
#undef V
#undef L
#undef MR
#undef NV
#undef TARGET
#undef NAME

// Packing buffers, one per thread, grown on demand and kept: after the first steps a GEMM
// allocates nothing. Freed when the thread ends.
struct scratch {
  void *p;
  size_t bytes;
};
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *s) {
  struct scratch *sc = s;
  free(sc->p);
  free(sc);
}

static void scratch_init(void) { pthread_key_create(&scratch_key, scratch_free); }

static void *scratch(size_t bytes) {
  pthread_once(&scratch_once, scratch_init);
  struct scratch *sc = pthread_getspecific(scratch_key);
  if (!sc) {
    sc = calloc(1, sizeof *sc);
    if (!sc) return NULL;
    pthread_setspecific(scratch_key, sc);
  }
  if (sc->bytes < bytes) {
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes) != 0) return NULL;
    free(sc->p);
    sc->p = p;
    sc->bytes = bytes;
  }
  return sc->p;
}

static long round_up(long x, long to) { return (x + to - 1) / to * to; }

// C = beta·C for k = 0 or alpha = 0 (BLAS reads neither A nor B then); beta = 0 writes zeros.
#define SCALE_ONLY(T)                                                    \
  for (long i = 0; i < m; i++)                                           \
    for (long j = 0; j < n; j++) c[i * ldc + j] = beta == 0 ? (T)0 : beta * c[i * ldc + j];

// The micro-tile's rows and columns, and the inner-dimension block: k cut into equal blocks of
// at most DL_GEMM_KC, so the bounds depend on k alone.
static long tile_rows(int isa) { return isa == DL_ISA_AVX512 ? MR_AVX512 : MR_AVX2; }
static long tile_cols(int isa, size_t size) {
  return (isa == DL_ISA_AVX512 ? NV_AVX512 : NV_AVX2) * (long)(64 / size);
}
static long k_block(long k) {
  const long blocks = (k + DL_GEMM_KC - 1) / DL_GEMM_KC;
  return (k + blocks - 1) / blocks;
}

// `packed` is op(B) as dl_gemm_pack_b_* packed it, or NULL to pack B block by block here.
#define GEMM_DISPATCH(T, SUF, packed)                                                          \
  if (m <= 0 || n <= 0) return true;                                                           \
  if (k <= 0 || alpha == 0) {                                                                  \
    SCALE_ONLY(T);                                                                             \
    return true;                                                                               \
  }                                                                                            \
  const long mr = tile_rows(isa), nr = tile_cols(isa, sizeof(T)), kcb = k_block(k);            \
  long ncb = DL_GEMM_B_BYTES / ((long)sizeof(T) * kcb) / nr * nr;                              \
  if (ncb < nr) ncb = nr;                                                                      \
  const long abytes = round_up(m < DL_GEMM_MC ? m : DL_GEMM_MC, mr) * kcb * (long)sizeof(T);   \
  const long bbytes = packed ? 0 : round_up(n < ncb ? n : ncb, nr) * kcb * (long)sizeof(T);    \
  char *buf = scratch((size_t)(round_up(abytes, 64) + bbytes));                                \
  if (!buf) return false;                                                                      \
  T *abuf = (T *)buf, *bbuf = (T *)(buf + round_up(abytes, 64));                               \
  if (isa == DL_ISA_AVX512)                                                                    \
    gemm_##SUF##_avx512(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, kcb, ncb, packed, \
                        abuf, bbuf);                                                           \
  else                                                                                         \
    gemm_##SUF##_avx2(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, kcb, ncb, packed,   \
                      abuf, bbuf);                                                             \
  return true;

bool dl_gemm_f32(int isa, bool ta, bool tb, long m, long n, long k, float alpha, const float *a,
                 long lda, const float *b, long ldb, float beta, float *c, long ldc) {
  GEMM_DISPATCH(float, f32, (const float *)NULL)
}

bool dl_gemm_f64(int isa, bool ta, bool tb, long m, long n, long k, double alpha,
                 const double *a, long lda, const double *b, long ldb, double beta, double *c,
                 long ldc) {
  GEMM_DISPATCH(double, f64, (const double *)NULL)
}

long dl_gemm_packed_count(int isa, bool f64, long n, long k) {
  return round_up(n, tile_cols(isa, f64 ? sizeof(double) : sizeof(float))) * k;
}

#define PACK_B_ALL(SUF)                                           \
  if (isa == DL_ISA_AVX512)                                       \
    pack_b_all_##SUF##_avx512(b, ldb, tb, n, k, k_block(k), out); \
  else                                                            \
    pack_b_all_##SUF##_avx2(b, ldb, tb, n, k, k_block(k), out);

void dl_gemm_pack_b_f32(int isa, bool tb, long n, long k, const float *b, long ldb,
                        float *out) {
  PACK_B_ALL(f32)
}

void dl_gemm_pack_b_f64(int isa, bool tb, long n, long k, const double *b, long ldb,
                        double *out) {
  PACK_B_ALL(f64)
}

// B is read only through `packed`; the body's B arguments are placeholders.
bool dl_gemm_prepacked_f32(int isa, bool ta, long m, long n, long k, float alpha,
                           const float *a, long lda, const float *packed, float beta, float *c,
                           long ldc) {
  const bool tb = false;
  const float *b = packed;
  const long ldb = 0;
  GEMM_DISPATCH(float, f32, packed)
}

bool dl_gemm_prepacked_f64(int isa, bool ta, long m, long n, long k, double alpha,
                           const double *a, long lda, const double *packed, double beta,
                           double *c, long ldc) {
  const bool tb = false;
  const double *b = packed;
  const long ldb = 0;
  GEMM_DISPATCH(double, f64, packed)
}
