"""Reading a document's text without MuPDF bounding each glyph by its outline.

MuPDF's PDF interpreter bounds every glyph it shows (``pdf_tos_make_trm`` calls
``fz_bound_glyph``).  For an embedded font of at most 4096 glyphs, such as the
CJK subsets LibreOffice embeds, that loads each glyph's outline through
FreeType once per document: about a quarter of the instructions a LibreOffice
report costs, more than all of the tables' reading.  Reading text does not use
the bound: MuPDF's text device places characters by the font's metrics, and the
bound only sizes the box of a text clip or a transparency group, which neither
the text device (without ``TEXT_CLIP``) nor the drawings reader
(``get_cdrawings``) looks at.  A font whose ``use_glyph_bbox`` is off is
bounded by its font box instead, with the same text, boxes and drawings read
(``tests/test_glyph_bounds.py`` compares them on every sample page).

Rendering does use the bound (it sizes a text clip's mask), so the fonts get
their glyph bounds back before any page of the document is rendered for OCR
(:meth:`GlyphBounds.restore`).  The switch goes through MuPDF's own bindings,
which PyMuPDF does not wrap; anything unexpected leaves the fonts as they are,
which only costs the time.
"""

from __future__ import annotations

from typing import Any

import pymupdf
from pymupdf import mupdf


class GlyphBounds:
    """One open document's fonts, with per-glyph bounds off while its text is read."""

    def __init__(self, doc: pymupdf.Document) -> None:
        self._pdf: Any = None
        self._seen: set[int] = set()  # font objects already looked at (object numbers)
        self._seen_lists: set[int] = set()  # pages' font dicts (object numbers) whose fonts were all looked at
        self._off: list[tuple[int, int]] = []  # (number, generation) of those turned off
        try:
            pdf = mupdf.pdf_document_from_fz_document(doc.this) if isinstance(doc.this, mupdf.FzDocument) else doc.this
            if isinstance(pdf, mupdf.PdfDocument) and pdf.m_internal is not None:
                self._pdf = pdf
        except Exception:  # another PyMuPDF: read with the bounds
            self._pdf = None

    @property
    def turned_off(self) -> tuple[int, ...]:
        """The object numbers of the fonts whose glyph bounds are off now."""
        return tuple(number for number, _ in self._off)

    @property
    def active(self) -> bool:
        """Whether fonts met from now on have their glyph bounds turned off."""
        return self._pdf is not None

    def skip(self, page: pymupdf.Page) -> None:
        """Turn off the glyph bounds of the page's fonts (before its text is read).

        Only fonts that are objects of their own (a font written inside the
        resources keeps its bounds, and costs only time) and not Type 3 fonts,
        whose glyphs are drawings that the bound does size.
        """
        if self._pdf is None:
            return
        try:
            obj = mupdf.pdf_page_from_fz_page(page.this).obj() if isinstance(page.this, mupdf.FzPage) else page.this.obj()
            resources = mupdf.pdf_dict_get_inheritable(obj, mupdf.PDF_ENUM_NAME_Resources)
            fonts = mupdf.pdf_dict_get(resources, mupdf.PDF_ENUM_NAME_Font)
            # An office suite gives every page one font dict, an object of its own: its fonts
            # were looked at with the first page (ten microseconds a font, a page).
            listed = mupdf.pdf_to_num(fonts)
            if listed > 0 and listed in self._seen_lists:
                return
            for i in range(mupdf.pdf_dict_len(fonts)):
                ref = mupdf.pdf_dict_get_val(fonts, i)
                number = mupdf.pdf_to_num(ref)
                if number <= 0 or number in self._seen:
                    continue
                self._seen.add(number)
                if not mupdf.pdf_is_dict(ref):
                    continue
                subtype = mupdf.pdf_dict_get(ref, mupdf.PDF_ENUM_NAME_Subtype)
                if mupdf.pdf_name_eq(subtype, mupdf.PDF_ENUM_NAME_Type3):
                    continue
                if self._switch(ref, on=False):
                    self._off.append((number, mupdf.pdf_to_gen(ref)))
            if listed > 0:
                self._seen_lists.add(listed)
        except Exception:  # bindings unlike these: leave the remaining fonts alone
            self.restore()

    def restore(self) -> None:
        """Give every font turned off its glyph bounds back, and turn off no more (before rendering)."""
        pdf, self._pdf = self._pdf, None
        if pdf is None:
            return
        for number, generation in self._off:
            try:  # by reference, as the page names it: MuPDF keeps loaded fonts by object number
                self._switch(mupdf.pdf_new_indirect(pdf, number, generation), on=True, pdf=pdf)
            except Exception:
                continue
        self._off = []

    def _switch(self, ref: Any, on: bool, pdf: Any = None) -> bool:
        """Set the loaded font's ``use_glyph_bbox``; True if it changed.

        ``pdf_load_font`` gives the font MuPDF keeps for this reference (its store
        holds it for the document, found by object number), the one the
        interpreter will show glyphs with when a page names it.
        """
        pdf = pdf if pdf is not None else self._pdf
        stack = mupdf.pdf_resource_stack()  # the resources matter to Type 3 fonts only
        stack.resources = None
        stack.next = None
        try:
            desc = mupdf.ll_pdf_load_font(pdf.m_internal, stack, ref.m_internal)
        except Exception:  # a font MuPDF cannot load: the interpreter says so in its turn
            return False
        try:
            font = desc.font
            if font is None or font.ft_face is None or bool(font.use_glyph_bbox) == on:
                return False
            font.use_glyph_bbox = 1 if on else 0
            return True
        finally:
            mupdf.ll_pdf_drop_font(desc)
