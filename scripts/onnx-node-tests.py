"""Prints the directory of ONNX's backend node tests for the operators dlspec implements, in
onnx's own layout (DIR/test_x/model.onnx, DIR/test_x/test_data_set_0/input_0.pb, output_0.pb).

    python3 scripts/onnx-node-tests.py SCRATCH_DIR

Older onnx wheels ship these files (onnx/backend/test/data/node); their path is printed as it
is. onnx 1.23 ships only the cases that generate them (onnx/backend/test/case/node), so they are
written into SCRATCH_DIR, for the listed operators only, exactly as onnx's own
`backend-test-tools generate-data` writes its data. Exit 3 when onnx is not installed.
"""
import os
import sys
import warnings

OPS = {
    "Conv", "Gemm", "MatMul", "MaxPool", "AveragePool", "Relu", "LeakyRelu", "Tanh", "Sigmoid",
    "Clip", "Softmax", "LogSoftmax", "Flatten", "BatchNormalization",
}

try:
    import onnx
    from onnx import numpy_helper
except ImportError:
    sys.stderr.write("onnx is not installed (python3 -m pip install onnx)\n")
    sys.exit(3)

shipped = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "node")
if os.path.isdir(shipped) and os.listdir(shipped):
    print(shipped)
    sys.exit(0)

from onnx.backend.test.case import node as node_cases  # noqa: E402

out = sys.argv[1]
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    cases = node_cases.collect_testcases(None)
# A case belongs to an operator when its graph is one node of it; its function-expanded
# variants (test_x_expanded…) come along under the same base name.
names = {c.name for c in cases if [n.op_type for n in c.model.graph.node][:1] in [[o] for o in OPS]
         and len(c.model.graph.node) == 1}
for case in cases:
    base = case.name.split("_expanded")[0]
    if case.name not in names and base not in names:
        continue
    directory = os.path.join(out, case.name)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "model.onnx"), "wb") as f:
        f.write(case.model.SerializeToString())
    for i, (inputs, outputs) in enumerate(case.data_sets):
        data = os.path.join(directory, f"test_data_set_{i}")
        os.makedirs(data, exist_ok=True)
        for kind, values, infos in (("input", inputs, case.model.graph.input),
                                    ("output", outputs, case.model.graph.output)):
            for j, value in enumerate(values):
                tensor = value if isinstance(value, onnx.TensorProto) else \
                    numpy_helper.from_array(value, infos[j].name)
                with open(os.path.join(data, f"{kind}_{j}.pb"), "wb") as f:
                    f.write(tensor.SerializeToString())
print(out)
