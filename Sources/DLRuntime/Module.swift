// Module DLRuntime: README.md beside this file says what it does and what it must not import;
// these are the conventions its kernels follow.
//
// CPU tensor runtime: a contiguous `Tensor`, OpenBLAS GEMM, and forward/backward kernels for the
// layers and losses dlspec supports, generic over `Float` (training) and `Double` (gradcheck).
//
// * Imports only `_COpenBLAS` (and Dispatch/Glibc). It knows nothing of specs, YAML, HDF5 or
//   training loops: it must not import DLSpec, DLTrain, Yams or `_CHDF5`.
// * Kernels are static functions on one enum per concept (`DenseKernel`, `Conv2DKernel`, `Pool`,
//   `Activation`, `SoftmaxKernel`, `LogSoftmaxKernel`, `Loss`, `DropoutKernel`,
//   `BatchNormKernel`, ...), llm.c style: raw pointers, row-major NCHW, no allocation inside a
//   kernel. The `Kernel` suffix keeps them apart from DLSpec's layer kinds (`Dense`, `Conv2D`).
// * The activation set is open: `ActivationKernel<T>` wraps any `ActivationFunction`, so a layer
//   kind outside this module brings its own σ and σ' and dense/conv fuse it without an enum here.
// * Callers pass every buffer, including workspaces whose sizes the kernels expose
//   (`Conv2DKernel.workspaceCount`), so a planner allocates once and a step allocates nothing.
// * Hot functions are `@inlinable` so they specialise in the caller's module; element-wise loops
//   split across cores above `Parallel.threshold` elements.
// * Reproducibility: GEMM bits depend on the OpenBLAS thread count and core type
//   (`BLAS.setThreads`, `BLAS.coreName`); random draws come only from an explicit
//   `RandomGenerator` whose `state` can be checkpointed.
