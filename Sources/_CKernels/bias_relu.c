// The dense/conv epilogue y = relu(y + bias) over rows, in C because Swift left it scalar with
// a branch per element (generic code reaches the lane-by-lane SIMD comparison, not the
// vector one), ~4 ns an element and 11.6% of mlp-deep's 2-thread profile (docs/performance.md,
// issue 13). `restrict` and a select let the compiler vectorise at the baseline ISA; the
// expression is the Swift one (`z > 0 ? z : 0`: NaN and −0 give +0), so results are unchanged.
#include "dlkernels.h"

void dl_bias_relu_rows_f32(float *restrict y, const float *restrict bias, long rows,
                           long columns) {
  for (long r = 0; r < rows; r++) {
    float *restrict row = y + r * columns;
    for (long j = 0; j < columns; j++) {
      float z = row[j] + bias[j];
      row[j] = z > 0 ? z : 0;
    }
  }
}

void dl_bias_relu_rows_f64(double *restrict y, const double *restrict bias, long rows,
                           long columns) {
  for (long r = 0; r < rows; r++) {
    double *restrict row = y + r * columns;
    for (long j = 0; j < columns; j++) {
      double z = row[j] + bias[j];
      row[j] = z > 0 ? z : 0;
    }
  }
}
