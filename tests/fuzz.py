"""Mutation fuzzer: hostile and broken input must never crash quotaopt.

Starts from the files quotaopt ships (``scenarios/tongxi-county.toml`` + ``.csv`` and the
``quotaopt init`` templates), breaks them in the ways hand-typed spreadsheets and edited
TOML files break — dropped, duplicated, garbled or swapped columns and rows, title rows above
the header, empty cells, NaN/inf, huge numbers, Excel error values (``#N/A``), formulas, BOMs
in the middle, wrong encodings, a CSV that is really XLSX and vice versa, truncated or
corrupted XLSX, junk and truncated TOML, TOML values of the wrong type, negative or huge,
TOML nested hundreds deep, terminal escape codes in names and ids — and faults of the
machine around a run: a full disk, no permission, a failing rename, a folder where a result
file goes, a result that would overwrite the units table — and drives the real command
line in-process (click's ``CliRunner``) with ``validate``,
``run``, ``compare``, ``explain`` and ``audit``.

Every outcome must be an ordinary exit code (0, 2, 3 or 4; 1 only for ``audit``) with a
message, never exit 70 (internal error), never a Python traceback, never a raw control
character on the terminal; with a fault of the machine, no result file may change. Run it from the
repository root::

    python -m tests.fuzz --n 10000            # the full run (about 4 minutes on one core)
    python -m tests.fuzz --n 10000 --jobs 2   # the same cases on two processes
    python -m tests.fuzz --case 4711 -v       # replay one case and show its output
    python -m tests.fuzz --n 2000 --keep /tmp/fuzz-failures   # save failing inputs

Case ``k`` of seed ``s`` is always the same input (``random.Random(f"{s}:{k}")``), so a
failure is replayed with ``--seed s --case k``. The test suite runs a deterministic slice
(``tests/test_fuzz.py``).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import copy
import datetime as dt
import errno
import io
import math
import multiprocessing
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = [
    (ROOT / "scenarios" / "tongxi-county.toml", ROOT / "scenarios" / "tongxi-county.csv"),
    (ROOT / "src" / "quotaopt" / "templates" / "scenario.toml",
     ROOT / "src" / "quotaopt" / "templates" / "units.csv"),
]
#: Exit codes each command may end with on any input.
ALLOWED = {
    "validate": {0, 2, 3},  # 3: a feasibility condition run would refuse (issue 12)
    "run": {0, 2, 3, 4},
    "compare": {0, 2, 3, 4},
    "explain": {0, 2, 3, 4},
    "audit": {0, 1, 2, 3, 4},
}
CASE_TIMEOUT = 120  # seconds; a case running longer counts as a hang

# ----------------------------------------------------------------------------------------
# hostile cell values

HOSTILE_VALUES = [
    "", " ", "\t", "　", "NaN", "nan", "NAN", "inf", "-inf", "Infinity", "-Infinity",
    "1e308", "1e309", "-1e309", "1e-400", "1e400", "1E+999999999", "1e-999999999",
    "-0", "0.0", "-1", "-0.5", "0.5", "12.5", "12.0", "12.", ".5", "+3", "3e0", "1_000",
    "0x1F", "1,000", "1 000", "１２", "١٢", "²", "½", "Ⅻ", "٣", "1e9", "1000000000",
    "1000000001", "999999999999999999999999", "9" * 400, "2147483648", "9223372036854775808",
    "#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA",
    "=1+1", "=SUM(A1:A9)", "=cmd|' /C calc'!A0", "+1", "-2", "@SUM(1)", "\t=1", "\r=1",
    "TRUE", "FALSE", "True", "None", "null", "NULL", "-", "—", "/", "?", "'12", '"12"',
    "\ufeff3", "3\ufeff", "\u200b3", "3\u200b", "\x00", "a\x00b", "\x01", "\x07x", "\x1b[31m",
    "\r", "\n", "a\nb", "a\r\nb", '"', '"unbalanced', "'", ",", ";", "a,b", "2024-01-01",
    "2024/1/1", "1/2", "3/4", "12%", "1:4:5", "🙂", "\u202e12", "x" * 1001, "y" * 70000,
    "卫生院", "health_centre", "school", "东片", "TX011", "0001", "007", "\\", "%s%n",
    "<script>alert(1)</script>", "${HOME}", "$(rm -rf /)", "`id`", "../../etc/passwd",
]


def hostile_value(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.75:
        return rng.choice(HOSTILE_VALUES)
    if pick < 0.85:
        return str(rng.choice([0, 1, 2, 7, 30, 10**9, 10**9 + 1, 10**12, 2**31, 2**53 + 1,
                               2**63, 10**30, -(10**9)]) + rng.randint(-2, 2))
    if pick < 0.95:
        return repr(rng.choice([math.pi, 1e-9, 1e15, 1e16 + 1, 0.1, 2.5, 1e300, -0.0]))
    return "".join(chr(rng.choice([rng.randint(32, 126), rng.randint(0x80, 0x2FFF),
                                   rng.randint(0x4E00, 0x9FFF), rng.randint(0, 31)]))
                   for _ in range(rng.randint(1, 12)))


# ----------------------------------------------------------------------------------------
# table mutations (a table is a list of rows, row 0 the header)

Table = list[list[str]]


def _width(t: Table) -> int:
    return max((len(r) for r in t), default=0)


def m_drop_column(rng: random.Random, t: Table) -> str:
    if not t or not t[0]:
        return "drop-column(none)"
    c = rng.randrange(len(t[0]))
    for r in t:
        if c < len(r):
            del r[c]
    return f"drop-column({c})"


def m_duplicate_column(rng: random.Random, t: Table) -> str:
    if not t or not t[0]:
        return "duplicate-column(none)"
    c = rng.randrange(len(t[0]))
    at = rng.randrange(len(t[0]) + 1)
    for r in t:
        r.insert(min(at, len(r)), r[c] if c < len(r) else "")
    return f"duplicate-column({c}->{at})"


def _typo(rng: random.Random, text: str) -> str:
    if not text:
        return rng.choice(["x", " ", "unit id"])
    i = rng.randrange(len(text))
    kind = rng.randrange(7)
    if kind == 0:
        return text[:i] + text[i + 1:]
    if kind == 1:
        return text[:i] + rng.choice("abcxyz_ -.") + text[i:]
    if kind == 2 and len(text) > 1:
        j = min(i + 1, len(text) - 1)
        return text[:i] + text[j] + text[i] + text[j + 1:]
    if kind == 3:
        return text.upper() if rng.random() < 0.5 else text.title()
    if kind == 4:
        return rng.choice([" ", "\ufeff", "\u3000", "\t", "\u200b"]) + text + rng.choice(["", " "])
    if kind == 5:
        return text.rstrip("s") if text.endswith("s") else text + "s"
    return text.replace("_", rng.choice([" ", "-", "", "__"]))


HEADER_NAMES = [
    "unit_id", "name", "type", "pool", "total_posts", "senior_incumbents",
    "intermediate_incumbents", "junior_incumbents", "senior_waiting", "intermediate_waiting",
    "priority", "单位编码", "单位代码", "单位名称", "单位类型", "统筹范围", "县区", "岗位总量",
    "专技岗位总量", "现聘高级", "现聘中级", "现聘初级", "高级待聘", "中级待聘", "权重",
    "posts_senior", "posts_intermediate", "posts_junior", "appointed_senior",
    "appointed_intermediate",
]


def m_garble_header(rng: random.Random, t: Table) -> str:
    if not t or not t[0]:
        return "garble-header(none)"
    c = rng.randrange(len(t[0]))
    how = rng.random()
    if how < 0.5:
        t[0][c] = _typo(rng, t[0][c])
    elif how < 0.75:
        t[0][c] = rng.choice(HEADER_NAMES)
    else:
        t[0][c] = hostile_value(rng)
    return f"garble-header({c}={t[0][c]!r:.30})"


def m_swap_columns(rng: random.Random, t: Table) -> str:
    w = _width(t)
    if w < 2:
        return "swap-columns(none)"
    a, b = rng.sample(range(w), 2)
    for r in t:
        r.extend([""] * (max(a, b) + 1 - len(r)))
        r[a], r[b] = r[b], r[a]
    return f"swap-columns({a},{b})"


def m_drop_rows(rng: random.Random, t: Table) -> str:
    if len(t) < 2:
        return "drop-rows(none)"
    k = rng.choice([1, 1, 2, len(t) - 1])
    for _ in range(min(k, len(t) - 1)):
        del t[rng.randrange(1, len(t))]
    return f"drop-rows({k})"


def m_drop_header(rng: random.Random, t: Table) -> str:
    if t:
        del t[0]
    return "drop-header"


def m_duplicate_rows(rng: random.Random, t: Table) -> str:
    if len(t) < 2:
        return "duplicate-rows(none)"
    r = rng.randrange(1, len(t))
    t.insert(rng.randrange(1, len(t) + 1), list(t[r]))
    return f"duplicate-row({r})"


def m_shuffle_rows(rng: random.Random, t: Table) -> str:
    body = t[1:]
    rng.shuffle(body)
    t[1:] = body
    return "shuffle-rows"


def m_empty_rows(rng: random.Random, t: Table) -> str:
    k = rng.randint(1, 3)
    for _ in range(k):
        at = rng.randrange(0, len(t) + 1)
        t.insert(at, [""] * rng.choice([0, 1, _width(t)]))
    return f"empty-rows({k})"


def m_title_rows(rng: random.Random, t: Table) -> str:
    """A merged title row (or two) above the header, as bureaus' sheets often have."""
    k = rng.choice([1, 1, 2])
    for _ in range(k):
        t.insert(0, [rng.choice(["桐溪县2024年乡镇事业单位专业技术岗位设置表",
                                 "Table 1: township units", "单位：个", ""])]
                 + [""] * rng.choice([0, _width(t) - 1]))
    return f"title-rows({k})"


def m_header_only(rng: random.Random, t: Table) -> str:
    del t[1:]
    return "header-only"


def m_ragged(rng: random.Random, t: Table) -> str:
    if len(t) < 2:
        return "ragged(none)"
    r = rng.randrange(len(t))
    if rng.random() < 0.5 and t[r]:
        del t[r][rng.randrange(len(t[r])):]
    else:
        t[r].extend(hostile_value(rng) for _ in range(rng.randint(1, 3)))
    return f"ragged({r})"


def m_hostile_cells(rng: random.Random, t: Table) -> str:
    if len(t) < 2 or not _width(t):
        return "hostile-cells(none)"
    k = rng.choice([1, 1, 2, 3, 8])
    shown = []
    for _ in range(k):
        r = rng.randrange(1, len(t))
        if not t[r]:
            continue
        c = rng.randrange(len(t[r]))
        t[r][c] = hostile_value(rng)
        shown.append(f"{r},{c}={t[r][c]!r:.20}")
    return "hostile-cells(" + "; ".join(shown) + ")"


def m_hostile_column(rng: random.Random, t: Table) -> str:
    """One whole column of the same hostile value (a bad paste)."""
    if len(t) < 2 or not t[0]:
        return "hostile-column(none)"
    c = rng.randrange(len(t[0]))
    v = hostile_value(rng)
    for r in t[1:]:
        if c < len(r):
            r[c] = v
    return f"hostile-column({c}={v!r:.20})"


def m_extra_column(rng: random.Random, t: Table) -> str:
    if not t:
        return "extra-column(none)"
    t[0].append(rng.choice(["备注", "note", "=HYPERLINK(\"x\")", "", "senior_incumbent",
                            "Unnamed: 3", "unit_id.1", "posts_senior", "total_post"]))
    for r in t[1:]:
        r.append(hostile_value(rng))
    return f"extra-column({t[0][-1]!r:.20})"


def m_bom_inside(rng: random.Random, t: Table) -> str:
    if not t or not _width(t):
        return "bom(none)"
    r = rng.randrange(len(t))
    if not t[r]:
        return "bom(none)"
    c = rng.randrange(len(t[r]))
    cell = t[r][c]
    i = rng.randint(0, len(cell))
    t[r][c] = cell[:i] + "\ufeff" + cell[i:]
    return f"bom-inside({r},{c})"


def m_numbers_as_text_noise(rng: random.Random, t: Table) -> str:
    """Numbers written the way spreadsheets and people write them: 12.0, １２, ' 12 '."""
    style = rng.choice(["dot-zero", "fullwidth", "spaces", "thousands", "exp"])
    for r in t[1:]:
        for c, v in enumerate(r):
            if re.fullmatch(r"[0-9]+", v):
                if style == "dot-zero":
                    r[c] = v + ".0"
                elif style == "fullwidth":
                    r[c] = "".join(chr(ord(ch) + 0xFEE0) for ch in v)
                elif style == "spaces":
                    r[c] = f" {v} "
                elif style == "thousands" and len(v) > 3:
                    r[c] = f"{int(v):,}"
                elif style == "exp":
                    r[c] = f"{Decimal(v):e}"
    return f"numbers({style})"


def m_scale(rng: random.Random, t: Table) -> str:
    """Many rows (fresh unit codes): exercises the vectorised paths."""
    if len(t) < 2 or not t[0] or len(t) > 1000:
        return "scale(none)"
    body = t[1:]
    k = rng.choice([3, 10])
    id_col = next((i for i, h in enumerate(t[0]) if h.strip() in ("unit_id", "单位编码")), 0)
    out = []
    for j in range(k):
        for r in body:
            r2 = list(r)
            if id_col < len(r2):
                r2[id_col] = f"{r2[id_col]}-{j}"
            out.append(r2)
    t[1:] = out
    return f"scale(x{k})"


def m_huge_counts(rng: random.Random, t: Table) -> str:
    """Counts near the limits, still consistent row by row (10**9 total, waiting...)."""
    if not t or not t[0]:
        return "huge(none)"
    big = rng.choice([10**9, 10**9 - 1, 10**8 + 7, 2**31 - 1])
    head = [h.strip() for h in t[0]]
    for r in t[1:]:
        for c, h in enumerate(head):
            if c >= len(r):
                continue
            if h in ("total_posts", "岗位总量"):
                r[c] = str(big)
            elif h in ("现聘初级", "junior_incumbents"):
                r[c] = str(big // 2)
            elif h in ("中级待聘", "intermediate_waiting"):
                r[c] = str(big // 3)
    return f"huge-counts({big})"


TABLE_MUTATIONS: list[tuple[float, Callable[[random.Random, Table], str]]] = [
    (3, m_hostile_cells), (1, m_hostile_column), (2, m_garble_header), (1, m_drop_column),
    (1, m_duplicate_column), (1, m_swap_columns), (1, m_drop_rows), (0.3, m_drop_header),
    (1, m_duplicate_rows), (0.5, m_shuffle_rows), (1, m_empty_rows), (1, m_title_rows),
    (0.3, m_header_only), (1, m_ragged), (1, m_extra_column), (1, m_bom_inside),
    (1, m_numbers_as_text_noise), (0.3, m_scale), (0.7, m_huge_counts),
]


#: Mutations that keep a valid table valid (so that the case goes on to solve).
BENIGN_MUTATIONS: list[tuple[float, Callable[[random.Random, Table], str]]] = [
    (1, m_shuffle_rows), (1, m_empty_rows), (1, m_numbers_as_text_noise), (1, m_scale),
    (1, m_huge_counts), (1, m_extra_column), (0.5, m_swap_columns),
]


def mutate_table(rng: random.Random, t: Table, k: int, benign: bool = False) -> list[str]:
    table = BENIGN_MUTATIONS if benign else TABLE_MUTATIONS
    weights = [w for w, _ in table]
    funcs = [f for _, f in table]
    return [rng.choices(funcs, weights)[0](rng, t) for _ in range(k)]


# ----------------------------------------------------------------------------------------
# serialising a table: CSV in some encoding, or XLSX


def table_to_csv(rng: random.Random, t: Table) -> tuple[bytes, str]:
    import csv

    delim = rng.choices([",", ";", "\t"], [8, 1, 1])[0]
    term = rng.choice(["\n", "\r\n", "\r\n", "\r"])
    quoting = rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
    buf = io.StringIO()
    csv.writer(buf, delimiter=delim, lineterminator=term, quoting=quoting).writerows(t)
    text = buf.getvalue()
    enc = rng.choices(["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "big5", "latin-1",
                       "shift_jis", "cp1252"], [10, 4, 4, 1, 1, 1, 1, 1, 1])[0]
    data = text.encode(enc, errors=rng.choice(["replace", "ignore", "xmlcharrefreplace"])
                       if enc not in ("utf-8", "utf-8-sig", "gb18030", "utf-16")
                       else "surrogatepass")
    return data, f"csv({enc!s},{delim!r})"


def _xlsx_cell(rng: random.Random, value: str, typed: bool) -> Any:
    if not typed:
        return value
    v = value.strip()
    if re.fullmatch(r"-?\d{1,15}", v):
        return int(v)
    if re.fullmatch(r"-?\d+\.\d+", v):
        try:
            return float(v)
        except ValueError:
            return value
    if v in ("TRUE", "FALSE") and rng.random() < 0.5:
        return v == "TRUE"
    if v == "2024-01-01" and rng.random() < 0.5:
        return dt.datetime(2024, 1, 1)
    return value


def table_to_xlsx(rng: random.Random, t: Table) -> tuple[bytes, str]:
    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = rng.choice(["Sheet1", "units", "2024", "单位"])
    if rng.random() < 0.15:  # the data on a later sheet; the first one a cover page
        ws["A1"] = "cover"
        ws = wb.create_sheet("data")
    typed = rng.random() < 0.7
    offset = 0
    if rng.random() < 0.1:  # a merged title row above the header
        ws.append(["桐溪县岗位设置表"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(1, _width(t)))
        offset = 1
    for row in t:
        cells = []
        for v in row:
            cell = _xlsx_cell(rng, v, typed)
            if isinstance(cell, str):
                cell = openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("?", cell)
            cells.append(cell)
        try:
            ws.append(cells)
        except (IllegalCharacterError, ValueError):
            ws.append([str(c)[:10] for c in cells])
    if rng.random() < 0.1 and ws.max_row > 1:  # a formula with no cached value
        ws.cell(row=2 + offset, column=rng.randint(1, max(1, _width(t))), value="=1+1")
    if rng.random() < 0.05:  # a stray cell far away
        ws.cell(row=rng.choice([50, 5000]), column=rng.choice([3, 60, 300]), value="x")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), f"xlsx(typed={typed})"


# ----------------------------------------------------------------------------------------
# byte-level damage


def damage_bytes(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    kind = rng.randrange(9)
    n = len(data)
    if kind == 0 and n:
        cut = rng.randrange(n)
        return data[:cut], f"truncate({cut}/{n})"
    if kind == 1 and n:
        b = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(n)] = rng.randrange(256)
        return bytes(b), "flip-bytes"
    if kind == 2:
        i = rng.randint(0, n)
        junk = rng.choice([b"\xef\xbb\xbf", b"\x00", b"\xff\xfe", b"\x80\x81", b"\r",
                           os.urandom(rng.randint(1, 16))])
        return data[:i] + junk + data[i:], f"insert-bytes({i})"
    if kind == 3:
        return b"", "empty-file"
    if kind == 4:
        return os.urandom(rng.choice([1, 10, 1000])), "random-bytes"
    if kind == 5 and data.startswith(b"PK"):
        return _damage_zip(rng, data)
    if kind == 6:
        return b"\xef\xbb\xbf" + data if not data.startswith(b"\xef\xbb\xbf") else data[3:], \
            "toggle-bom"
    if kind == 7:
        return data + data[: rng.randint(0, max(0, n // 2))], "append-own-copy"
    return data[: max(0, n - rng.randint(1, 40))], "cut-tail"


def _damage_zip(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """A structurally valid zip with one member dropped, emptied or garbled."""
    try:
        src = zipfile.ZipFile(io.BytesIO(data))
        names = src.namelist()
    except zipfile.BadZipFile:
        return data, "zip(unreadable)"
    victim = rng.choice(names)
    how = rng.choice(["drop", "empty", "garble", "truncate", "declare-huge", "declare-tiny"])
    if how.startswith("declare"):  # a directory that lies about the unpacked size
        return _declare_size(data, victim.encode(), 0xFFFFFFF0 if how == "declare-huge"
                             else 10), f"zip({how} {victim})"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in names:
            body = src.read(name)
            if name == victim:
                if how == "drop":
                    continue
                if how == "empty":
                    body = b""
                elif how == "garble":
                    b = bytearray(body)
                    for _ in range(5):
                        if b:
                            b[rng.randrange(len(b))] = rng.randrange(256)
                    body = bytes(b)
                else:
                    body = body[: len(body) // 2]
            dst.writestr(name, body)
    return out.getvalue(), f"zip({how} {victim})"


def _declare_size(data: bytes, name: bytes, size: int) -> bytes:
    """Rewrite the declared uncompressed size of member ``name`` in both zip headers."""
    import struct

    out = bytearray(data)
    for magic, name_len_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22),
                                                 (b"PK\x01\x02", 28, 46, 24)):
        pos = 0
        while (pos := out.find(magic, pos)) >= 0:
            if pos + name_at <= len(out):
                n = struct.unpack_from("<H", out, pos + name_len_at)[0]
                if out[pos + name_at:pos + name_at + n] == name:
                    struct.pack_into("<I", out, pos + size_at, size)
            pos += 4
    return bytes(out)


# ----------------------------------------------------------------------------------------
# scenario TOML: structured mutation and a small writer


def toml_dump(data: dict[str, Any]) -> str:
    """TOML text of a mapping: one ``key = value`` line per top-level key, inline tables."""
    return "".join(f"{_toml_key(k)} = {_toml_value(v)}\n" for k, v in data.items())


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_str(key)


def _toml_str(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            out.append("\\uFFFD")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _toml_str(v)
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


TOML_STRINGS = [
    "", " ", "1:4:5", "1:4", "1:4:5:6", "0:0:0", "-1:4:5", "1:-4:5", "a:b:c", "1：4：5",
    "1/4/5", "1e999999999:1:1", "1:1e-999999999:1", "1e30:1:1", "0.0000000001:1:1",
    "1:3:7.000000000000000000000000001", "nan:1:1", "inf:1:1", "1%", "50%", "5%", "-5%",
    "1e400", "1e-400", "0.05", "nan", "inf", "-1", "1000000000000000000000", "1e999999999",
    "unit", "pool", "UNIT", "pooll", "floor", "nearest", "ceil", "round", "protect",
    "grandfather", "senior", "intermediate", "junior", "Senior", "manager",
    "highs", "cbc", "HiGHS", "gurobi", "pulp:", "pulp:NoSuchSolver", "pulp:PULP_CBC_CMD",
    "pulp:LpProblem", "pulp:LpVariable", "pulp:__class__", "pulp:GLPK_CMD", "pulp:HiGHS",
    "pulp:COIN_CMD", "pulp:value", "pulp:constants", "auto", "mip", "lp",
    "health_centre", "school", "no_such_type", "=1+1", "卫生院", "x" * 2000, "\x00", "\ud800",
    "../units.csv", "/dev/zero", "/dev/null", "/etc/passwd", ".", "..", "nope.csv",
    "scenario.toml", "units.csv", "units.xlsx", "*.csv",
]


def toml_value(rng: random.Random) -> Any:
    kind = rng.randrange(9)
    if kind == 0:
        return rng.choice([0, 1, -1, 2, 8, 100, 10**9, 10**18, -(10**18), 2**63 - 1,
                           -(2**63)])
    if kind == 1:
        return rng.choice([0.0, -0.0, 0.05, 0.5, 1.0, 1.5, -0.5, 1e-300, 1e300, 1e16,
                           float("nan"), float("inf"), float("-inf"), 5e-324])
    if kind in (2, 3, 4):
        return rng.choice(TOML_STRINGS)
    if kind == 5:
        return rng.choice([True, False])
    if kind == 6:
        return rng.choice([[], [1, 2], ["a"], [{}], [{"level": "senior", "posts": 1}]])
    if kind == 7:
        return rng.choice([{}, {"senior": 1}, {"x": {"y": 1}}, {"senior_bonus": 0.05}])
    return rng.choice([dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 12, 0), dt.time(12, 0)])


KNOWN_KEYS = ["name", "units", "sheet", "description", "ratio", "scope", "rounding",
              "junior_to_intermediate", "incumbents", "source", "types", "minimum",
              "weights", "senior", "intermediate", "junior", "cost", "max_increase",
              "backend", "time_limit", "method", "level", "posts", "when_total_at_least",
              "type", "senior_bonus", "health_centre", "school", "policy", "budget",
              "solver", "objective", "variants", "scenario"]


def _containers(obj: Any, path: tuple = ()) -> Iterable[tuple[tuple, Any]]:
    if isinstance(obj, dict):
        yield path, obj
        for k, v in obj.items():
            yield from _containers(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _containers(v, path + (i,))


def mutate_toml_data(rng: random.Random, data: dict[str, Any], k: int) -> list[str]:
    done = []
    for _ in range(k):
        tables = list(_containers(data))
        path, table = rng.choice(tables)
        kind = rng.randrange(6)
        where = ".".join(map(str, path)) or "<top>"
        if kind <= 1 and table:  # replace a value
            key = rng.choice(list(table))
            table[key] = toml_value(rng)
            done.append(f"set({where}.{key}={table[key]!r:.30})")
        elif kind == 2 and table:  # delete a key
            key = rng.choice(list(table))
            del table[key]
            done.append(f"del({where}.{key})")
        elif kind == 3:  # add a key (known name in the wrong place, a typo, or junk)
            key = rng.choice(KNOWN_KEYS + [_typo(rng, rng.choice(KNOWN_KEYS)), "x", "内容"])
            table[key] = toml_value(rng)
            done.append(f"add({where}.{key})")
        elif kind == 4:  # a variant overriding something
            variants = data.setdefault("variants", {})
            if not isinstance(variants, dict):
                continue
            name = rng.choice(["v", "old-ratio", "baseline", "budget", "=x", "变体", "a b"])
            section = rng.choice(["policy", "budget", "solver", "scenario", "objective"])
            key = rng.choice(KNOWN_KEYS)
            variants[name] = {section: {key: toml_value(rng)}}
            done.append(f"variant({name}.{section}.{key})")
        else:  # a budget or a minimum rule with odd values
            if rng.random() < 0.5:
                data["budget"] = {"cost": {"senior": toml_value(rng) if rng.random() < 0.3
                                           else 130000, "intermediate": 100000,
                                           "junior": 85000},
                                  "max_increase": toml_value(rng) if rng.random() < 0.5
                                  else rng.choice([0, 10**6, 10**15])}
                done.append("budget")
            else:
                pol = data.setdefault("policy", {})
                if isinstance(pol, dict):
                    rule = {"level": rng.choice(["senior", "intermediate", "junior", "x"]),
                            "posts": rng.choice([0, 1, 5, 10**9, -1])}
                    if rng.random() < 0.5:
                        rule["type"] = rng.choice(["health_centre", "school", "nope"])
                    if rng.random() < 0.5:
                        rule["when_total_at_least"] = rng.choice([0, 8, 10**12])
                    mins = pol.get("minimum")
                    pol["minimum"] = (mins if isinstance(mins, list) else []) + [rule]
                    done.append(f"minimum({rule})")
    return done


def damage_text(rng: random.Random, text: str) -> tuple[str, str]:
    lines = text.splitlines(keepends=True)
    kind = rng.randrange(6)
    if kind == 0:
        cut = rng.randrange(len(text) + 1)
        return text[:cut], f"truncate({cut})"
    if kind == 1 and lines:
        del lines[rng.randrange(len(lines))]
        return "".join(lines), "drop-line"
    if kind == 2 and lines:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
        return "".join(lines), "duplicate-line"
    if kind == 3:
        i = rng.randrange(len(text) + 1)
        return text[:i] + rng.choice(["[", "]", "=", '"', "\x00", "\ufeff", "[[", "\n[policy]\n",
                                      "\nratio = 1\n", "{", "'''"]) + text[i:], "insert"
    if kind == 4 and lines:
        i = rng.randrange(len(lines))
        lines[i] = _typo(rng, lines[i])
        return "".join(lines), "typo-line"
    return "".join(rng.sample(lines, len(lines))), "shuffle-lines"


# ----------------------------------------------------------------------------------------
# cases


@dataclass
class Case:
    index: int
    command: str
    argv: list[str]
    files: dict[str, bytes]
    steps: list[str] = field(default_factory=list)
    fault: str | None = None  # a failure of the machine injected while the command runs

    def describe(self) -> str:
        return f"case {self.index}: {' '.join(self.argv)}  [{'; '.join(self.steps)}]"


@dataclass
class Outcome:
    case: Case
    exit_code: int | None
    output: str
    seconds: float
    problem: str | None  # None: fine


_BASES: list[dict[str, Any]] | None = None


def _bases() -> list[dict[str, Any]]:
    """The shipped files, parsed once; and a solved plan of each for ``audit``."""
    global _BASES
    if _BASES is None:
        import csv

        import quotaopt

        bases = []
        for toml_path, csv_path in SHIPPED:
            text = toml_path.read_text(encoding="utf-8")
            rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
            res = quotaopt.solve(quotaopt.load_scenario(toml_path))
            assert res.allocation is not None
            plan = [list(map(str, res.allocation.columns))] + [
                [str(v) for v in r] for r in res.allocation.itertuples(index=False)]
            bases.append({"toml_text": text, "toml": tomllib.loads(text), "rows": rows,
                          "plan": plan, "units_key": csv_path.name})
        _BASES = bases
    return _BASES


def _shares_mutation(rng: random.Random, text: str, steps: list[str]) -> str:
    """Zero ratio parts and 不足1个按1个 (issue 14), in the base policy or a variant, valid or
    not — from a random stream of its own, so the cases of a seed are otherwise the ones they
    always were."""
    if rng.random() >= 0.2:
        return text
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeError, ValueError):
        return text
    target = data
    if rng.random() < 0.3 and isinstance(data.get("variants"), dict) and data["variants"]:
        variant = data["variants"][rng.choice(sorted(data["variants"]))]
        target = variant if isinstance(variant, dict) else data
    pol = target.setdefault("policy", {})
    if not isinstance(pol, dict):
        return text
    if rng.random() < 0.5:
        pol["at_least_one"] = rng.choice([["senior"], ["senior", "intermediate"],
                                          ["intermediate"], ["junior"], ["seniour"], "senior",
                                          [1], []])
        steps.append(f"at-least-one({pol['at_least_one']!r})")
    else:
        ratio = rng.choice(["0:3:7", "0:4:6", "1:0:9", "0:5:5", "0.5:0:9.5", "0:0:10",
                            "0:0:0", "0:10:0"])
        if rng.random() < 0.5:
            pol["ratio"] = ratio
            steps.append(f"zero-share(policy.ratio={ratio})")
        else:
            types = pol.setdefault("types", {})
            if isinstance(types, dict):
                t = rng.choice(["school", "culture_station", "health_centre", "agri_service"])
                entry = types.setdefault(t, {})
                if isinstance(entry, dict):
                    entry["ratio"] = ratio
                    steps.append(f"zero-share({t}={ratio})")
    try:
        return toml_dump(data)
    except TypeError:
        return text


def make_case(seed: int, index: int) -> Case:
    rng = random.Random(f"{seed}:{index}")
    base = rng.choice(_bases())
    steps: list[str] = []
    files: dict[str, bytes] = {}

    # the units table
    table = copy.deepcopy(base["rows"])
    r = rng.random()
    if r < 0.35:  # damage that should be reported
        steps += mutate_table(rng, table, rng.choice([1, 1, 1, 2, 2, 3, 5]))
    elif r < 0.85:  # changes a valid table survives: the case goes on to solve
        steps += mutate_table(rng, table, rng.choice([1, 1, 2]), benign=True)
    as_xlsx = rng.random() < 0.3
    data, how = table_to_xlsx(rng, table) if as_xlsx else table_to_csv(rng, table)
    steps.append(how)
    if rng.random() < 0.12:
        data, how = damage_bytes(rng, data)
        steps.append(how)
    # the name says CSV or XLSX whatever the content is (a CSV that is really XLSX, …)
    units_name = rng.choices(["units.csv", "units.xlsx", "units.txt", "单位.csv"],
                             [6, 3, 1, 1])[0]
    if units_name.endswith(".xlsx") != as_xlsx:
        steps.append(f"named {units_name}")
    files[units_name] = data

    # the scenario
    text = base["toml_text"].replace(f'"{base["units_key"]}"', f'"{units_name}"')
    r = rng.random()
    if r < 0.04:  # the units path itself: a device, a folder, the scenario, nothing
        target = rng.choice(["/dev/zero", "/dev/null", ".", "..", "scenario.toml", "nope.csv",
                             "", "units.csv", "单位.csv", "out", "/etc/hostname"])
        text = text.replace(f'"{units_name}"', _toml_str(target), 1)
        steps.append(f"units-path({target!r})")
    elif r < 0.45:
        pass
    elif r < 0.8:
        tdata = tomllib.loads(text)
        steps += mutate_toml_data(rng, tdata, rng.choice([1, 1, 2, 3]))
        try:
            text = toml_dump(tdata)
        except TypeError:
            pass
    else:
        text, how = damage_text(rng, text)
        steps.append(f"toml-{how}")
    text = _shares_mutation(random.Random(f"{seed}:{index}:shares"), text, steps)
    raw = text.encode("utf-8", errors="surrogatepass")
    if rng.random() < 0.05:
        enc = rng.choice(["utf-16", "gbk", "latin-1"])
        raw = text.encode(enc, errors="replace")
        steps.append(f"toml-{enc}")
    if rng.random() < 0.03:
        raw, how = damage_bytes(rng, raw)
        steps.append(f"toml-{how}")
    files["scenario.toml"] = raw

    # the command
    variants = list(base["toml"].get("variants", {}))
    command = rng.choices(["validate", "run", "compare", "explain", "audit"],
                          [40, 38, 4, 6, 12])[0]
    argv = [command, "scenario.toml"]
    if command == "run":
        argv += ["--time-limit", "20"]
        if rng.random() < 0.3:
            argv += ["--variant", rng.choice(variants + ["nope"])]
        if rng.random() < 0.4:
            argv += ["--out", rng.choice(["out", "out/deeper", "units.csv"]),
                     "--format", rng.choice(["csv", "xlsx", "json"])]
        if rng.random() < 0.15:
            argv += ["--method", "mip"]
        if rng.random() < 0.05:
            argv += ["--solver", rng.choice(["cbc", "pulp:NoSuchSolver", "pulp:LpProblem",
                                             "gurobi", "highs"])]
    elif command == "compare":
        argv += ["--time-limit", "20", "--variants", ",".join(variants[:2]) or "x"]
        if rng.random() < 0.5:
            argv += ["--out", "cmp", "--format", rng.choice(["xlsx,csv", "csv", "xlsx"])]
    elif command == "explain":
        ids = [row[0] for row in base["rows"][1:]]
        argv += ["--time-limit", "20", "--unit", rng.choice(ids + ["NOPE", ""])]
    elif command == "audit":
        plan = copy.deepcopy(base["plan"])
        if rng.random() < 0.85:
            steps += [f"plan-{s}" for s in mutate_table(rng, plan, rng.choice([1, 1, 2, 3]))]
        pdata, how = (table_to_xlsx(rng, plan) if rng.random() < 0.3
                      else table_to_csv(rng, plan))
        steps.append(f"plan-{how}")
        if rng.random() < 0.1:
            pdata, how = damage_bytes(rng, pdata)
            steps.append(f"plan-{how}")
        files["plan.csv"] = pdata
        argv += ["--time-limit", "20", "--plan", "plan.csv"]
        if rng.random() < 0.3:
            argv += ["--out", "audit"]
    case = Case(index, command, argv, files, steps)
    _environment(random.Random(f"{seed}:{index}:environment"), case, units_name)
    return case


#: Terminal escape codes: clear the screen, retitle the window, CSI in C1, a bidi override.
ESCAPES = ["\x1b[2J", "\x1b]0;fake status\x07", "\x9b31m", "\u202e", "\x1b[1A\x1b[K", "\x08" * 5]
#: Failures of the machine while the results are written (see run_case).
FAULTS = ["enospc", "eacces", "rename-fails", "folder-in-the-way", "out-onto-input"]
#: Old result files put in --out before a faulty case: none of them may change.
OLD_RESULTS = ["allocation.csv", "summary.json", "allocation.json", "results.xlsx",
               "plan.html", "report.html", "comparison.xlsx", "kpi.csv", "violations.csv",
               "audit.json"]


def _environment(rng: random.Random, case: Case, units_name: str) -> None:
    """Escape codes in the units table, and faults of the machine — drawn from their own
    random stream, so the cases of a seed are otherwise the ones they always were."""
    if rng.random() < 0.08 and units_name.endswith((".csv", ".txt")):
        data = case.files[units_name]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        lines = text.split("\n") if text else []
        if len(lines) > 2:
            row = rng.randrange(1, len(lines) - 1)
            cells = lines[row].split(",")
            col = rng.randrange(min(3, len(cells)))  # unit id, name or type
            cells[col] = cells[col][:2] + rng.choice(ESCAPES) + cells[col][2:]
            lines[row] = ",".join(cells)
            case.files[units_name] = "\n".join(lines).encode("utf-8")
            case.steps.append(f"escape-codes(row {row + 1}, column {col + 1})")
    if rng.random() < 0.02:  # Python's TOML parser recurses once per level
        depth = rng.choice([33, 200, 1000, 5000])
        nested = rng.choice(["x = " + "[" * depth + "]" * depth,
                             "x = " + "{a = " * depth + "1" + "}" * depth,
                             "a." * depth + "b = 1"])
        case.files["scenario.toml"] = nested.encode() + b"\n" + case.files["scenario.toml"]
        case.steps.append(f"toml-nested({depth})")
    out = _out_dir(case.argv)
    if out is None or out == "units.csv" or rng.random() > 0.3:
        return
    case.fault = rng.choice(FAULTS)
    if case.fault == "out-onto-input":
        if case.command != "run" or units_name not in case.files:
            case.fault = "enospc"
        else:  # the units table is named like a result file, in the --out folder itself
            result = "results.xlsx" if "xlsx" in case.argv else (
                "allocation.json" if "json" in case.argv else "allocation.csv")
            case.files[f"{out}/{result}"] = case.files.pop(units_name)
            case.files["scenario.toml"] = case.files["scenario.toml"].replace(
                f'"{units_name}"'.encode(), f'"{out}/{result}"'.encode())
    case.steps.append(f"fault({case.fault})")


def _out_dir(argv: list[str]) -> str | None:
    return argv[argv.index("--out") + 1] if "--out" in argv else None


class _Hang(BaseException):
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Hang()


def run_case(case: Case, workdir: Path) -> Outcome:
    """Write the case's files into ``workdir`` and run its command there, in-process."""
    from click.testing import CliRunner

    from quotaopt.cli import main

    for name, data in case.files.items():
        (workdir / name).parent.mkdir(parents=True, exist_ok=True)
        (workdir / name).write_bytes(data)
    out = _out_dir(case.argv)
    before = _prepare_fault(case, workdir / out) if case.fault and out else None
    old = Path.cwd()
    started = time.perf_counter()
    use_alarm = hasattr(signal, "SIGALRM") and _in_main_thread()
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(CASE_TIMEOUT)
    try:
        os.chdir(workdir)
        with _fault(case.fault):
            result = CliRunner().invoke(main, case.argv, catch_exceptions=True)
        code, output, exc = result.exit_code, result.output, result.exception
    except _Hang:
        code, output, exc = None, "", None
    finally:
        if use_alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        os.chdir(old)
    seconds = time.perf_counter() - started
    problem = judge(case, code, output, exc)
    if problem is None and before is not None and out is not None:
        after = _snapshot(workdir / out)
        if after != before:
            changed = sorted(set(after) ^ set(before) | {k for k in before
                                                         if after.get(k) != before[k]})
            problem = f"{case.fault}: files in --out changed: {', '.join(changed)}"
    return Outcome(case, code, output, seconds, problem)


def _snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() if p.is_file() else b"<folder>"
            for p in sorted(folder.iterdir())}


def _prepare_fault(case: Case, out: Path) -> dict[str, bytes]:
    """Old results in --out (and the folder in the way); returns what must not change."""
    out.mkdir(parents=True, exist_ok=True)
    for name in OLD_RESULTS:
        if not (out / name).exists():
            (out / name).write_bytes(b"old " + name.encode())
    if case.fault == "folder-in-the-way":
        fmt = case.argv[case.argv.index("--format") + 1] if "--format" in case.argv else ""
        victim = out / ("audit.json" if case.command == "audit" else
                        "results.xlsx" if case.command == "run" and fmt == "xlsx" else
                        "summary.json" if case.command == "run" else
                        "comparison.xlsx" if "xlsx" in fmt else "kpi.csv")
        victim.unlink()
        victim.mkdir()
    return _snapshot(out)


@contextlib.contextmanager
def _fault(kind: str | None) -> Iterator[None]:
    """While the command runs: writes fail for want of space or permission, or the second
    rename of a set fails."""
    from unittest import mock

    from quotaopt import output

    if kind in ("enospc", "eacces"):
        number = errno.ENOSPC if kind == "enospc" else errno.EACCES

        def fail(target: Path, write: Any) -> str:
            raise OSError(number, os.strerror(number), str(target))

        with mock.patch.object(output, "_write_temporary", fail):
            yield
    elif kind == "rename-fails":  # the last rename of each set fails (the others are put back)
        real, real_all = os.replace, output._replace_all

        def replace_all(staged: Any) -> None:
            last = str(staged[-1][1]) if staged else None

            def replace(src: Any, dst: Any) -> None:
                if str(dst) == last and str(src).endswith(".tmp"):
                    raise OSError(errno.EIO, os.strerror(errno.EIO), str(dst))
                real(src, dst)

            with mock.patch.object(output.os, "replace", replace):
                real_all(staged)

        with mock.patch.object(output, "_replace_all", replace_all):
            yield
    else:
        yield


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def judge(case: Case, code: int | None, output: str, exc: BaseException | None) -> str | None:
    """Why an outcome is not acceptable, or ``None``."""
    if code is None:
        return f"no answer within {CASE_TIMEOUT} s (hang)"
    if "Traceback (most recent call last)" in output:
        return "a Python traceback reached the user"
    if exc is not None and not isinstance(exc, SystemExit):
        return f"uncaught {type(exc).__name__}: {exc}"
    if code == 70 or "internal error" in output:
        return "internal error (exit 70)"
    if code not in ALLOWED[case.command]:
        return f"exit code {code} is not allowed for {case.command}"
    if code != 0 and not output.strip():
        return f"exit code {code} without any message"
    if code == 2 and "error" not in output.lower():
        return "exit 2 without an error message"
    raw = _RAW_CONTROL.search(output)
    if raw:
        return f"a raw control character {raw.group()!r} reached the terminal"
    return None


#: What must never reach a terminal as it is (cli.terminal_text shows it as an escape).
_RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _run_many(args: tuple[int, list[int], str | None]) -> list[Outcome]:
    seed, indices, keep = args
    out = []
    with tempfile.TemporaryDirectory(prefix="quotaopt-fuzz-") as tmp:
        for k in indices:
            case = make_case(seed, k)
            work = Path(tmp) / str(k)
            work.mkdir()
            outcome = run_case(case, work)
            if outcome.problem and keep:
                dest = Path(keep) / f"case-{seed}-{k}"
                shutil.copytree(work, dest, dirs_exist_ok=True)
                (dest / "README.txt").write_text(
                    f"{case.describe()}\nproblem: {outcome.problem}\nexit: {outcome.exit_code}"
                    f"\n--- output ---\n{outcome.output}", encoding="utf-8")
            shutil.rmtree(work, ignore_errors=True)
            outcome.case.files = {}  # keep results small across processes
            out.append(outcome)
    return out


def fuzz(n: int, seed: int = 0, start: int = 0, jobs: int = 1, keep: str | None = None,
         progress: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """Run cases ``start .. start+n-1`` of ``seed``; returns every outcome."""
    indices = list(range(start, start + n))
    chunks = [indices[i:i + 50] for i in range(0, len(indices), 50)]
    outcomes: list[Outcome] = []
    if jobs <= 1:
        for chunk in chunks:
            outcomes += _run_many((seed, chunk, keep))
            if progress:
                progress(len(outcomes), n)
    else:
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(jobs) as pool:
            for res in pool.imap(_run_many, [(seed, c, keep) for c in chunks]):
                outcomes += res
                if progress:
                    progress(len(outcomes), n)
    return outcomes


def summarize(outcomes: list[Outcome]) -> str:
    by_cmd: dict[str, collections.Counter[Any]] = collections.defaultdict(collections.Counter)
    for o in outcomes:
        by_cmd[o.case.command][o.exit_code] += 1
    lines = [f"{len(outcomes)} inputs"]
    for cmd in ALLOWED:
        if cmd in by_cmd:
            codes = ", ".join(f"exit {c}: {k}" for c, k in sorted(by_cmd[cmd].items(),
                                                                  key=lambda x: str(x[0])))
            lines.append(f"  {cmd:8s} {sum(by_cmd[cmd].values()):6d}  ({codes})")
    slow = sorted(outcomes, key=lambda o: -o.seconds)[:3]
    lines.append("slowest: " + ", ".join(f"case {o.case.index} {o.seconds:.1f} s" for o in slow))
    bad = [o for o in outcomes if o.problem]
    lines.append(f"failures: {len(bad)}")
    for o in bad[:30]:
        lines.append(f"  {o.case.describe()}\n    -> {o.problem}; "
                     f"{o.output.strip().splitlines()[-1] if o.output.strip() else ''}"[:600])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000, help="number of inputs (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    parser.add_argument("--start", type=int, default=0, help="first case index (default 0)")
    parser.add_argument("--case", type=int, default=None, help="run only this case, verbosely")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="processes (default 1)")
    parser.add_argument("--keep", default=None, help="folder to save failing inputs in")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every case")
    args = parser.parse_args(argv)
    if args.case is not None:
        case = make_case(args.seed, args.case)
        with tempfile.TemporaryDirectory(prefix="quotaopt-fuzz-") as tmp:
            outcome = run_case(case, Path(tmp))
            if args.keep:
                shutil.copytree(tmp, args.keep, dirs_exist_ok=True)
        print(case.describe())
        print(f"exit {outcome.exit_code} in {outcome.seconds:.2f} s; "
              f"{outcome.problem or 'fine'}")
        print(outcome.output)
        return 1 if outcome.problem else 0
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if args.verbose or done % 500 == 0 or done == total:
            print(f"  {done}/{total} inputs, {time.perf_counter() - started:.0f} s",
                  file=sys.stderr, flush=True)

    outcomes = fuzz(args.n, args.seed, args.start, args.jobs, args.keep, progress)
    print(summarize(outcomes))
    print(f"{time.perf_counter() - started:.0f} s")
    return 1 if any(o.problem for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
