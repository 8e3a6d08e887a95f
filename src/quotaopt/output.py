"""Writing results: whole files or nothing, spreadsheet-safe text.

Every file is written to a temporary file in the target folder and renamed over the target,
so a reader (or a crash) never sees half a file. Text cells that a spreadsheet would run as a
formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) are written with a
leading apostrophe in CSV (the OWASP rule; the CSV bytes are made by
:mod:`quotaopt.csvtext`) and as plain string cells in XLSX.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import IO, Any, cast

import pandas as pd

from .csvtext import CSV_ENCODINGS as CSV_ENCODINGS  # the CSV writing, re-exported here
from .csvtext import csv_bytes, csv_encoding, csv_utf8_writer, encoded_csv_text
from .csvtext import csv_safe as csv_safe
from .csvtext import csv_text as csv_text
from .errors import InputError, Problem
from .headers import ALLOCATION_ZH
from .i18n import language
from .messages import render

FORMATS = ("csv", "xlsx", "json")
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XLSX text


#: Hidden lock file in an output folder while a run puts its files in place.
LOCK_NAME = ".quotaopt.lock"
#: Seconds a run waits for another run writing into the same folder before it gives up.
LOCK_WAIT = 30.0


def output_fault(exc: OSError, path: str | Path, doing: str = "write the results") -> InputError:
    """A failure of the environment while writing (no space, no permission, a folder in the
    way, a file that vanished) as an exit-2 error naming the path and the reason."""
    reason = exc.strerror or type(exc).__name__
    return InputError([Problem.of("cannot_write", file=str(path), reason=reason, doing=doing)])


def prepare_out_dir(path: str | Path, names: Sequence[str] = (),
                    inputs: Sequence[str | Path] = ()) -> Path:
    """Create ``path`` if needed and make sure the results can be written there — before any
    solving.

    ``names`` are the files the command will write into the folder: each must not be a
    folder (or anything but a file) and must not be one of ``inputs``, the files the command
    reads (scenario, units tables, plan): results never overwrite their own input.
    """
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise InputError([Problem.of("out_not_folder", file=str(out))])
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".quotaopt-probe-"):
            pass
    except OSError as exc:
        raise InputError([Problem.of("out_not_writable", file=str(out),
                                     reason=str(exc.strerror))]) from None
    problems = []
    for name in names:
        target = out / name
        for source in inputs:
            if _same_file(target, Path(source)):
                problems.append(Problem.of("out_is_input", file=str(target),
                                           source=str(source)))
                break
        else:
            if target.is_dir() or (os.path.lexists(target) and not (
                    target.is_file() or target.is_symlink())):
                problems.append(Problem.of("out_in_the_way", file=str(target)))
    if problems:
        raise InputError(problems)
    return out


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return os.path.abspath(a) == os.path.abspath(b)


def _default_mode() -> int:
    """Permissions an ordinary new file gets here (``0o666`` less the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write(target: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write ``target`` through a temporary file in the same folder, then rename it.

    The temporary file (private while it is written) gets ordinary permissions before the
    rename, so results can be shared like any file the user makes.
    """
    atomic_write_all([(target, write)])


def atomic_write_all(items: Sequence[tuple[Path, Callable[[IO[bytes]], object]]]) -> None:
    """Write several files whole or not at all, as one set.

    Every file is first written (and flushed to disk) under a temporary name in its target
    folder; only then, holding the folder's lock (:func:`folder_lock`, so two runs into one
    folder never interleave their sets), are they renamed over their targets, one right
    after the other. The file each rename replaces is kept (a hard link) until the set is
    complete: if a rename fails — or the run is interrupted — the files already renamed are
    put back, so every target is as it was. A failure of the environment (no space, no
    permission, a folder in the way) is an :class:`InputError` naming the path and the
    reason (exit 2).
    """
    staged: list[tuple[str, Path]] = []
    try:
        for target, write in items:
            if target.is_dir():
                raise InputError([Problem.of("out_in_the_way", file=str(target),
                                             other=False)])
            try:
                staged.append((_write_temporary(target, write), target))
            except OSError as exc:
                raise output_fault(exc, target) from None
        folders = list(dict.fromkeys(target.parent for _, target in staged))
        with contextlib.ExitStack() as locks:
            for folder in folders:
                locks.enter_context(folder_lock(folder))
            _replace_all(staged)
            staged = []
        for folder in folders:
            _fsync_folder(folder)
    finally:
        for tmp, _ in staged:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _replace_all(staged: Sequence[tuple[str, Path]]) -> None:
    """Rename each temporary file over its target; on any failure put every target back."""
    kept: list[tuple[Path, str | None]] = []  # (target, the old file's backup name or None)
    target = staged[0][1] if staged else Path(".")
    try:
        for tmp, target in staged:
            backup = _keep_old(target)
            try:
                os.replace(tmp, target)
            except BaseException:
                if backup is not None:
                    os.unlink(backup)
                raise
            kept.append((target, backup))
    except BaseException as exc:
        _put_back(kept)
        if isinstance(exc, OSError):
            raise output_fault(exc, target) from None
        raise
    for _target, backup in kept:
        if backup is not None:
            try:
                os.unlink(backup)
            except OSError:
                pass


def _keep_old(target: Path) -> str | None:
    """A hidden second name for the file ``target`` now names (``None`` if there is none)."""
    if not os.path.lexists(target):
        return None
    for _attempt in range(100):
        backup = str(target.parent / f".{target.name}.{secrets.token_hex(4)}.old")
        try:
            os.link(target, backup)
            return backup
        except FileExistsError:
            continue
        except (OSError, NotImplementedError):  # no hard links here: a copy does as well
            shutil.copy2(target, backup, follow_symlinks=False)
            return backup
    raise FileExistsError(errno.EEXIST, render("no_backup_name", {}), str(target))


def _put_back(kept: Sequence[tuple[Path, str | None]]) -> None:
    for target, backup in reversed(kept):
        try:
            if backup is None:
                os.unlink(target)
            else:
                os.replace(backup, target)
        except OSError:
            pass  # nothing more can be done; the error that brought us here is reported


@contextlib.contextmanager
def folder_lock(folder: Path, wait: float | None = None) -> Iterator[None]:
    """Hold ``folder/.quotaopt.lock`` (an OS file lock, released if the process dies).

    A second run waits up to ``wait`` seconds (default :data:`LOCK_WAIT`), then gives up
    with an exit-2 error saying another run is writing there. The lock file is removed when
    released (the lock is taken on the file the name points to, re-checked after locking).
    """
    path = folder / LOCK_NAME
    deadline = time.monotonic() + (LOCK_WAIT if wait is None else wait)
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise output_fault(exc, path) from None
        try:
            if _try_lock(fd):
                try:
                    same = os.path.samestat(os.fstat(fd), os.stat(path))
                except FileNotFoundError:
                    same = False
                if same:
                    break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
        if time.monotonic() > deadline:
            raise InputError([Problem.of("out_locked", file=str(folder),
                                         seconds=LOCK_WAIT if wait is None else wait)])
        time.sleep(0.02)
    try:
        yield
    finally:
        if os.name != "nt":  # on Windows an open file cannot be removed
            try:
                os.unlink(path)
            except OSError:
                pass
        os.close(fd)  # releases the lock


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _write_temporary(target: Path, write: Callable[[IO[bytes]], object]) -> str:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _default_mode())
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return tmp


def _fsync_folder(folder: Path) -> None:
    """Make the renames durable (a power cut after this keeps the new files)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the renames are still atomic
    finally:
        os.close(fd)


def for_people(df: pd.DataFrame) -> pd.DataFrame:
    """An allocation as written to CSV and XLSX files: in Chinese mode the Chinese headers of
    :data:`~quotaopt.headers.ALLOCATION_ZH` (which ``quotaopt audit`` reads back) and 是/否
    for true/false; in English mode ``df`` itself."""
    if language() != "zh":
        return df
    out = df.copy()
    for j in range(out.shape[1]):
        if out.dtypes.iloc[j].kind == "b":
            out.isetitem(j, out.iloc[:, j].map({True: "是", False: "否"}).astype(object))
    out.columns = pd.Index([ALLOCATION_ZH.get(str(c), str(c)) for c in out.columns],
                           dtype=object)
    return out


def write_csv(df: pd.DataFrame, target: Path, encoding: str | None = None) -> None:
    data = csv_bytes(df, encoding, target)
    atomic_write(target, lambda fh: fh.write(data))


#: Bytes per ``write`` call into a result file. Where the file system caches a file in
#: folios as large as each write (ext4 on Linux 6.16 and later), writes of megabytes made
#: the kernel look for (and compact memory into) large free blocks; 64 KiB pieces cost it
#: no more than one copy (docs/performance.md).
_PIECE = 1 << 16


class _Hashing:
    """A binary file that passes what is written on to ``fh``, counting the bytes and
    hashing them (SHA-256) on the way."""

    closed = False

    def __init__(self, fh: IO[bytes]):
        self.fh, self.sha, self.size = fh, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        self.size += len(data)
        return _write_bytes(data, self.fh)

    def flush(self) -> None:
        self.fh.flush()


def write_json(obj: Any, target: Path) -> None:
    data = json_bytes(obj)
    atomic_write(target, lambda fh: fh.write(data))


def json_bytes(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode()


def flatten(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested dicts → (dotted key, value) rows, for a key/value sheet."""
    rows: list[tuple[str, Any]] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            rows += flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(obj, list):
        if not obj:
            rows.append((prefix, ""))
        for i, v in enumerate(obj):
            rows += flatten(v, f"{prefix}[{i + 1}]")
    else:
        rows.append((prefix, "" if obj is None else obj))
    return rows


#: Something that adds to an openpyxl workbook before it is saved (a formatted sheet).
Decorate = Callable[[Any], None]


def write_xlsx(sheets: dict[str, pd.DataFrame], target: Path,
               titles: dict[str, str] | None = None, decorate: Decorate | None = None) -> None:
    """One workbook; every text cell is a string cell (never a formula)."""
    data = xlsx_bytes(sheets, titles, decorate)
    atomic_write(target, lambda fh: fh.write(data))


def xlsx_bytes(sheets: dict[str, pd.DataFrame], titles: dict[str, str] | None = None,
               decorate: Decorate | None = None) -> bytes:
    """The bytes of the workbook :func:`write_xlsx` writes.

    ``titles`` gives some sheets a first row above the table's header (one text cell).
    Sheet names should come from :func:`sheet_name`. ``decorate`` is called with the
    workbook once the sheets are in it (it may add formatted sheets of its own).
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING

    wb = Workbook(write_only=False)
    wb.remove(wb.active)
    for name, df in sheets.items():
        ws = wb.create_sheet(title=name[:31])
        if titles and name in titles:
            ws.append([_xlsx_value(titles[name])])
        ws.append([_xlsx_value(str(c)) for c in df.columns])
        for row in df.itertuples(index=False):
            ws.append([_xlsx_value(v) for v in row])
        for row in ws.iter_rows(min_row=1):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = TYPE_STRING
    if decorate is not None:
        decorate(wb)
    return _reproducible_xlsx(wb)


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
#: Excel keeps this sheet name for itself (change tracking).
_SHEET_RESERVED = "history"


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid worksheet name for ``name``, unique among ``taken`` (which it joins).

    Excel's rules: at most 31 characters, none of ``[ ] : * ? / \\``, no apostrophe at
    either end, not ``History``, and unique ignoring case. Forbidden characters (and control
    characters) become ``_``; a name taken already, or reserved, gets `` (2)``, `` (3)``, ….
    """
    base = _SHEET_FORBIDDEN.sub("_", name)[:31].strip("'").strip() or "sheet"
    out, k = base, 2
    while out.casefold() in taken or out.casefold() == _SHEET_RESERVED:
        suffix = f" ({k})"
        out, k = base[: 31 - len(suffix)].rstrip("'") + suffix, k + 1
    taken.add(out.casefold())
    return out


#: Time stamp of every workbook (its properties and its ZIP entries) unless
#: ``SOURCE_DATE_EPOCH`` gives another: the same tables give the same bytes.
XLSX_EPOCH = datetime.datetime(2000, 1, 1)
_ZIP_FIRST, _ZIP_LAST = datetime.datetime(1980, 1, 1), datetime.datetime(2107, 12, 31, 23, 59, 58)


def _xlsx_time() -> datetime.datetime:
    """``SOURCE_DATE_EPOCH`` (seconds, UTC) if set and valid, else :data:`XLSX_EPOCH`."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        when = datetime.datetime.fromtimestamp(int(raw), tz=datetime.UTC)
    except (ValueError, OverflowError, OSError):
        return XLSX_EPOCH
    # the range a ZIP entry can hold, whole seconds (ZIP keeps even seconds only)
    return min(max(when.replace(tzinfo=None), _ZIP_FIRST), _ZIP_LAST).replace(microsecond=0)


def _reproducible_xlsx(wb: Any) -> bytes:
    """The workbook's bytes without the time of writing in them.

    openpyxl stamps ``docProps/core.xml`` (created, modified) and every ZIP entry with the
    current time; the package is rewritten with creator ``quotaopt`` and one fixed time.
    """
    from openpyxl.xml.functions import tostring

    raw = io.BytesIO()
    wb.save(raw)
    when = _xlsx_time()
    props = wb.properties
    props.creator, props.lastModifiedBy = "quotaopt", None
    props.created = props.modified = when
    core = tostring(props.to_tree())
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = info.external_attr
            body = core if info.filename == "docProps/core.xml" else src.read(info)
            dst.writestr(entry, body)
    return out.getvalue()


def xlsx_row(values: Sequence[Any]) -> list[Any]:
    """Values ready for ``worksheet.append``: control characters replaced, numpy scalars
    unwrapped (see :func:`text_cells`, which keeps the text from becoming formulas)."""
    return [_xlsx_value(v) for v in values]


def text_cells(ws: Any) -> None:
    """Every text cell of ``ws`` a string cell: ``=1+1石桥镇卫生院`` is text, never a formula."""
    from openpyxl.cell.cell import TYPE_STRING

    for row in ws.iter_rows(min_row=1):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING


def _xlsx_value(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, str):
        if _XLSX_ILLEGAL.search(value):
            # control characters cannot be stored in a worksheet: shown as U+FFFD instead
            return _XLSX_ILLEGAL.sub("\ufffd", value)
        return value
    if value is None or isinstance(value, int | float | bool | datetime.date | datetime.time):
        return value
    return _xlsx_value(str(value))  # anything else a DataFrame built in code may hold


def write_results(result: Any, out_dir: str | Path, fmt: str = "csv",
                  encoding: str | None = None, decorate: Decorate | None = None,
                  extra: Sequence[tuple[str, bytes]] = ()) -> list[Path]:
    """Write a :class:`~quotaopt.solve.Result`; returns the paths written. ``encoding``:
    of allocation.csv (:func:`csv_encoding`); ``decorate``: adds to results.xlsx (the plan
    table); ``extra``: more files (name, bytes) written in the same set."""
    out = Path(out_dir)
    written: list[Path] = []
    summary_path = out / "summary.json"
    if fmt == "xlsx":
        sheets = {}
        if result.allocation is not None:
            sheets["allocation"] = for_people(result.allocation)
        summary_rows = [(k, v) for k, v in flatten(result.summary) if not k.startswith("policy.")]
        sheets["summary"] = pd.DataFrame(summary_rows, columns=["key", "value"])
        sheets["policy"] = pd.DataFrame(flatten(result.summary.get("policy", {})),
                                        columns=["key", "value"])
        target = out / "results.xlsx"
        book = [(target, xlsx_bytes(sheets, decorate=decorate))]
        book += [(out / name, data) for name, data in extra]
        write_files(book)
        return [t for t, _data in book]
    # both files are written first and renamed together: a run stopped while writing leaves
    # the previous pair, never a new allocation beside an old summary
    if fmt == "csv" and result.allocation is not None:
        return _write_csv_results(result, out, encoding)
    files: list[tuple[Path, bytes]] = []
    if result.allocation is not None:
        if fmt == "json":
            records = json.loads(result.allocation.to_json(orient="records", force_ascii=False))
            files.append((out / "allocation.json", json_bytes(records)))
        else:
            target = out / "allocation.csv"
            files.append((target, csv_bytes(for_people(result.allocation), encoding, target)))
    # the summary names the SHA-256 of the files it belongs to: a reader can tell whether
    # the allocation beside it is the one it describes (see verify_result_files)
    summary = {**result.summary, "files": {
        target.name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        for target, data in files}}
    files.append((summary_path, json_bytes(summary)))
    write_files(files)
    written += [target for target, _ in files]
    return written


def _write_csv_results(result: Any, out: Path, encoding: str | None) -> list[Path]:
    """``allocation.csv`` and ``summary.json``, written as one set; the summary names the
    allocation's SHA-256 and size, taken from the bytes as they go to the file. In UTF-8
    the allocation goes from pyarrow's writer straight into its file (never held in memory
    whole); in GBK, or with a cell that needs quotes, it is made by :func:`csv_text`."""
    enc = csv_encoding(encoding)
    target, summary_path = out / "allocation.csv", out / "summary.json"
    people = for_people(result.allocation)
    stream = csv_utf8_writer(people) if enc in ("utf-8", "utf-8-sig") else None
    write: Callable[[IO[bytes]], object] = stream or partial(
        _write_bytes, encoded_csv_text(people, enc, target))
    del people
    written: dict[str, Any] = {}

    def write_allocation(fh: IO[bytes]) -> None:
        sink = _Hashing(fh)
        if stream is not None and enc == "utf-8-sig":  # csv_text's encoding writes its own
            sink.write(b"\xef\xbb\xbf")
        write(cast(IO[bytes], sink))
        written[target.name] = {"sha256": sink.sha.hexdigest(), "bytes": sink.size}

    def write_summary(fh: IO[bytes]) -> None:  # after the allocation: it names its hash
        fh.write(json_bytes({**result.summary, "files": dict(written)}))

    atomic_write_all([(target, write_allocation), (summary_path, write_summary)])
    return [target, summary_path]


def write_files(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write several files of known bytes as one set (:func:`atomic_write_all`)."""
    atomic_write_all([(target, partial(_write_bytes, data)) for target, data in files])


def verify_result_file(path: Path) -> tuple[bool, str] | None:
    """Whether ``path`` is the file the ``summary.json`` beside it describes.

    ``None`` if there is no such summary (or it names no SHA-256 for this file); otherwise
    whether it matches, and a sentence saying so (or that the two files come from different
    runs).
    """
    summary_path = path.parent / "summary.json"
    try:
        data = json.loads(summary_path.read_bytes())
        expected = data["files"][path.name]["sha256"]
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if actual == expected:
        return True, render("result_file_verified", {
            "path": str(path), "summary": str(summary_path), "actual": actual[:12]})
    return False, render("result_file_differs", {
        "path": str(path), "summary": str(summary_path), "actual": actual[:12],
        "expected": str(expected)[:12]})


def _write_bytes(data: bytes, fh: IO[bytes]) -> int:
    """Write ``data`` to ``fh`` in pieces of :data:`_PIECE` bytes; returns its length."""
    view = memoryview(data)
    for start in range(0, len(view), _PIECE):
        fh.write(view[start:start + _PIECE])
    return len(view)
