"""Walking the raw root and placing every file, safely (contract §2).

    submissions/<campaign_id>/<cutoff YYYY-MM-DD>/<city_code>/<any name>
    registries/<source>/<any name>

Every entry under the raw root is recorded, none is lost, and only what is safe is
ever opened:

- A regular file is read. A file anywhere else, or under a folder that is not a
  date / known city / known registry, is still registered, and quarantined as
  `bad_location` so an operator sees it.
- A link is never followed out of the raw root: a link whose target is outside, a
  link loop, a dangling link or a link to a folder is recorded as `refused_link`
  and never opened. A link to a regular file inside the root is read like it.
- A FIFO, socket or device is recorded as `refused_special_file` and never opened
  (opening a FIFO would hang the run).
- A name that is not valid UTF-8 (a zip unpacked on Windows leaves GBK bytes) is
  recorded decoded as GB18030; the bytes on disk are still what is opened.
- Office lock files (``~$…``, ``.~lock…#``) and OS clutter (Thumbs.db, .DS_Store,
  desktop.ini) are recorded as `not_an_upload`.
- A ``.zip`` is read as the files it holds (each received at the zip's time), in
  memory and within limits (`ZipLimits`): a member named with ``..`` or an absolute
  path is `refused_member`, a member that is not xlsx/xls/csv is `skipped_member`,
  an archive that would expand past the limit (a zip bomb) or cannot be opened is
  `refused_archive` — decided from the declared sizes, and enforced again while
  decompressing, so memory stays bounded whatever the archive claims.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from pipelines import terms

# Office lock files and OS clutter: never uploads, recorded so an operator knows they were seen.
CLUTTER = re.compile(
    r"^(~\$.*|\.~lock\..*#|Thumbs\.db|desktop\.ini|\.DS_Store|\._.*)$", re.IGNORECASE
)
# Files the project itself keeps in the raw folder (git's placeholder): not uploads, not recorded.
OWN_FILES = frozenset({".gitkeep"})
ARCHIVE_SUFFIX = ".zip"
MEMBER_SUFFIXES = (".xlsx", ".xls", ".csv")
MB = 1024 * 1024


@dataclass(frozen=True)
class ZipLimits:
    """How far an archive may expand (contract §2: 200 MB, or 100 times its own size)."""

    max_bytes: int = 200 * MB
    max_ratio: int = 100

    def for_archive(self, archive_size: int) -> int:
        return min(self.max_bytes, self.max_ratio * max(archive_size, 1))

    @classmethod
    def from_env(cls) -> ZipLimits:
        return cls(
            int(os.environ.get("WARMHEART_ZIP_MAX_MB", "200")) * MB,
            int(os.environ.get("WARMHEART_ZIP_MAX_RATIO", "100")),
        )


class Refused(Exception):
    """An entry found unsafe when it was opened: recorded with `code`, never read."""

    code = "refused_special_file"


class ArchiveRefused(Refused):
    """The archive cannot be read within its limits (a bomb, a corrupt or encrypted zip)."""

    code = "refused_archive"


@dataclass(frozen=True)
class Location:
    path: Path  # what is opened (the archive for a zip member); may hold undecodable bytes
    rel_path: str  # POSIX, relative to the raw root, printable (non-UTF-8 bytes decoded as GB18030)
    source: str | None = None  # submission | registry
    campaign_id: str | None = None
    cutoff_date: dt.date | None = None
    city_code: str | None = None
    city_code_raw: str | None = None
    registry_source: str | None = None
    problem: str | None = None  # why the location is bad, for an operator
    refused: str | None = None  # reason code: recorded, never opened (link, FIFO, clutter, …)
    refused_detail: str | None = None
    member: str | None = None  # the member's name inside `path` when this is a zip member

    @property
    def file_name(self) -> str:
        return self.rel_path.rsplit("/", 1)[-1]

    @property
    def candidates(self) -> tuple[terms.Table, ...]:
        """The tables a file here may be."""
        if self.source == "submission":
            return terms.SUBMISSION_TABLES
        if self.source == "registry" and self.registry_source in terms.REGISTRY_BY_FOLDER:
            return (terms.REGISTRY_BY_FOLDER[self.registry_source],)
        return ()

    def identity(self) -> str:
        """sha256 standing in for the content of an entry that is never opened (stable per path)."""
        return hashlib.sha256(f"not-opened\0{self.refused}\0{self.rel_path}".encode()).hexdigest()


def printable(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (surrogate-escaped by os) decoded as GB18030."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("gb18030", errors="replace")


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        return None


def locate(raw_root: Path, path: Path, rel: str | None = None) -> Location:
    rel = rel if rel is not None else printable(path.relative_to(raw_root).as_posix())
    parts = rel.split("/")
    expected = (
        "expected submissions/<campaign>/<YYYY-MM-DD>/<city code>/<file> "
        "or registries/<source>/<file>"
    )
    if parts[0] == "submissions":
        if len(parts) != 5:
            return Location(
                path, rel, "submission", problem=f"file is not in a city folder ({expected})"
            )
        _, campaign_id, cutoff_raw, city_raw, _ = parts
        cutoff = _parse_date(cutoff_raw)
        city = terms.normalize_city_code(city_raw)
        loc = Location(
            path,
            rel,
            "submission",
            campaign_id,
            cutoff,
            city if city in terms.CITIES else None,
            city_raw,
        )
        if cutoff is None:
            return _bad(loc, f"cut-off folder '{cutoff_raw}' is not a date YYYY-MM-DD")
        if city not in terms.CITIES:
            return _bad(loc, f"city folder '{city_raw}' is not a Shandong city code")
        return loc
    if parts[0] == "registries":
        if len(parts) != 3:
            return Location(
                path, rel, "registry", problem=f"file is not in a registry folder ({expected})"
            )
        folder = parts[1]
        if folder not in terms.REGISTRY_BY_FOLDER:
            known = ", ".join(terms.REGISTRY_BY_FOLDER)
            return Location(
                path,
                rel,
                "registry",
                registry_source=folder,
                problem=f"registry folder '{folder}' is unknown (known: {known})",
            )
        return Location(path, rel, "registry", registry_source=folder)
    return Location(path, rel, problem=f"file is outside the upload folders ({expected})")


def _bad(loc: Location, problem: str) -> Location:
    return replace(loc, problem=problem)


def refuse(loc: Location, code: str, detail: str) -> Location:
    return replace(loc, refused=code, refused_detail=detail)


# --- walking ---------------------------------------------------------------------------------


def _is_within(root_real: str, target: str) -> bool:
    return target == root_real or target.startswith(root_real.rstrip(os.sep) + os.sep)


def _link_problem(entry: os.DirEntry[str], root_real: str) -> str | None:
    """Why a link may not be read (None: a link to a regular file inside the root)."""
    where = os.readlink(entry.path)
    try:
        target = os.path.realpath(entry.path, strict=True)
    except OSError as exc:  # ELOOP for a loop, ENOENT for a dangling link
        kind = "a link loop" if "loop" in str(exc).lower() or exc.errno == 40 else "a dangling link"
        return f"{kind} (points to {printable(where)}); links are not followed"
    if not _is_within(root_real, target):
        return f"a link to {printable(target)}, outside the raw folder; it is never opened"
    if os.path.isdir(target):
        return f"a link to the folder {printable(target)}; links to folders are not followed"
    if not stat.S_ISREG(os.stat(target).st_mode):
        return f"a link to {printable(target)}, which is not a regular file"
    return None


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _walk(raw_root: Path, root_real: str, folder: str, out: list[Location]) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        rel = printable(os.path.relpath(folder, raw_root))
        out.append(
            refuse(
                locate(raw_root, Path(folder), rel + "/"),
                "refused_special_file",
                f"the folder cannot be listed ({exc.strerror})",
            )
        )
        return
    for entry in entries:
        path = Path(entry.path)
        rel = printable(path.relative_to(raw_root).as_posix())
        if entry.name in OWN_FILES:
            continue
        if entry.is_symlink():
            problem = _link_problem(entry, root_real)
            if problem:
                out.append(refuse(locate(raw_root, path, rel), "refused_link", problem))
                continue
        elif entry.is_dir(follow_symlinks=False):
            _walk(raw_root, root_real, entry.path, out)
            continue
        else:
            mode = entry.stat(follow_symlinks=False).st_mode
            if not stat.S_ISREG(mode):
                out.append(
                    refuse(
                        locate(raw_root, path, rel),
                        "refused_special_file",
                        f"{_special_kind(mode)}, not a file; it is never opened",
                    )
                )
                continue
        loc = locate(raw_root, path, rel)
        if CLUTTER.match(entry.name):
            out.append(
                refuse(
                    loc,
                    "not_an_upload",
                    "an Office lock file or system clutter, not an upload; nothing to do",
                )
            )
        elif entry.name.lower().endswith(ARCHIVE_SUFFIX):
            out += archive_members(loc)
        else:
            out.append(loc)


def discover(raw_root: Path) -> list[Location]:
    """Every entry under the raw root, in a stable order (by relative path)."""
    if not raw_root.is_dir():
        return []
    out: list[Location] = []
    _walk(raw_root, os.path.realpath(raw_root), str(raw_root), out)
    return sorted(out, key=lambda loc: loc.rel_path)


# --- zip uploads -----------------------------------------------------------------------------


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author saw it: UTF-8 when flagged, else GBK/GB18030 (Windows zips)."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437")  # zipfile decoded the unflagged bytes as cp437
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


def _unsafe_member(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:", name)) or ".." in parts


def archive_members(loc: Location, limits: ZipLimits | None = None) -> list[Location]:
    """The members of a zip upload as locations (or the archive itself, refused, and why)."""
    limits = limits or ZipLimits.from_env()
    try:
        size = loc.path.stat().st_size
        with zipfile.ZipFile(loc.path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            declared = sum(i.file_size for i in infos)
            budget = limits.for_archive(size)
            if declared > budget:
                raise ArchiveRefused(
                    f"the archive would expand to {declared:,} bytes, past its limit of {budget:,} "
                    f"({limits.max_bytes // MB} MB or {limits.max_ratio}× its {size:,} bytes)"
                )
            if any(i.flag_bits & 0x1 for i in infos):
                raise ArchiveRefused("the archive is password-protected")
    except ArchiveRefused as exc:
        return [refuse(loc, "refused_archive", str(exc))]
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        NotImplementedError,
    ) as exc:
        return [refuse(loc, "refused_archive", f"the zip cannot be opened ({exc})")]
    out: list[Location] = []
    for info in infos:
        name = member_name(info)
        member = replace(loc, rel_path=f"{loc.rel_path}/{name}", member=info.filename)
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        if _unsafe_member(name):
            out.append(
                refuse(
                    member,
                    "refused_member",
                    f"member '{name}' would be written outside the archive's folder",
                )
            )
        elif name.startswith("__MACOSX/") or CLUTTER.match(base):
            out.append(
                refuse(member, "not_an_upload", "system clutter inside the zip, not an upload")
            )
        elif not base.lower().endswith(MEMBER_SUFFIXES):
            out.append(
                refuse(
                    member,
                    "skipped_member",
                    f"member '{name}' is not an xlsx, xls or csv file; it was skipped",
                )
            )
        else:
            out.append(member)
    return out


def read_bytes(loc: Location, limits: ZipLimits | None = None) -> bytes:
    """The bytes of a file or zip member; a member is decompressed in chunks within the limit."""
    if loc.refused:
        raise ValueError(f"{loc.rel_path} is refused ({loc.refused}) and must not be opened")
    if loc.member is None:
        return _read_regular(loc.path)
    limits = limits or ZipLimits.from_env()
    budget = limits.for_archive(loc.path.stat().st_size)
    chunks: list[bytes] = []
    total = 0
    with zipfile.ZipFile(loc.path) as zf, zf.open(loc.member) as fh:
        while chunk := fh.read(MB):
            total += len(chunk)
            if total > budget:
                raise ArchiveRefused(f"member expands past the archive's limit of {budget:,} bytes")
            chunks.append(chunk)
    return b"".join(chunks)


def _read_regular(path: Path) -> bytes:
    """A file's bytes, refusing anything that became a FIFO or device since the walk (no hang)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Refused("the entry is no longer a regular file; it was not read")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    finally:
        os.close(fd)


def mtime(loc: Location) -> float:
    """When the entry was received: its own modification time (a member: the zip's); links not followed."""
    return os.lstat(loc.path).st_mtime if loc.refused else loc.path.stat().st_mtime
