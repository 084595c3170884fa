"""Build the folded PP-OCR models that the engine runs (a build step, not run by the library).

    python -m jixiao.extract.ocr.fold          # rebuild jixiao/extract/ocr/models/ from the installed wheel's models
    python -m jixiao.extract.ocr.fold --check  # rebuild into a temporary folder and compare with the shipped files

Why: PP-OCRv4's detector and recognizer (PP-LCNetV3 backbones) and the
direction classifier (MobileNetV3) were exported from Paddle with every
activation written out as plain arithmetic.  After
each convolution come a "learnable affine" scale and shift (``Mul``,
``Add``), then HardSwish spelled as ``Add 3 → Clip 0..6 → Mul → Div 6``,
then another scale and shift: eight passes over the feature map for every
convolution, which onnxruntime does not fuse.  A third of the recognizer's
time went to them (onnxruntime's profiler, one thread).  Here (the
classifier has only the second):

1. a convolution's scale and shift go into its weights and bias
   (``W·s``, ``b·s + t``);
2. the HardSwish spelling becomes one ``HardSwish`` node (opset 14, so the
   model is converted to opset 14 first);
3. the scale and shift after a HardSwish go into the next convolution:
   the scale into its weights; the shift into its bias where the convolution
   has no padding (``b + t·ΣW``), and otherwise stays as one ``Add`` of
   ``t/s`` before it (zero padding would see the shift where the original
   saw none).

The arithmetic is the same up to float rounding (largest difference about
1e-5 on the recognizer's probabilities, 4e-5 on the detector's map; no
thresholded pixel and no decoded character differs on the samples).
Needs the ``onnx`` package (``pip install -e '.[dev]'``); the engine itself
only needs onnxruntime.  The models are PaddleOCR's (Apache-2.0), as shipped
in ``rapidocr-onnxruntime``; ``models/manifest.json`` records which source
file each was built from, and the engine uses a folded model only when the
installed wheel's model is that very file (sha256).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

MODELS = Path(__file__).resolve().parent / "models"
MANIFEST = MODELS / "manifest.json"
#: kind → (the wheel's file, the folded file shipped here)
SOURCES = {
    "det": ("ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_det_folded.onnx"),
    "rec": ("ch_PP-OCRv4_rec_infer.onnx", "ch_PP-OCRv4_rec_folded.onnx"),
    "cls": ("ch_ppocr_mobile_v2.0_cls_infer.onnx", "ch_ppocr_mobile_v2.0_cls_folded.onnx"),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wheel_models() -> Path:
    import rapidocr_onnxruntime

    return Path(rapidocr_onnxruntime.__file__).resolve().parent / "models"


def fold_model(model: Any) -> tuple[Any, dict[str, int]]:
    """The model with its affine blocks folded and its HardSwish fused; and how many of each."""
    from onnx import helper, numpy_helper, version_converter

    model = version_converter.convert_version(model, 14)
    graph = model.graph
    consts: dict[str, np.ndarray] = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant":
            for attr in node.attribute:
                if attr.name == "value":
                    consts[node.output[0]] = numpy_helper.to_array(attr.t)

    def users(name: str) -> list[Any]:
        return [n for n in graph.node if name in n.input]

    def only_user(node: Any, op: str) -> Any:  # the node, or None
        found = users(node.output[0])
        return found[0] if len(found) == 1 and found[0].op_type == op else None

    def scalar_operand(node: Any) -> tuple[float, str] | None:
        """(the constant, the other input) of a binary node with one scalar constant operand."""
        known = [i for i in node.input if i in consts]
        other = [i for i in node.input if i not in consts]
        if len(known) != 1 or len(other) != 1 or consts[known[0]].size != 1:
            return None
        return float(consts[known[0]].ravel()[0]), other[0]

    def new_init(name: str, value: np.ndarray) -> str:
        graph.initializer.append(numpy_helper.from_array(value.astype(np.float32), name))
        consts[name] = value
        return name

    def set_conv(conv: Any, weight: np.ndarray, bias: np.ndarray, tag: str) -> None:
        w = new_init(f"{conv.name or conv.output[0]}.{tag}.w", weight)
        b = new_init(f"{conv.name or conv.output[0]}.{tag}.b", bias)
        del conv.input[1:]
        conv.input.extend([w, b])

    def conv_params(conv: Any) -> tuple[np.ndarray, np.ndarray]:
        weight = consts[conv.input[1]]
        bias = consts[conv.input[2]] if len(conv.input) > 2 else np.zeros(weight.shape[0], np.float32)
        return weight, bias

    def drop(nodes: list[Any]) -> None:
        for node in nodes:
            graph.node.remove(node)

    counts = {"conv_affine": 0, "hardswish": 0, "affine_into_next_conv": 0}
    # 1. Conv → Mul(s) → Add(t)
    for conv in [n for n in graph.node if n.op_type == "Conv"]:
        mul = only_user(conv, "Mul")
        scale = scalar_operand(mul) if mul is not None else None
        add: Any = only_user(mul, "Add") if mul is not None else None
        shift = scalar_operand(add) if add is not None else None
        if scale is None or shift is None:
            continue
        weight, bias = conv_params(conv)
        set_conv(conv, weight * scale[0], bias * scale[0] + shift[0], "affine")
        conv.output[0] = add.output[0]
        drop([mul, add])
        counts["conv_affine"] += 1
    # 2. y → Add(3) → Clip(0, 6) → Mul(y, ·) → Div(6)  ≡  HardSwish(y)
    for add in [n for n in graph.node if n.op_type == "Add"]:
        three = scalar_operand(add)
        clip = only_user(add, "Clip") if three is not None and three[0] == 3.0 else None
        if three is None or clip is None or len(clip.input) != 3:
            continue
        low, high = consts.get(clip.input[1]), consts.get(clip.input[2])
        if low is None or high is None or float(low.ravel()[0]) != 0.0 or float(high.ravel()[0]) != 6.0:
            continue
        mul = only_user(clip, "Mul")
        div: Any = only_user(mul, "Div") if mul is not None and three[1] in mul.input else None
        six = scalar_operand(div) if div is not None else None
        if six is None or six[0] != 6.0:
            continue
        fused = helper.make_node("HardSwish", [three[1]], [div.output[0]], name=f"{div.output[0]}.hardswish")
        graph.node.insert(list(graph.node).index(div), fused)
        drop([add, clip, mul, div])
        counts["hardswish"] += 1
    # 3. Mul(s) → Add(t) → Conv(s): into the convolutions that follow
    for mul in [n for n in graph.node if n.op_type == "Mul"]:
        scale = scalar_operand(mul)
        add = only_user(mul, "Add") if scale is not None else None
        shift = scalar_operand(add) if add is not None else None
        convs = users(add.output[0]) if add is not None else []
        if scale is None or shift is None or not convs or any(c.op_type != "Conv" for c in convs) or scale[0] == 0.0:
            continue
        unpadded = all(_unpadded(c) for c in convs)
        for conv in convs:
            weight, bias = conv_params(conv)
            if unpadded:
                bias = bias + shift[0] * weight.sum(axis=(1, 2, 3))
            set_conv(conv, weight * scale[0], bias, "affine_in")
        if unpadded:
            for conv in convs:
                conv.input[0] = scale[1]
            drop([mul, add])
        else:  # conv_W(s·x + t) = conv_{s·W}(x + t/s)
            add.input[:] = [scale[1], new_init(f"{add.output[0]}.shift", np.array([shift[0] / scale[0]], np.float32))]
            drop([mul])
        counts["affine_into_next_conv"] += 1
    _prune(graph)
    return model, counts


def _unpadded(conv: Any) -> bool:
    """Whether a convolution reads no padding: all its pads zero, and no ``auto_pad`` that adds some."""
    attrs = {a.name: a for a in conv.attribute}
    auto = attrs["auto_pad"].s.decode() if "auto_pad" in attrs else "NOTSET"
    return auto in ("NOTSET", "VALID") and all(p == 0 for p in (attrs["pads"].ints if "pads" in attrs else []))


def _prune(graph: Any) -> None:
    """Drop the constants and initializers no node reads any more."""
    while True:
        used = {i for n in graph.node for i in n.input} | {o.name for o in graph.output}
        dead = [n for n in graph.node if n.op_type == "Constant" and n.output[0] not in used]
        if not dead:
            break
        for node in dead:
            graph.node.remove(node)
    live = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(live)


def build(into: Path, source: Path | None = None) -> dict[str, Any]:
    """Fold the wheel's detector and recognizer into ``into``; the manifest's entries."""
    import onnx

    source = source or wheel_models()
    into.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {"onnx": onnx.__version__, "models": {}}
    for kind, (original, folded) in SOURCES.items():
        model, counts = fold_model(onnx.load(str(source / original)))
        onnx.checker.check_model(model)
        onnx.save(model, str(into / folded))
        manifest["models"][kind] = {
            "file": folded, "source": original, "source_sha256": sha256(source / original),
            "sha256": sha256(into / folded), "folded": counts,
        }
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="rebuild into a temporary folder and compare with the shipped files")
    args = ap.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = build(Path(tmp))
        shipped = json.loads(MANIFEST.read_text(encoding="utf-8"))
        same = fresh["models"] == shipped["models"]
        print("与随附模型相同 / same as the shipped models" if same else "与随附模型不同 / differs from the shipped models")
        return 0 if same else 1
    manifest = build(MODELS)
    MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(manifest["models"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
