"""Instructions per report (valgrind), for comparisons that another job on the machine cannot disturb.

Run on demand (needs ``valgrind``; about a minute per way)::

    python benchmarks/instructions.py                          # samples/office, this checkout
    python benchmarks/instructions.py --folder samples --tree /tmp/main-checkout

Each way runs in its own process under callgrind, which counts only what runs
inside one ``sorted()`` call (``--toggle-collect=builtin_sorted``): imports and a
first warming pass over the files are left out.  Every document is opened anew,
so MuPDF loads its fonts cold as in a batch, and the parser's per-document
memos are cleared as each file starts (:mod:`jixiao.normalize.memo`):

* **floor**: PyMuPDF ``get_text()`` of every page (as ``compare.py``);
* **textpage**: open, and the TextPage of every page (the interpretation the floor pays too);
* **textpage+dict**: the same and ``get_text("dict")`` (jixiao's text layer read);
* **jixiao**: ``parse_path`` of each file (extract, normalize, validate).

Counts are not times: under valgrind SHA-256 runs without the CPU's SHA
instructions and ``memset`` counts every store, so a hash of the file weighs
far more here than on the machine.  Use them to see whether a change removed
work, and wall/CPU time (``compare.py``) for how much it saves.  ``--tree``
counts another checkout of jixiao (put first on ``PYTHONPATH``), e.g. one made
with ``git archive main | tar -x -C DIR``, so two versions are compared in one run.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WAYS = ("floor", "textpage", "textpage+dict", "jixiao")


def child(way: str, folder: Path) -> None:
    """The measured work of one way, inside ``sorted`` (what callgrind counts)."""
    import pymupdf

    from jixiao.extract.chars import TEXT_FLAGS
    from jixiao.normalize.memo import forget_document
    from jixiao.pipeline import parse_path

    paths = sorted(folder.glob("*.pdf"))
    datas = [p.read_bytes() for p in paths]

    def pages(read: object) -> None:
        for data in datas:
            with pymupdf.open(stream=data, filetype="pdf") as doc:
                for page in doc:
                    read(page)  # type: ignore[operator]

    def run(_: int) -> int:
        if way == "floor":
            pages(lambda page: page.get_text())
        elif way == "textpage":
            pages(lambda page: page.get_textpage(flags=TEXT_FLAGS))
        elif way == "textpage+dict":
            pages(lambda page: page.get_text("dict", textpage=page.get_textpage(flags=TEXT_FLAGS)))
        else:
            for p in paths:
                forget_document()
                parse_path(p)
        return 0

    run(0)  # warm: imports, compiled patterns, vocabularies
    sorted(range(1), key=run)


def count(way: str, folder: Path, tree: Path | None) -> int:
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    cmd = [
        "valgrind", "--tool=callgrind", "--toggle-collect=builtin_sorted", "--callgrind-out-file=/dev/null",
        sys.executable, str(Path(__file__).resolve()), "--child", way, "--folder", str(folder),
    ]
    done = subprocess.run(cmd, cwd="/", env=env, capture_output=True, text=True, check=True)
    found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    if found is None:
        raise RuntimeError(done.stderr[-2000:])
    return int(found.group(1))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folder", type=Path, default=ROOT / "samples" / "office")
    ap.add_argument("--tree", type=Path, help="another checkout of jixiao to count instead of this one")
    ap.add_argument("--ways", default=",".join(WAYS), help=f"comma-separated, of {', '.join(WAYS)}")
    ap.add_argument("--child", choices=WAYS, help=argparse.SUPPRESS)
    args = ap.parse_args()
    folder = args.folder.resolve()
    if args.child:
        child(args.child, folder)
        return 0
    reports = len(list(folder.glob("*.pdf")))
    print(f"{folder}: {reports} files; M instructions per report ({args.tree or ROOT})")
    got = {}
    for way in args.ways.split(","):
        got[way] = count(way, folder, args.tree) / reports / 1e6
        print(f"  {way:16} {got[way]:8.1f}", flush=True)
    if "floor" in got and "jixiao" in got:
        print(f"  jixiao / floor   {got['jixiao'] / got['floor']:8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
