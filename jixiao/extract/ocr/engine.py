"""The OCR engine: RapidOCR's PP-OCR detector and recognizer, run offline.

``rapidocr-onnxruntime`` ships its ONNX models inside the wheel and runs them
with onnxruntime, so nothing is downloaded, ever.  It is imported lazily (a
text PDF never pays for it) and one engine is made per process; a forked
child never uses its parent's (its threads stay behind in the parent), it
builds its own.  When the package (or OpenCV) is missing the page fails as
``ocr_unavailable`` with the install command.

We call the detector and the recognizer separately instead of RapidOCR's
all-in-one call: the page reader detects text once on a reduced page, cuts
each box at the table's ruling lines, and recognizes the pieces, so one box
never glues two cells' numbers together.  The recognizer pads short crops to
48 px instead of RapidOCR's 320 px, and batches crops by width (see
:meth:`Engine.recognize`): together these made pages three to six times
faster on 2 cores and read the same text (``benchmarks/ocr_pages.py``).
The batches then run side by side, one per core, each on one onnxruntime
thread: another quarter off a text page.

The detector, the recognizer and the direction classifier run as folded copies of the wheel's models
(``models/``, built by :mod:`jixiao.extract.ocr.fold`): the same arithmetic
in fewer passes, about a third faster, used only when the wheel's model is
the very file they were folded from.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from jixiao import memory
from jixiao.errors import OcrUnavailable

REQUIREMENT = "rapidocr-onnxruntime>=1.4.4,<1.5"
INSTALL_HINT_ZH = (
    f"未安装 OCR 组件，无法识别扫描页：请运行 pip install '{REQUIREMENT}'（需 Python ≤ 3.12；"
    "若报 libGL.so.1 缺失，再运行 pip install opencv-python-headless 或 apt-get install libgl1）"
)
INSTALL_HINT_EN = (
    f"OCR is not installed, scanned pages cannot be read: pip install '{REQUIREMENT}' (Python ≤ 3.12; "
    "if libGL.so.1 is missing, also pip install opencv-python-headless, or apt-get install libgl1)"
)
#: Environment variable: threads for OCR (the detector's onnxruntime threads, and recognizer batches
#: run side by side; default: onnxruntime's choice for the detector, one batch per usable core).
THREADS_ENV = "JIXIAO_OCR_THREADS"
#: Environment variable: comma-separated onnxruntime providers, e.g. ``CUDAExecutionProvider``.
PROVIDERS_ENV = "JIXIAO_OCR_PROVIDERS"
#: Environment variable: the recognizer's input height for narrative lines (default ``LINE_HEIGHT``).
HEIGHT_ENV = "JIXIAO_OCR_LINE_HEIGHT"
#: Recognizer input height for table cells: PP-OCRv4's training height.
CELL_HEIGHT = 48
#: Recognizer input height for narrative lines.  The cost grows with the
#: square of the height (the width scales with it).  On the scanned samples'
#: text pages (6,409 characters; ``benchmarks/ocr_pages.py --line-heights``):
#: 48 px misread 92 characters, 40 px 102 and 32 px 85, but 32 px read
#: 编制人数 as 编制入数 and lost a narrative figure, and cells at 32 px lost
#: their ``%`` (``96.79%6``).  Later (``benchmarks/scan_speed.py`` era), on 5
#: text and 7 table pages of the samples and of 120 dpi, JPEG 40 and 1-bit
#: scans: lines at 40 px misread 41 of 3,862 characters, at 36 px 42 and at
#: 32 px 43; a line at 36 px costs 0.75 of one at 40 (0.57 at 32).  But at
#: 36 px the seed scan again read 编制人数 as 编制入数 and lost that figure
#: (tests/test_ocr.py), as 32 px did.  Cells at 48 px read 712 of 774 cells
#: right, at 44 px 713, at 40 px 701.  Those lines were the detector's boxes,
#: whose top often cut the glyphs' tops (人 and 入 differ there); fitted to
#: their ink with an even margin (:func:`jixiao.extract.ocr.scan.fit_to_ink`),
#: lines at 32 px misread 84 of 6,409 characters where the detector's boxes
#: at 40 px misread 102, for 0.6 of the work.  Cells stay at 48 px.
LINE_HEIGHT = 32
#: Recognizer input: padded to at least this width (pixels at 48 px high).
REC_MIN_WIDTH = 48
REC_BATCH = 8
#: Most recognizer input width (pixels at 48 px high) put through in one batch.
REC_BATCH_PIXELS = 1600
#: Recognitions scoring below this are dropped (RapidOCR uses 0.5, which loses
#: lone characters of wrapped cells such as 益 at 0.46; junk scores below 0.4).
MIN_SCORE = 0.4
#: A piece of punctuation alone (a seal's remnant read as ``!`` or ``|``) needs this.
MIN_SCORE_PUNCT = 0.8


@dataclass(frozen=True)
class Recognized:
    text: str
    score: float


class Engine:
    """One detector and one recognizer, loaded from the wheel's model files.

    The three models are built here from RapidOCR's parts, each once: its
    all-in-one ``RapidOCR()`` would load a second recognizer (about 0.3 s
    of every worker's start) that the lanes below replace.  The direction
    classifier tells upside-down pages; every page with text lines asks it,
    so it is built with the others.  Where ``onnxruntime-gpu`` offers its
    CUDA provider, all three run on it unless ``JIXIAO_OCR_PROVIDERS`` names
    other providers.
    """

    def __init__(self, providers: Sequence[str] = (), threads: int | None = None, line_height: int = LINE_HEIGHT) -> None:
        with ThreadPoolExecutor(1, thread_name_prefix="jixiao-ocr-load") as side:
            # Which model files to run is settled while the package imports (hashing lets go of the GIL).
            folded = side.submit(_folded_models)
            try:
                import rapidocr_onnxruntime  # noqa: F401  (the package first: its parts may be cached alone)
                from rapidocr_onnxruntime.ch_ppocr_cls import TextClassifier
                from rapidocr_onnxruntime.ch_ppocr_det import TextDetector
                from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
                from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH, UpdateParameters, read_yaml, update_model_path
            except ImportError as exc:  # also OpenCV's "libGL.so.1: cannot open shared object file"
                raise OcrUnavailable(f"{INSTALL_HINT_ZH}（{exc}）", f"{INSTALL_HINT_EN} ({exc})") from exc
            gpu = "CUDAExecutionProvider" in (providers or default_providers())
            options: dict[str, Any] = {
                "print_verbose": False,
                "rec_img_shape": [3, CELL_HEIGHT, REC_MIN_WIDTH],
                "rec_batch_num": REC_BATCH,
                # The page reader sizes the detector's input itself: never upscale it.
                "det_limit_type": "min",
                "det_limit_side_len": 32,
                "det_use_cuda": gpu,
                "rec_use_cuda": gpu,
                "cls_use_cuda": gpu,
            }
            if threads:
                options["intra_op_num_threads"] = threads
            lanes = 1 if gpu else max(1, threads or _usable_cores())
            config = UpdateParameters()(update_model_path(read_yaml(DEFAULT_CFG_PATH)), **options)
            for section, (wheel_model, run) in folded.result().items():
                if Path(config[section]["model_path"]).resolve() == wheel_model:
                    config[section]["model_path"] = str(run)
            # The models are built side by side (the detector here, the recognizer then the classifier in
            # a thread): onnxruntime lets go of the GIL while it loads and optimizes a model, so they are
            # ready about a third sooner.  Several lanes: each recognizer call on one onnxruntime thread
            # (see _single_threaded).
            recognizer = side.submit(TextRecognizer, _single_threaded(config["Rec"]) if lanes > 1 else config["Rec"])
            classifier = side.submit(TextClassifier, config["Cls"])
            with _memory_arena(config["Det"]):
                self.text_det = TextDetector(config["Det"])
            self.text_rec = recognizer.result()
            self._cls = classifier.result()
        self.line_height = line_height
        self._rec_lock = threading.Lock()  # recognize() sets the recognizer's input shape per call
        self._pool = ThreadPoolExecutor(lanes, thread_name_prefix="jixiao-ocr") if lanes > 1 else None
        self.providers = tuple(self.text_rec.session.session.get_providers())

    def classify(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        """PP-OCR's direction classifier on text line crops: ``("0" | "180", probability)`` each."""
        _, results, _ = self._cls(list(crops))
        return [(str(label), float(score)) for label, score in results]

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        """Text boxes (4×2 corner arrays, pixels) on a BGR image."""
        boxes, _ = self.text_det(image)
        if boxes is None or len(boxes) == 0:
            return []
        return [np.asarray(b, dtype=np.float32) for b in boxes]

    def recognize(self, crops: Sequence[np.ndarray], lines: bool = False) -> list[Recognized]:
        """Text of each crop (BGR, one text line each), in order.

        ``lines``: the crops are narrative lines, read at ``line_height``;
        otherwise table cells, read at ``CELL_HEIGHT``.

        Crops go to the model in batches of similar width whose padded size
        stays under ``REC_BATCH_PIXELS``: one long narrative line at a time
        (batching wide lines made the recognizer two to four times slower on
        2 cores), up to ``REC_BATCH`` short table cells together.
        """
        out: list[Recognized] = [Recognized("", 0.0)] * len(crops)
        height = self.line_height if lines else CELL_HEIGHT
        with self._rec_lock:
            self.text_rec.rec_image_shape = [3, height, REC_MIN_WIDTH * height // CELL_HEIGHT]
            return self._recognize(crops, out)

    def _recognize(self, crops: Sequence[np.ndarray], out: list[Recognized]) -> list[Recognized]:
        rec = self.text_rec
        rec.rec_batch_num = REC_BATCH  # each batch below is one call of the model

        def run(batch: list[int]) -> tuple[list[int], list[Any]]:
            return batch, rec([crops[k] for k in batch])[0]

        batches = _batches(crops)
        done = self._pool.map(run, batches) if self._pool is not None and len(batches) > 1 else map(run, batches)
        for batch, results in done:
            for k, (text, score, *_) in zip(batch, results, strict=True):
                out[k] = Recognized(str(text), float(score))
        return out


def _batches(crops: Sequence[np.ndarray]) -> list[list[int]]:
    """Crop indices grouped by similar width, each group's padded size under ``REC_BATCH_PIXELS``."""
    order = sorted(range(len(crops)), key=lambda i: _width(crops[i]))
    out: list[list[int]] = []
    batch: list[int] = []
    for i in order:
        if batch and (len(batch) >= REC_BATCH or (len(batch) + 1) * _width(crops[i]) > REC_BATCH_PIXELS):
            out.append(batch)
            batch = []
        batch.append(i)
    if batch:
        out.append(batch)
    return out


@contextmanager
def _memory_arena(only: dict[str, Any]) -> Iterator[None]:
    """The model built inside from the settings ``only`` keeps onnxruntime's CPU memory arena, which RapidOCR turns off.

    (Only that one: the recognizer, built meanwhile in another thread, is
    left as RapidOCR makes it.)

    Without it every detector run allocates its large buffers afresh: a
    process's first page took about 0.5 s longer to detect (1.1 s against
    0.6 s for a 1408×992 page image), later pages about a tenth longer, and
    peak memory was higher (667 against 564 MB), measured with the bare
    session in a fresh process.  The arena changes where buffers live, not
    what is computed.  RapidOCR's session options are a private static
    method; where a later release lacks it, the models are built as it does.
    """
    from rapidocr_onnxruntime.utils import infer_engine

    owner = infer_engine.OrtInferSession
    original = owner.__dict__.get("_init_sess_opts")
    if not isinstance(original, staticmethod):
        yield
        return

    def with_arena(config: dict[str, Any]) -> Any:
        options = original.__func__(config)
        if config is only:
            options.enable_cpu_mem_arena = True
        return options

    owner._init_sess_opts = staticmethod(with_arena)
    try:
        yield
    finally:
        owner._init_sess_opts = original


#: The folded models (:mod:`jixiao.extract.ocr.fold`) and what each was folded from.
FOLDED = Path(__file__).resolve().parent / "models"


def model_path(kind: str, wheel_model: Path, folded: Path = FOLDED) -> Path:
    """The model to run for ``kind`` ("det", "rec" or "cls"): the folded copy where it was made from ``wheel_model``.

    A later rapidocr release may ship other weights under the same name: the
    folded copy is then not theirs, so the wheel's own model is run (slower,
    never different).  The check hashes the wheel's files: 30–50 ms for all,
    once per process, in a thread while RapidOCR's package imports.
    """
    try:
        entry = json.loads((folded / "manifest.json").read_text(encoding="utf-8"))["models"][kind]
        copy = folded / str(entry["file"])
        if copy.is_file() and hashlib.sha256(wheel_model.read_bytes()).hexdigest() == entry["source_sha256"]:
            return copy
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return wheel_model


def _folded_models() -> dict[str, tuple[Path, Path]]:
    """For RapidOCR's "Det", "Rec" and "Cls" settings: (the wheel's model file, the file to run), found without importing it."""
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        return {}
    wheel = Path(next(iter(spec.submodule_search_locations))).resolve() / "models"
    try:
        entries = json.loads((FOLDED / "manifest.json").read_text(encoding="utf-8"))["models"]
        sources = {section: (kind, wheel / str(entries[kind]["source"])) for section, kind in _SECTIONS.items()}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {section: (source, model_path(kind, source)) for section, (kind, source) in sources.items()}


#: RapidOCR's settings section of each folded model.
_SECTIONS = {"Det": "det", "Rec": "rec", "Cls": "cls"}


def _usable_cores() -> int:
    """Cores this process may run on (``taskset`` and container CPU sets included)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _single_threaded(config: dict[str, Any]) -> dict[str, Any]:
    """The recognizer's settings with onnxruntime held to one thread per call.

    Batches then run side by side, one per core (:meth:`Engine.recognize`).
    A recognizer call is small (one text line, or a few cells), and
    onnxruntime's own threads split it poorly: on the scanned samples' 181
    narrative lines, two batches at a time on one thread each took 6.2 s
    where one batch at a time on two threads took 8.0 s, on 2 cores.
    """
    return {**config, "intra_op_num_threads": 1}


def default_providers() -> tuple[str, ...]:
    """onnxruntime's providers here: ``CUDAExecutionProvider`` first where ``onnxruntime-gpu`` is installed."""
    import onnxruntime

    return tuple(onnxruntime.get_available_providers())


def _width(crop: np.ndarray) -> float:
    """A crop's width once the recognizer scales it to 48 px high."""
    h, w = crop.shape[:2]
    return max(float(REC_MIN_WIDTH), float(w) * 48 / max(1, int(h)))


_engine: Engine | None = None
_lock = threading.Lock()


_inherited: list[Engine] = []


def _forget_engine_after_fork() -> None:
    """A forked child builds its own engine: the parent's recognizer threads and
    onnxruntime's thread pools do not exist in it, and work handed to them would
    wait forever.  The parent's engine is kept, never used: destroying it would
    join those missing threads and hang the child too."""
    global _engine, _lock, _building, _lock_building
    if _engine is not None:
        _inherited.append(_engine)
    _engine = None
    _lock = threading.Lock()
    _building = None
    _lock_building = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_engine_after_fork)


def _env_int(name: str) -> int | None:
    text = os.environ.get(name, "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


def _env_settings() -> tuple[tuple[str, ...], int | None, int]:
    providers = tuple(p.strip() for p in os.environ.get(PROVIDERS_ENV, "").split(",") if p.strip())
    return providers, _env_int(THREADS_ENV), _env_int(HEIGHT_ENV) or LINE_HEIGHT


def get_engine() -> Engine:
    """The process's engine, built on first use (about 0.3 s)."""
    global _engine
    with _lock:
        if _engine is None:
            before = memory.address_space()
            _engine = Engine(*_env_settings())
            memory.engine_built(before)
        return _engine


def engine_soon() -> Callable[[], Engine]:
    """The process's engine, when it is needed: built meanwhile in a thread if it does not exist yet.

    A process's first scanned page waits for OCR's libraries and models
    (about 0.5 s) before it can detect anything; its rendering, deskewing
    and ruling search need neither, so they run while the engine is built.
    The engine's failure (``OcrUnavailable``) is raised by the call that
    asks for it.
    """
    global _building
    if _engine is not None:
        engine = _engine
        return lambda: engine
    with _lock_building:
        if _building is None or _building.done():  # one build at a time, however many pages ask
            loader = ThreadPoolExecutor(1, thread_name_prefix="jixiao-ocr-load")
            _building = loader.submit(get_engine)
            loader.shutdown(wait=False)
        return _building.result


_building: Future[Engine] | None = None
_lock_building = threading.Lock()


def configure(providers: Sequence[str] = (), threads: int | None = None, line_height: int = LINE_HEIGHT) -> Engine:
    """Replace the process's engine (benchmarks: another provider, thread count or line height)."""
    global _engine
    with _lock:
        before = memory.address_space()
        _engine = Engine(providers, threads, line_height)
        memory.engine_built(before)
        return _engine


def ocr_available() -> bool:
    """Whether OCR can run here, without building the engine."""
    try:
        import cv2  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True
