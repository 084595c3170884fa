"""Which way up a scanned page is: 0, 90, 180 or 270 degrees.

Scanners and converters store pages sideways (a portrait sheet fed
landscape) or upside down, with no ``/Rotate`` to say so.  The page reader
detects text once anyway; the boxes it finds tell the rest almost for free:

- text lines are far wider than high, so a page whose long boxes stand
  upright is sideways (Chinese characters are square: a line turned by 90°
  is still found, as a tall box);
- whether the lines read upright or upside down (after turning a sideways
  page's lines a quarter) is asked of PP-OCR's direction classifier, which
  ships in the wheel beside the detector, on a few line pieces: about four
  characters from the middle of each of the longest lines, the shape it was
  trained on.  The mean of their "upside down" probabilities decides.

On an upright page this costs one small classifier batch (about 20 ms on
2 cores); a page found turned is read again from its turned image.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from jixiao.extract.ocr.engine import Engine

Box = tuple[float, float, float, float]

#: A box this many times longer than thick is a text line (a single digit is about 1.7).
LINE_ASPECT = 2.5
#: A page is sideways when its upright lines are this many times longer than its level ones.
SIDEWAYS_RATIO = 3.0
SIDEWAYS_MIN_LINES = 2
#: Lines shown to the direction classifier, longest first, and the piece of each (its thickness × this).
CLASSIFY_LINES = 8
CLASSIFY_ASPECT = 1.5
PIECE_LENGTH = 4.0
#: Mean probability of "upside down" above which the page is turned (the classifier is near 0 or 1 on lines).
UPSIDE_DOWN = 0.6
#: With fewer pieces than this, a page is turned only on a near-certain verdict.
FEW_PIECES = 3
UPSIDE_DOWN_FEW = 0.85


def _size(box: Box) -> tuple[float, float]:
    return box[2] - box[0], box[3] - box[1]


def is_line(box: Box) -> bool:
    """Whether a box is a text line, running either way (not a lone character or a blot)."""
    w, h = _size(box)
    return w >= LINE_ASPECT * h or h >= LINE_ASPECT * w


def is_sideways(boxes: Sequence[Box]) -> bool:
    """Whether the page's text lines run up or down the page rather than across it."""
    level = sum(w for w, h in map(_size, boxes) if w >= LINE_ASPECT * h)
    upright = [h for w, h in map(_size, boxes) if h >= LINE_ASPECT * w]
    return len(upright) >= SIDEWAYS_MIN_LINES and sum(upright) > SIDEWAYS_RATIO * level


def line_pieces(grey: np.ndarray, boxes: Sequence[Box], sideways: bool) -> list[np.ndarray]:
    """Middle pieces (about four characters) of the longest lines, turned to run left to right if sideways.

    A sideways piece is turned a quarter clockwise: upright afterwards if the
    page needs that quarter turn, upside down if it needs three.
    """
    if sideways:
        lines = [b for b in boxes if b[3] - b[1] >= CLASSIFY_ASPECT * (b[2] - b[0])]
        lines.sort(key=lambda b: b[1] - b[3])
    else:
        lines = [b for b in boxes if b[2] - b[0] >= CLASSIFY_ASPECT * (b[3] - b[1])]
        lines.sort(key=lambda b: b[0] - b[2])
    h, w = grey.shape[:2]
    pieces: list[np.ndarray] = []
    for x0, y0, x1, y1 in lines[:CLASSIFY_LINES]:
        if sideways:
            half = (x1 - x0) * PIECE_LENGTH / 2
            mid = (y0 + y1) / 2
            y0, y1 = max(y0, mid - half), min(y1, mid + half)
        else:
            half = (y1 - y0) * PIECE_LENGTH / 2
            mid = (x0 + x1) / 2
            x0, x1 = max(x0, mid - half), min(x1, mid + half)
        crop = grey[max(0, int(y0)) : min(h, int(np.ceil(y1))), max(0, int(x0)) : min(w, int(np.ceil(x1)))]
        if crop.shape[0] < 4 or crop.shape[1] < 4:
            continue
        if sideways:
            crop = cv2.rotate(crop, cv2.ROTATE_90_CLOCKWISE)
        pieces.append(cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR) if crop.ndim == 2 else crop)
    return pieces


def upside_down(engine: Engine, pieces: Sequence[np.ndarray]) -> float:
    """Mean probability (0–1) that the pieces are upside down, by PP-OCR's direction classifier."""
    if not pieces:
        return 0.0
    probs = [score if "180" in label else 1.0 - score for label, score in engine.classify(pieces)]
    return float(np.mean(probs))


def page_turn(engine: Engine, grey: np.ndarray, boxes: Sequence[Box], sideways: bool | None = None) -> int:
    """Degrees (0, 90, 180, 270) to turn the page clockwise so its text reads upright.

    ``boxes`` are the text boxes found on ``grey`` (pixels, x0 y0 x1 y1);
    ``sideways``, when known from other boxes, whether its lines run down the page.
    """
    if sideways is None:
        sideways = is_sideways(boxes)
    pieces = line_pieces(grey, boxes, sideways)
    if not pieces:
        return 0
    limit = UPSIDE_DOWN if len(pieces) >= FEW_PIECES else UPSIDE_DOWN_FEW
    flipped = upside_down(engine, pieces) > limit
    if sideways:
        return 270 if flipped else 90
    return 180 if flipped else 0


_CV2_TURN = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def turn(image: np.ndarray, degrees: int) -> np.ndarray:
    """``image`` turned clockwise by a multiple of 90 degrees."""
    degrees %= 360
    if degrees == 0:
        return image
    return np.ascontiguousarray(cv2.rotate(image, _CV2_TURN[degrees]))
