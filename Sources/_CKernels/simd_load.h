// Shared by the kernel bodies (conv_body.h, gemm.c's gemm_body.h).
#pragma once

// An unaligned vector load (a statement expression: a function returning V would change the
// AVX2 variant's ABI).
#define DL_LOAD(VT, p)                           \
  ({                                             \
    VT dl_v_;                                    \
    __builtin_memcpy(&dl_v_, (p), sizeof dl_v_); \
    dl_v_;                                       \
  })
