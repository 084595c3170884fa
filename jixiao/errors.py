"""Reasons a file cannot be read at all.

Only "cannot continue with this file" is an exception; everything a report
gets wrong is a finding. Each exception names its failure kind (SPEC §2) and
carries a message in Chinese and English for the failure row.
"""

from __future__ import annotations

from jixiao.models import FailureKind


class JixiaoError(Exception):
    kind: FailureKind = "crashed"

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en


class EmptyFile(JixiaoError):
    kind: FailureKind = "empty"


class NotPdf(JixiaoError):
    kind: FailureKind = "not_pdf"


class Encrypted(JixiaoError):
    kind: FailureKind = "encrypted"


class Corrupt(JixiaoError):
    kind: FailureKind = "corrupt"


class NoReportFound(JixiaoError):
    kind: FailureKind = "no_report_found"


class TooLarge(JixiaoError):
    kind: FailureKind = "too_large"


class OcrUnavailable(JixiaoError):
    kind: FailureKind = "ocr_unavailable"


class UnsupportedFormat(JixiaoError):
    kind: FailureKind = "unsupported_format"
