"""Refuse a hostile or damaged zip (docx, xlsx, ofd) before any reader opens it.

The limits are those of PDF streams (:mod:`jixiao.extract.pdf`): a member
that would inflate past ``MAX_STREAM_MB``, or all of them together past four
times that, is a decompression bomb (``too_large``).  A member name that
climbs out of the archive (``..``, an absolute path) or an XML part with a
document type declaration (entity expansion, external entities: no Office
or OFD part has one) makes the file ``corrupt``.  Sizes are the ones the zip
declares; :mod:`zipfile` never reads past a member's declared size, so a
lying header cannot smuggle more.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from jixiao.errors import Corrupt, TooLarge
from jixiao.extract.pdf import MAX_STREAM_MB

MAX_MEMBERS = 10_000  # a 200-sheet workbook has about 420 parts
TOTAL_FACTOR = 4  # all members together may inflate to this many times one stream's limit
DTD_WINDOW = 4096  # a declaration stands before the root element
XML_SUFFIXES = (".xml", ".rels", ".vml")


def open_zip(data: bytes, what: str, max_stream_mb: int = MAX_STREAM_MB) -> zipfile.ZipFile:
    """The archive, checked; raise a :class:`jixiao.errors.JixiaoError` for a hostile or damaged one."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise Corrupt(f"{what} 文件已损坏（zip 结构无法读取）：{exc}", f"damaged {what} file (unreadable zip): {exc}") from exc
    limit = max_stream_mb * 1024 * 1024
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > TOTAL_FACTOR * limit or any(
        i.file_size > limit for i in infos
    ):
        zf.close()
        raise TooLarge(
            f"{what} 文件解压后超过 {max_stream_mb} MB 或部件过多（疑似压缩炸弹）",
            f"the {what} file inflates past {max_stream_mb} MB or has too many parts (a decompression bomb?)",
        )
    for info in infos:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or ":" in name.split("/")[0]:
            zf.close()
            raise Corrupt(
                f"{what} 文件中有越出压缩包的路径：{info.filename}",
                f"the {what} file holds a path that leaves the archive: {info.filename}",
            )
        if name.lower().endswith(XML_SUFFIXES):
            try:
                with zf.open(info) as member:
                    head = member.read(DTD_WINDOW)
            except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError) as exc:
                zf.close()
                raise Corrupt(f"{what} 文件已损坏：{info.filename}：{exc}", f"damaged {what} file: {info.filename}: {exc}") from exc
            if b"<!doctype" in head.lower() or b"<!entity" in head.lower():
                zf.close()
                raise Corrupt(
                    f"{what} 文件的 XML 含文档类型声明（实体扩展攻击？）：{info.filename}",
                    f"an XML part of the {what} file declares a document type (entity expansion?): {info.filename}",
                )
    return zf
