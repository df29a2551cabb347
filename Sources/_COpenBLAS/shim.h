// The only place OpenBLAS's C API enters Swift.
#include <cblas.h>
