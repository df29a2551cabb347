// The only place OpenBLAS's C API enters Swift.
#include <cblas.h>

// Not in cblas.h, exported by libopenblas: stops OpenBLAS's own worker threads (BLAS.setThreads
// runs every call on one OpenBLAS thread, so they are never used).
int blas_thread_shutdown_(void);
