/// verify.py: runs the package's model on the batch `dlspec export --verify` wrote
/// (verify-batch.h5: the inputs, labels or targets, every layer's output and the loss, all
/// computed by dlspec in evaluation mode) and reports the largest difference per output.
enum PyTorchVerifyFile {
  static let text = #"""
    """Compares this package's model with dlspec on one batch.

    `dlspec export --verify` writes verify-batch.h5 (inputs, labels or targets, and every layer's
    output and the loss as dlspec computed them in evaluation mode) and runs this script; it can
    be run again by hand: python verify.py [verify-batch.h5] [--weights weights.h5].
    For each output the difference is max |torch - dlspec| / max |dlspec| (the largest
    difference relative to the output's magnitude); the loss is compared relatively. Exit status
    1 when one exceeds --tolerance, naming the first layer that differs.
    """

    import argparse
    import json
    import os
    import sys

    import h5py
    import numpy as np
    import torch

    import checkpoint
    from model import Model
    from train import LOSS, TASK, loss_sum


    def relative(a, b):
        difference = float(np.max(np.abs(a - b))) if a.size else 0.0
        scale = float(np.max(np.abs(b))) if b.size else 0.0
        return difference, difference / scale if scale > 0 else difference


    def main():
        here = os.path.dirname(os.path.abspath(__file__))
        parser = argparse.ArgumentParser(description="Compare the model with dlspec's outputs.")
        parser.add_argument("reference", nargs="?", default=os.path.join(here, "verify-batch.h5"))
        parser.add_argument("--weights", default=os.path.join(here, "weights.h5"))
        parser.add_argument("--tolerance", type=float, default=1e-5)
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        args = parser.parse_args()

        model = Model()
        checkpoint.load(args.weights, model)
        model.eval()
        with h5py.File(args.reference, "r") as f:
            x = torch.from_numpy(f["x"][()].astype(np.float32))
            raw_y = f["y"][()]
            expected = {name: f["outputs/" + name][()] for name in f["outputs"]}
            reference_loss = float(f.attrs["loss"])
        y = torch.from_numpy(raw_y.astype(np.float32 if TASK == "regression" else np.int64))
        rows = []
        with torch.no_grad():
            for name, out in model.layer_outputs(x):
                difference, rel = relative(out.numpy().astype(np.float64),
                                           expected[name].astype(np.float64))
                rows.append({"output": name, "max_abs_diff": difference, "relative": rel})
            loss = float(loss_sum(model.scores(x), y)) / len(x)
        loss_difference = abs(loss - reference_loss)
        rows.append({"output": f"loss ({LOSS})", "max_abs_diff": loss_difference,
                     "relative": loss_difference / abs(reference_loss) if reference_loss
                     else loss_difference})
        first = next((r["output"] for r in rows if not r["relative"] <= args.tolerance), None)
        result = {"samples": len(x), "tolerance": args.tolerance, "outputs": rows,
                  "first_difference": first, "torch": torch.__version__}
        if args.json:
            print(json.dumps(result))
        else:
            print(f"{len(x)} samples, torch {torch.__version__}, tolerance {args.tolerance:g}")
            for r in rows:
                print(f"  {r['output']:<24} max |diff| {r['max_abs_diff']:.3e}  "
                      f"relative {r['relative']:.3e}")
            if first:
                print(f"first output that differs: {first}")
        sys.exit(1 if first else 0)


    if __name__ == "__main__":
        main()
    """#
}
