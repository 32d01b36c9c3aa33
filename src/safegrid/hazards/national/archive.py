"""The national-format archive: `national.json` with the photos beside it as `photos/<name>.jpg`.

The JSON's `attachments1`/`attachments2` then name the files instead of carrying base64; an import accepts
either. Reading is guarded like the Excel kit's: member count, total uncompressed size, compression ratio.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.utils.translation import gettext as _

from safegrid.enterprises.models import Enterprise

from ..rules import national as nat
from . import export

DATA_NAME = "national.json"
PHOTO_DIR = "photos/"
MAX_MEMBERS = 5_000
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_RATIO = 100  # a member that inflates more than this is refused (zip bomb)


class ArchiveRefused(ValueError):
    pass


def dump_json(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")


def build_zip(user: Any, enterprise: Enterprise, profile: nat.Profile) -> tuple[bytes, export.Export]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def sink(name: str, data: bytes) -> str:
            path = PHOTO_DIR + name
            archive.writestr(zipfile.ZipInfo(path), data, compress_type=zipfile.ZIP_STORED)
            return path

        built = export.build(user, enterprise, profile, photo_sink=sink)
        archive.writestr(DATA_NAME, dump_json(built.payload))
    return buffer.getvalue(), built


def read(content: bytes) -> tuple[Any, dict[str, bytes]]:
    """(payload, photo files by path) from an uploaded .zip or .json; ArchiveRefused with the reason."""
    if content[:2] != b"PK":
        return _json(content), {}
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise ArchiveRefused(_("压缩包已损坏，无法读取")) from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ArchiveRefused(_("压缩包内文件过多（上限 %(n)s 个）") % {"n": MAX_MEMBERS})
        total = sum(m.file_size for m in members)
        if total > MAX_TOTAL_BYTES:
            raise ArchiveRefused(_("压缩包解压后过大"))
        for m in members:
            if m.compress_size and m.file_size / m.compress_size > MAX_RATIO:
                raise ArchiveRefused(_("压缩包内文件压缩比异常，已拒绝"))
        names = {m.filename for m in members}
        if DATA_NAME not in names:
            raise ArchiveRefused(_("压缩包中没有 %(name)s") % {"name": DATA_NAME})
        payload = _json(archive.read(DATA_NAME))
        files = {
            m.filename: archive.read(m)
            for m in members
            if m.filename.startswith(PHOTO_DIR) and not m.is_dir()
        }
    return payload, files


def _json(content: bytes) -> Any:
    try:
        return json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ArchiveRefused(_("文件不是有效的 JSON（UTF-8）")) from exc
