// Module DLSpecTestSupport: helpers shared by the test targets (no README here: a test-support
// target without resources keeps its notes in this comment).
//
// * `Reference`: plain-loop kernels (matmul, conv2d, pooling, softmax, batchnorm) that the
//   DLRuntime kernels are checked against.
// * `layerTable`: one row per registered layer kind (shapes, gradient-check specs, reference σ).
// * `Snapshot`: golden-file comparison with `RECORD_SNAPSHOTS=1`.
//
// Imports DLSpec and DLRuntime; must not import DLTrain (DLSpecTests use it too).
