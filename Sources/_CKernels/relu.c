// relu's loops in C: the dense epilogue y = relu(y + bias), relu forward and its gradient.
// Written in Swift they stayed scalar with a branch per element on unpredictable signs
// (generic code reaches the lane-by-lane SIMD comparison, not the vector one): ~4 ns an
// element, 11.6% of mlp-deep's 2-thread profile and ~8% of the fashion CNN's (docs/
// performance.md, issue 13). Here each lane is `z > 0 ? z : 0` as a mask AND (NaN and −0
// give +0, exactly as the Swift expression), on 16-byte vectors, the baseline ISA: no
// per-ISA variants needed for a memory-bound loop. In place (x == y, dx == dy) is allowed,
// since each element is read before it is written and lanes never cross.
#include <string.h>

#include "dlkernels.h"

typedef float f4 __attribute__((vector_size(16)));
typedef int i4 __attribute__((vector_size(16)));
typedef double d2 __attribute__((vector_size(16)));
typedef long long l2 __attribute__((vector_size(16)));

// out[i] = keep[i] > 0 ? value[i] : 0 for i < count; V, M, L as below.
#define SELECT(name, T, V, M, L)                                                        \
  static inline void name(const T *keep, const T *value, T *out, long count) {          \
    long i = 0;                                                                         \
    for (; i + L <= count; i += L) {                                                    \
      V k, v;                                                                           \
      memcpy(&k, keep + i, sizeof k);                                                   \
      memcpy(&v, value + i, sizeof v);                                                  \
      M r = (M)v & (k > 0);                                                             \
      memcpy(out + i, &r, sizeof r);                                                    \
    }                                                                                   \
    for (; i < count; i++) out[i] = keep[i] > 0 ? value[i] : 0;                         \
  }

SELECT(select_f32, float, f4, i4, 4)
SELECT(select_f64, double, d2, l2, 2)

// One definition per precision: V is the 16-byte vector of T, M its lane mask, L its lanes.
#define BIAS_RELU_ROWS(name, T, V, M, L)                                  \
  void name(T *y, const T *bias, long rows, long columns) {               \
    for (long r = 0; r < rows; r++) {                                     \
      T *row = y + r * columns;                                           \
      long j = 0;                                                         \
      for (; j + L <= columns; j += L) {                                  \
        V v, b;                                                           \
        memcpy(&v, row + j, sizeof v);                                    \
        memcpy(&b, bias + j, sizeof b);                                   \
        V z = v + b;                                                      \
        M out = (M)z & (z > 0);                                           \
        memcpy(row + j, &out, sizeof out);                                \
      }                                                                   \
      for (; j < columns; j++) {                                          \
        T z = row[j] + bias[j];                                           \
        row[j] = z > 0 ? z : 0;                                           \
      }                                                                   \
    }                                                                     \
  }

BIAS_RELU_ROWS(dl_bias_relu_rows_f32, float, f4, i4, 4)
BIAS_RELU_ROWS(dl_bias_relu_rows_f64, double, d2, l2, 2)

void dl_relu_f32(const float *x, float *y, long count) { select_f32(x, x, y, count); }
void dl_relu_f64(const double *x, double *y, long count) { select_f64(x, x, y, count); }

void dl_relu_grad_f32(const float *y, const float *dy, float *dx, long count) {
  select_f32(y, dy, dx, count);
}

void dl_relu_grad_f64(const double *y, const double *dy, double *dx, long count) {
  select_f64(y, dy, dx, count);
}
