#include "dlkernels.h"

#include <cpuid.h>
#include <stdlib.h>
#include <string.h>

// XCR0: which register states the OS saves. AVX needs SSE+AVX (bits 1, 2); AVX-512 also needs
// the opmask and both halves of the ZMM registers (bits 5, 6, 7). A CPU flag without the OS
// support would fault on the first instruction.
static unsigned long long xgetbv0(void) {
  unsigned int lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((unsigned long long)hi << 32) | lo;
}

int dl_isa_supported(void) {
  unsigned int a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return DL_ISA_NONE;
  const int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
  if (!(fma && osxsave && avx)) return DL_ISA_NONE;
  const unsigned long long xcr0 = xgetbv0();
  if ((xcr0 & 0x6) != 0x6) return DL_ISA_NONE;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return DL_ISA_NONE;
  const int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1, avx512vl = (b >> 31) & 1;
  if (!avx2) return DL_ISA_NONE;
  if (avx512f && avx512vl && (xcr0 & 0xe6) == 0xe6) return DL_ISA_AVX512;
  return DL_ISA_AVX2;
}

static int selected = -1;

int dl_isa_selected(void) {
  int s = __atomic_load_n(&selected, __ATOMIC_RELAXED);
  if (s >= 0) return s;
  s = dl_isa_supported();
  // DLSPEC_ISA lowers the choice (to test the AVX2 or the im2col path on an AVX-512 machine);
  // it never raises it above what the CPU has. Other values are ignored (the CLI warns).
  const char *want = getenv("DLSPEC_ISA");
  if (want) {
    if (strcmp(want, "none") == 0) s = DL_ISA_NONE;
    else if (strcmp(want, "avx2") == 0 && s > DL_ISA_AVX2) s = DL_ISA_AVX2;
  }
  __atomic_store_n(&selected, s, __ATOMIC_RELAXED);
  return s;
}
