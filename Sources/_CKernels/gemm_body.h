// The GEMM (C = alpha·op(A)·op(B) + beta·C, row-major), written once and stamped out per
// element type and ISA by gemm.c, which defines before including this file:
//   T, V, L   element type, 64-byte vector of L T's      MR  rows of C per micro-tile
//   NV        vectors per micro-tile row (NR = NV·L columns)
//   NAME(x)   x with the variant's suffix                TARGET  __attribute__((target)) string
//
// BLIS's loop nest: for each block of up to NC columns and each block of up to KC of the inner
// dimension, op(B)'s block is packed into NR-wide panels (kept in L2), then op(A)'s rows in
// MR-high panels; each micro-tile keeps MR×NR sums in registers over the whole block, with the
// A panel (L1) broadcast against the streamed B panel. Every element of C sums its terms with
// one fused multiply-add each, in index order within a block, blocks in order, and the block
// bounds depend on k only: so the result is the same whatever MR, NR, the ISA or the way the
// caller splits C across threads.

#define NR (NV * L)

// 8×8 transpose: dst[c·dstStride + r] = src[r·srcStride + c]. The eight loads and stores are
// whole 8-element vectors and the shuffles are the classic unpack / shuffle / permute-halves
// ladder; element-wise copies with a stride would become gathers or scatters.
typedef T NAME(v8) __attribute__((ext_vector_type(8)));
__attribute__((target(TARGET))) static inline void NAME(transpose8)(const T *src, long srcStride,
                                                                    T *dst, long dstStride) {
  NAME(v8) r[8], t[8], u[8];
  DL_UNROLL for (int i = 0; i < 8; i++) r[i] = DL_LOAD(NAME(v8), src + i * srcStride);
  DL_UNROLL for (int i = 0; i < 8; i += 2) {
    t[i] = __builtin_shufflevector(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    t[i + 1] = __builtin_shufflevector(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  DL_UNROLL for (int h = 0; h < 8; h += 4) {
    u[h] = __builtin_shufflevector(t[h], t[h + 2], 0, 1, 8, 9, 4, 5, 12, 13);
    u[h + 1] = __builtin_shufflevector(t[h], t[h + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    u[h + 2] = __builtin_shufflevector(t[h + 1], t[h + 3], 0, 1, 8, 9, 4, 5, 12, 13);
    u[h + 3] = __builtin_shufflevector(t[h + 1], t[h + 3], 2, 3, 10, 11, 6, 7, 14, 15);
  }
  DL_UNROLL for (int i = 0; i < 4; i++) {
    const NAME(v8) lo = __builtin_shufflevector(u[i], u[i + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    const NAME(v8) hi = __builtin_shufflevector(u[i], u[i + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    __builtin_memcpy(dst + i * dstStride, &lo, sizeof lo);
    __builtin_memcpy(dst + (i + 4) * dstStride, &hi, sizeof hi);
  }
}

// dst[c·dstStride + r] = src[r·srcStride + c] for r < rows, c < cols: 8×8 blocks, then the
// edges one element at a time.
__attribute__((target(TARGET))) static void NAME(transpose)(const T *src, long srcStride,
                                                            long rows, long cols, T *dst,
                                                            long dstStride) {
  const long r8 = rows & ~7L, c8 = cols & ~7L;
  for (long r = 0; r < r8; r += 8)
    for (long c = 0; c < c8; c += 8)
      NAME(transpose8)(src + r * srcStride + c, srcStride, dst + c * dstStride + r, dstStride);
  for (long r = 0; r < rows; r++) {
    const long c0 = r < r8 ? c8 : 0;
#pragma clang loop vectorize(disable)
    for (long c = c0; c < cols; c++) dst[c * dstStride + r] = src[r * srcStride + c];
  }
}

// op(A)[i0 + i, p0 + p] → ap[p·MR + i] for i < mr, zero rows up to MR.
__attribute__((target(TARGET))) static void NAME(pack_a)(const T *a, long lda, bool trans,
                                                         long i0, long mr, long p0, long kc,
                                                         T *restrict ap) {
  if (!trans) {
    NAME(transpose)(a + i0 * lda + p0, lda, mr, kc, ap, MR);
  } else if (mr == MR) {
    // A fixed-size copy inlines as vector moves; a variable-length one is a memmove call per
    // row (3.6% of an mlp-deep training step).
    for (long p = 0; p < kc; p++)
      __builtin_memcpy(ap + p * MR, a + (p0 + p) * lda + i0, MR * sizeof(T));
  } else {
    for (long p = 0; p < kc; p++) {
      const T *row = a + (p0 + p) * lda + i0;
#pragma clang loop vectorize(disable)
      for (long i = 0; i < mr; i++) ap[p * MR + i] = row[i];
    }
  }
  for (long p = 0; p < kc; p++)
    for (long i = mr; i < MR; i++) ap[p * MR + i] = 0;
}

// op(B)[p0 + p, j0 + j] → bp[p·NR + j] for j < nr, zero columns up to NR.
__attribute__((target(TARGET))) static void NAME(pack_b)(const T *b, long ldb, bool trans,
                                                         long p0, long kc, long j0, long nr,
                                                         T *restrict bp) {
  if (!trans) {
    for (long p = 0; p < kc; p++) {
      const T *row = b + (p0 + p) * ldb + j0;
      T *out = bp + p * NR;
      if (nr == NR) {
        // Whole vectors: a variable-length copy here would be a memmove call per row.
        DL_UNROLL for (int v = 0; v < NV; v++) {
          const V x = DL_LOAD(V, row + v * L);
          __builtin_memcpy(out + v * L, &x, sizeof x);
        }
      } else {
#pragma clang loop vectorize(disable)
        for (long j = 0; j < nr; j++) out[j] = row[j];
      }
    }
  } else {
    // B stored [n, k] (a weight matrix in x·Wᵀ): op(B)'s columns are B's rows.
    NAME(transpose)(b + j0 * ldb + p0, ldb, nr, kc, bp, NR);
  }
  if (nr < NR)
    for (long p = 0; p < kc; p++)
      for (long j = nr; j < NR; j++) bp[p * NR + j] = 0;
}

// Columns j0 ..< j0 + nc of op(B)'s rows p0 ..< p0 + kc → NR-wide panels of kc·NR at bp.
__attribute__((target(TARGET))) static void NAME(pack_b_block)(const T *b, long ldb, bool trans,
                                                               long p0, long kc, long j0,
                                                               long nc, T *restrict bp) {
  for (long jr = 0; jr < nc; jr += NR)
    NAME(pack_b)(b, ldb, trans, p0, kc, j0 + jr, nc - jr < NR ? nc - jr : NR,
                 bp + (jr / NR) * kc * NR);
}

// One micro-tile: the MR×NR sums over kc terms, merged into C's mr×nr corner.
// mode 0: C = alpha·S (first block, beta = 0: C is not read, it may hold NaN);
// mode 1: C = fma(alpha, S, beta·C) (first block); mode 2: C = fma(alpha, S, C) (later blocks).
// Full tiles merge from registers, edge tiles through a buffer, with the same operations.
// R ≤ MR rows and W ≤ NV vectors of columns are computed (constants once inlined): the last
// rows of C take the smallest R that covers them, and the last columns one vector when it
// covers them, so a 100-row product spends no 12-row tile on 4 rows, nor a 10-column one 32
// columns. B panels keep their NR stride.
__attribute__((target(TARGET), always_inline)) static inline void NAME(tile_rows)(
    const int R, const int W, long kc, const T *restrict ap, const T *restrict bp, T *c, long ldc, long mr,
    long nr, T alpha, T beta, int mode) {
  // Every loop over the tile is unrolled in full, so acc[][] lives in registers.
  V acc[MR][NV];
  DL_UNROLL for (int i = 0; i < R; i++)
    DL_UNROLL for (int v = 0; v < W; v++) acc[i][v] = (V)0;
  for (long p = 0; p < kc; p++) {
    V bv[NV];
    DL_UNROLL for (int v = 0; v < W; v++) bv[v] = DL_LOAD(V, bp + p * NR + v * L);
    DL_UNROLL for (int i = 0; i < R; i++) {
      const V ai = (V)ap[p * MR + i];
      DL_UNROLL for (int v = 0; v < W; v++)
        acc[i][v] = __builtin_elementwise_fma(ai, bv[v], acc[i][v]);
    }
  }
  const V va = (V)alpha, vb = (V)beta;
  if (mr == R && nr == W * L) {
    DL_UNROLL for (int i = 0; i < R; i++) {
      DL_UNROLL for (int v = 0; v < W; v++) {
        T *cp = c + i * ldc + v * L;
        V r;
        if (mode == 0) {
          r = va * acc[i][v];
        } else {
          V old = DL_LOAD(V, cp);
          r = __builtin_elementwise_fma(va, acc[i][v], mode == 1 ? vb * old : old);
        }
        __builtin_memcpy(cp, &r, sizeof r);
      }
    }
    return;
  }
  T t[MR * NR] __attribute__((aligned(64)));
  DL_UNROLL for (int i = 0; i < R; i++)
    DL_UNROLL for (int v = 0; v < W; v++) __builtin_memcpy(t + i * NR + v * L, &acc[i][v], sizeof(V));
  for (long i = 0; i < mr; i++) {
    T *row = c + i * ldc;
    for (long j = 0; j < nr; j++) {
      const T s = t[i * NR + j];
      if (mode == 0) row[j] = alpha * s;
      else row[j] = __builtin_elementwise_fma(alpha, s, mode == 1 ? beta * row[j] : row[j]);
    }
  }
}

__attribute__((target(TARGET))) static void NAME(tile)(long kc, const T *restrict ap,
                                                       const T *restrict bp, T *c, long ldc,
                                                       long mr, long nr, T alpha, T beta,
                                                       int mode) {
  if (NV > 1 && nr <= L) {
    if (MR > 4 && mr <= 4) NAME(tile_rows)(4, 1, kc, ap, bp, c, ldc, mr, nr, alpha, beta, mode);
    else if (MR > 8 && mr <= 8) NAME(tile_rows)(8, 1, kc, ap, bp, c, ldc, mr, nr, alpha, beta, mode);
    else NAME(tile_rows)(MR, 1, kc, ap, bp, c, ldc, mr, nr, alpha, beta, mode);
    return;
  }
  if (MR > 2 && mr <= 2) NAME(tile_rows)(2, NV, kc, ap, bp, c, ldc, mr, nr, alpha, beta, mode);
  else if (MR > 4 && mr <= 4) NAME(tile_rows)(4, NV, kc, ap, bp, c, ldc, mr, nr, alpha, beta, mode);
  else if (MR > 8 && mr <= 8) NAME(tile_rows)(8, NV, kc, ap, bp, c, ldc, mr, nr, alpha, beta, mode);
  else NAME(tile_rows)(MR, NV, kc, ap, bp, c, ldc, mr, nr, alpha, beta, mode);
}

__attribute__((target(TARGET))) static void NAME(gemm)(bool ta, bool tb, long m, long n, long k,
                                                       T alpha, const T *a, long lda,
                                                       const T *b, long ldb, T beta, T *c,
                                                       long ldc, long kcb, long ncb,
                                                       const T *packed, T *restrict abuf,
                                                       T *restrict bbuf) {
  const long npad = (n + NR - 1) / NR * NR;
  for (long jc = 0; jc < n; jc += ncb) {
    const long nc = n - jc < ncb ? n - jc : ncb;
    for (long pc = 0; pc < k; pc += kcb) {
      const long kc = k - pc < kcb ? k - pc : kcb;
      const int mode = pc > 0 ? 2 : (beta == 0 ? 0 : 1);
      // A B packed ahead by pack_b_all holds this block's panels in the layout packed here.
      const T *bblock = packed ? packed + pc * npad + (jc / NR) * kc * NR : bbuf;
      if (!packed) NAME(pack_b_block)(b, ldb, tb, pc, kc, jc, nc, bbuf);
      for (long ic = 0; ic < m; ic += DL_GEMM_MC) {
        const long mc = m - ic < DL_GEMM_MC ? m - ic : DL_GEMM_MC;
        for (long ir = 0; ir < mc; ir += MR)
          NAME(pack_a)(a, lda, ta, ic + ir, mc - ir < MR ? mc - ir : MR, pc, kc,
                       abuf + (ir / MR) * kc * MR);
        // A panel outer, B panels inner: the A panel stays in L1 while the B block streams
        // from L2.
        for (long ir = 0; ir < mc; ir += MR) {
          const T *ap = abuf + (ir / MR) * kc * MR;
          for (long jr = 0; jr < nc; jr += NR)
            NAME(tile)(kc, ap, bblock + (jr / NR) * kc * NR, c + (ic + ir) * ldc + jc + jr, ldc,
                       mc - ir < MR ? mc - ir : MR, nc - jr < NR ? nc - jr : NR, alpha, beta,
                       mode);
        }
      }
    }
  }
}

// All of op(B) packed once, for a B that many products share (a weight matrix in evaluation):
// block by block of the inner dimension (the blocks gemm cuts, kcb deep), each block's NR-wide
// panels as gemm packs them. The block starting at row pc sits at pc·npad (npad = n rounded up
// to NR), so gemm finds every block without an index.
__attribute__((target(TARGET))) static void NAME(pack_b_all)(const T *b, long ldb, bool tb,
                                                             long n, long k, long kcb,
                                                             T *restrict out) {
  const long npad = (n + NR - 1) / NR * NR;
  for (long pc = 0; pc < k; pc += kcb) {
    const long kc = k - pc < kcb ? k - pc : kcb;
    NAME(pack_b_block)(b, ldb, tb, pc, kc, 0, n, out + pc * npad);
  }
}

#undef NR
