"""An OFD file drawn as a PDF, so its findings get page crops like a PDF's.

The HTML report crops pages with MuPDF, which cannot open OFD; the reader
already has each page's characters and ruling lines in points
(:func:`jixiao.extract.ofd.read_pages`), in the same top-left frame as a
PDF's, so drawing them on a PDF page of the same size puts every box of a
finding where it belongs.  Only what the checks read is drawn: text (in
MuPDF's built-in CJK font) and the table lines.
"""

from __future__ import annotations

import pymupdf

from jixiao.extract.ofd import DESCENT, read_pages

FONT = "china-s"  # MuPDF's built-in simplified Chinese font
LINE_WIDTH = 0.5


def ofd_to_pdf(data: bytes) -> pymupdf.Document:
    doc = pymupdf.open()
    for page in read_pages(data):
        out = doc.new_page(width=page.width, height=page.height)
        shape = out.new_shape()
        for seg in page.segments:
            shape.draw_line((seg.x0, seg.y0), (seg.x1, seg.y1))
        shape.finish(color=(0, 0, 0), width=LINE_WIDTH)
        for run in page.chars:
            baseline = run.y1 - run.size * DESCENT
            # each character at its own place: the built-in font's widths are not the file's
            for ch, box in run.parts or ((run.c, (run.x0, run.y0, run.x1, run.y1)),):
                if ch.strip():
                    shape.insert_text((box[0], baseline), ch, fontname=FONT, fontsize=run.size)
        shape.commit()
    return doc
