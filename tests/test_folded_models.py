"""The folded PP-OCRv4 models (jixiao/extract/ocr/models, built by ``python -m jixiao.extract.ocr.fold``).

They must be the files the manifest names, be used only for the wheel model
they were folded from, and read exactly what the wheel's own models read.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pymupdf
import pytest

from tests.conftest import sample

pytest.importorskip("rapidocr_onnxruntime")

from jixiao.extract.ocr import engine as ocr_engine
from jixiao.extract.ocr import fold

MANIFEST = json.loads((ocr_engine.FOLDED / "manifest.json").read_text(encoding="utf-8"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_shipped_files_are_the_ones_the_manifest_names() -> None:
    assert set(MANIFEST["models"]) == {"det", "rec", "cls"}
    for entry in MANIFEST["models"].values():
        assert _sha(ocr_engine.FOLDED / entry["file"]) == entry["sha256"]
    counts = {kind: entry["folded"] for kind, entry in MANIFEST["models"].items()}
    assert counts["det"] == {"conv_affine": 28, "hardswish": 24, "affine_into_next_conv": 23}
    assert counts["rec"] == {"conv_affine": 28, "hardswish": 28, "affine_into_next_conv": 25}
    assert counts["cls"] == {"conv_affine": 0, "hardswish": 18, "affine_into_next_conv": 0}


def test_this_wheel_runs_the_folded_models() -> None:
    wheel = fold.wheel_models()
    for kind, entry in MANIFEST["models"].items():
        if _sha(wheel / entry["source"]) != entry["source_sha256"]:
            pytest.skip(f"rapidocr's {entry['source']} is not the file the shipped model was folded from: "
                        "rebuild with python -m jixiao.extract.ocr.fold")
        assert ocr_engine.model_path(kind, wheel / entry["source"]) == ocr_engine.FOLDED / entry["file"]
    engine = ocr_engine.get_engine()
    assert Path(engine.text_rec.session.session._model_path).name == MANIFEST["models"]["rec"]["file"]
    assert Path(engine.text_det.infer.session._model_path).name == MANIFEST["models"]["det"]["file"]
    assert Path(engine._cls.infer.session._model_path).name == MANIFEST["models"]["cls"]["file"]


def test_other_weights_or_a_broken_manifest_run_the_wheels_own_model(tmp_path: Path) -> None:
    wheel = fold.wheel_models() / MANIFEST["models"]["rec"]["source"]
    other = tmp_path / "ch_PP-OCRv4_rec_infer.onnx"  # a later release's weights under the same name
    other.write_bytes(wheel.read_bytes() + b"\0")
    assert ocr_engine.model_path("rec", other) == other
    folded = tmp_path / "models"
    folded.mkdir()
    shutil.copy(ocr_engine.FOLDED / "manifest.json", folded / "manifest.json")
    assert ocr_engine.model_path("rec", wheel, folded) == wheel  # the manifest without its model file
    (folded / "manifest.json").write_text("{not json", encoding="utf-8")
    assert ocr_engine.model_path("rec", wheel, folded) == wheel
    assert ocr_engine.model_path("rec", wheel, tmp_path / "missing") == wheel
    assert ocr_engine.model_path("angle", wheel) == wheel  # no such folded model


def _parts(det: Path, rec: Path) -> tuple[Any, Any]:
    from rapidocr_onnxruntime.ch_ppocr_det import TextDetector
    from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH, UpdateParameters, read_yaml, update_model_path

    config = UpdateParameters()(update_model_path(read_yaml(DEFAULT_CFG_PATH)), print_verbose=False, rec_img_shape=[3, 48, 48])
    config["Det"]["model_path"], config["Rec"]["model_path"] = str(det), str(rec)
    return TextDetector(config["Det"]), TextRecognizer(config["Rec"])


def test_folded_models_read_a_real_page_exactly_as_the_wheels_models() -> None:
    with pymupdf.open(sample("scanned/seed-department-report.scan.pdf")) as doc:
        pix = doc[1].get_pixmap(dpi=120)  # a page of narrative text
    image = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)[:, :, :3].copy()
    wheel = fold.wheel_models()
    ways = [
        _parts(wheel / MANIFEST["models"]["det"]["source"], wheel / MANIFEST["models"]["rec"]["source"]),
        _parts(ocr_engine.FOLDED / MANIFEST["models"]["det"]["file"], ocr_engine.FOLDED / MANIFEST["models"]["rec"]["file"]),
    ]
    boxes = [np.asarray(det(image)[0]) for det, _ in ways]
    assert len(boxes[0]) >= 40
    np.testing.assert_array_equal(boxes[0], boxes[1])
    crops = []
    for quad in boxes[0]:
        x0, y0 = np.floor(quad.min(axis=0)).astype(int)
        x1, y1 = np.ceil(quad.max(axis=0)).astype(int)
        crops.append(image[max(0, y0):y1, max(0, x0):x1])
    read = [rec(crops[:8])[0] for _, rec in ways]
    assert [text for text, _ in read[0]] == [text for text, _ in read[1]]
    assert sum(len(text) for text, _ in read[0]) >= 60  # real text, not blanks
    assert max(abs(a - b) for (_, a), (_, b) in zip(read[0], read[1], strict=True)) < 1e-4


@pytest.mark.skipif(importlib.util.find_spec("onnx") is None, reason="needs the onnx package (dev extra)")
def test_rebuilding_gives_the_shipped_files() -> None:
    if any(_sha(fold.wheel_models() / e["source"]) != e["source_sha256"] for e in MANIFEST["models"].values()):
        pytest.skip("this rapidocr wheel ships other weights")
    assert fold.main(["--check"]) == 0


def _block_model(next_pads: list[int], auto_pad: str | None) -> Any:
    """Conv → scale, shift → HardSwish spelled out → scale, shift → Conv: the shape of PP-LCNetV3's blocks."""
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(7)

    def const(name: str, value: Any) -> Any:
        return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(np.asarray(value, np.float32), name))

    second: dict[str, Any] = {"auto_pad": auto_pad} if auto_pad else {"pads": next_pads}
    nodes = [
        const("w1", rng.normal(size=(4, 3, 3, 3))), const("b1", rng.normal(size=4)),
        const("s1", [1.7]), const("t1", [0.4]), const("three", [3.0]), const("zero", 0.0), const("six", 6.0),
        const("six1", [6.0]), const("s2", [0.3]), const("t2", [-0.25]),
        const("w2", rng.normal(size=(5, 4, 3, 3))), const("b2", rng.normal(size=5)),
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("Mul", ["s1", "c1"], ["m1"]), helper.make_node("Add", ["m1", "t1"], ["y"]),
        helper.make_node("Add", ["y", "three"], ["a3"]), helper.make_node("Clip", ["a3", "zero", "six"], ["cl"]),
        helper.make_node("Mul", ["y", "cl"], ["my"]), helper.make_node("Div", ["my", "six1"], ["hs"]),
        helper.make_node("Mul", ["s2", "hs"], ["m2"]), helper.make_node("Add", ["m2", "t2"], ["z"]),
        helper.make_node("Conv", ["z", "w2", "b2"], ["out"], **second),
    ]
    graph = helper.make_graph(
        nodes, "block", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 9, 11])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, None)],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 12)])


@pytest.mark.skipif(importlib.util.find_spec("onnx") is None, reason="needs the onnx package (dev extra)")
@pytest.mark.parametrize(("pads", "auto_pad"), [([0, 0, 0, 0], None), ([1, 1, 1, 1], None), ([0, 0, 0, 0], "SAME_UPPER")])
def test_folding_keeps_the_arithmetic_with_and_without_padding(pads: list[int], auto_pad: str | None) -> None:
    """The shift before a padded convolution cannot go into its bias (the padding would see it): checked on all three kinds."""
    import onnxruntime as ort

    x = np.random.default_rng(3).normal(size=(1, 3, 9, 11)).astype(np.float32) * 3
    model = _block_model(pads, auto_pad)
    folded, counts = fold.fold_model(model)
    assert counts == {"conv_affine": 1, "hardswish": 1, "affine_into_next_conv": 1}
    ops = [n.op_type for n in folded.graph.node if n.op_type != "Constant"]
    padded = pads != [0, 0, 0, 0] or auto_pad is not None
    assert ops == (["Conv", "HardSwish", "Add", "Conv"] if padded else ["Conv", "HardSwish", "Conv"])
    run = [ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
           for m in (model, folded)]
    np.testing.assert_allclose(run[1], run[0], rtol=1e-5, atol=1e-5)
