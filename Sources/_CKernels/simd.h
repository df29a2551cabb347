// What the kernel files share: the 64-byte vector types their bodies are written on, the name
// pasting that stamps a body out per type and ISA (NAME(x) = CAT(x, suffix)), and the
// unaligned vector load.
#pragma once

#include "dlkernels.h"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

typedef float dl_vf32 __attribute__((ext_vector_type(DL_LANES_F32)));
typedef double dl_vf64 __attribute__((ext_vector_type(DL_LANES_F64)));

// An unaligned vector load (a statement expression: a function returning V would change the
// AVX2 variant's ABI).
#define DL_LOAD(VT, p)                           \
  ({                                             \
    VT dl_v_;                                    \
    __builtin_memcpy(&dl_v_, (p), sizeof dl_v_); \
    dl_v_;                                       \
  })
