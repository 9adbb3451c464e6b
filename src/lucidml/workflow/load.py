"""Step 2, first half: read a CSV or Parquet table, after estimating what it will cost in memory.

The notes (§5.2) ask for an estimate of the data's size -- how many samples, how many features, how
much memory -- *before* training, and for a plan when it does not fit. ``read_table`` does that:

1. **Format.** Parquet when the file starts with the magic bytes ``PAR1`` or is named
   ``*.parquet`` / ``*.pq`` (read with pyarrow); CSV otherwise.
2. **Encoding** (CSV). A byte-order mark decides (``utf-8-sig``, ``utf-16``, ``utf-32``); a head in
   which more than a quarter of the bytes are NUL and no BOM is present is read as UTF-16 (the NULs'
   positions give the byte order); everything else must be UTF-8. The whole file is decoded once, in
   1 MiB pieces, before pandas sees it: the first byte that does not decode is reported with its
   offset.
3. **Delimiter** (CSV). Each of ``,`` ``;`` tab ``|`` splits the first 200 lines (quotes
   respected); the winner gives at least 2 fields in the header and the same count on the most
   lines (ties: more fields, then the order above). A ``;`` file whose numbers are written
   ``1,5`` (and never ``1.5``) is read with a decimal comma.
4. **Header.** The first row is the column names. It is refused when every name is a number (the
   row looks like data), when two names are equal, or when there is one column only.
5. **Memory estimate**, from a sample of the first rows (the first 1 MiB of a CSV, the first 1000
   rows of a Parquet file)::

       rows  N ≈ (file bytes - header bytes) / (sample bytes / sample rows)   (exact when the
              whole file is in the sample, and always for Parquet, whose footer holds it)
       raw   r = in-memory bytes of one row as pandas holds it (deep), averaged over the sample
       D     = design-matrix columns after one-hot encoding: 1 per numeric or boolean column,
               plus, per text column, its number of distinct values in the sample
       c     = 2: the copies 5-fold cross-validation makes of the float64 design matrix (the
               fold's train/test slices, about one copy, and the fitted pipeline's output, one)
       estimate = N * (r + 8 * D * (1 + c))   bytes

   The budget is ``memory_budget`` bytes, by default a quarter of the memory available
   (``MemAvailable`` in /proc/meminfo, else ``os.sysconf``). Within the budget the table is read
   whole. Over it, ``n = floor(budget / (r + 8 D (1 + c)))`` rows are kept: the file is read in
   chunks and every row draws a uniform key from ``numpy.random.default_rng(seed)``; the ``n``
   rows with the smallest keys are kept (a bottom-k reservoir sample: uniform, reproducible for a
   seed, independent of the chunk size), in file order.
6. **Rows.** Fewer than ``min_rows`` (default 10) data rows is an error: 5-fold cross-validation
   needs at least two rows per fold.

Every problem a user can fix raises :class:`~lucidml.workflow._errors.WorkflowError` with one line.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from ._errors import WorkflowError

__all__ = ["available_memory", "parse_bytes", "read_table"]

#: Candidate CSV delimiters, in tie-breaking order.
DELIMITERS = (",", ";", "\t", "|")
#: Bytes of a CSV read for the sample (sniffing, dtypes, bytes per row).
HEAD_BYTES = 1 << 20
#: Rows of a Parquet file read for the sample.
PARQUET_SAMPLE_ROWS = 1000
#: Lines used to sniff the delimiter.
SNIFF_LINES = 200
#: Copies of the design matrix that 5-fold cross-validation holds at once (see module docstring).
CV_COPIES = 2
#: Bytes per design-matrix cell (float64).
CELL_BYTES = 8
#: Fewest data rows accepted by default.
MIN_ROWS = 10
#: Default budget: this fraction of the available memory.
BUDGET_FRACTION = 0.25
#: Rows per chunk when sampling.
CHUNK_ROWS = 100_000

_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_DECIMAL_POINT = re.compile(r"^[+-]?\d*\.\d+$")


# -- small helpers ------------------------------------------------------------------------------


def _fmt_bytes(n: float) -> str:
    """``1536`` -> ``'1.5 KiB'``."""
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


def parse_bytes(value: int | float | str) -> int:
    """A memory size in bytes from ``1000000``, ``"512M"``, ``"2G"``, ``"1.5GiB"`` or ``"800kb"``.

    Units are powers of 1024 (``K``, ``M``, ``G``, ``T``, with or without ``B`` / ``iB``).

    Raises
    ------
    WorkflowError
        The value is not a positive size.
    """
    if isinstance(value, bool):
        raise WorkflowError(f"memory budget must be a size in bytes, got {value!r}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        out = float(value)
    else:
        m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([kKmMgGtT]?)(i?[bB])?\s*", str(value))
        if m is None:
            raise WorkflowError(
                f"memory budget {value!r} is not a size; write e.g. 512M, 2G or 1000000"
            )
        power = " KMGT".index(m.group(2).upper() or " ")
        out = float(m.group(1)) * 1024**power
    if not math.isfinite(out) or out <= 0:
        raise WorkflowError(f"memory budget must be a positive size in bytes, got {value!r}")
    return int(out)


def available_memory() -> tuple[int | None, str]:
    """The memory available to a new process, in bytes, and where the figure came from."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024, "MemAvailable in /proc/meminfo"
    except (OSError, ValueError, IndexError):
        pass
    try:
        pages = os.sysconf("SC_AVPHYS_PAGES")
        size = os.sysconf("SC_PAGE_SIZE")
        if pages > 0 and size > 0:
            return int(pages * size), "os.sysconf(SC_AVPHYS_PAGES)"
    except (AttributeError, ValueError, OSError):
        pass
    return None, "unknown"


def _budget(memory_budget: Any) -> tuple[int, str]:
    if memory_budget is not None:
        return parse_bytes(memory_budget), "given"
    avail, source = available_memory()
    if avail is None:
        return 2 * 1024**3, "2 GiB (available memory unknown)"
    return int(avail * BUDGET_FRACTION), f"a quarter of {_fmt_bytes(avail)} ({source})"


def _shown(path: Path) -> str:
    return repr(str(path))


def _is_number(text: str) -> bool:
    try:
        float(text.strip())
    except ValueError:
        return False
    return bool(text.strip())


# -- encoding -----------------------------------------------------------------------------------


def _sniff_encoding(head: bytes) -> tuple[str, str]:
    """``(encoding, how)`` from the first bytes of the file."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", "byte-order mark"
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32", "byte-order mark"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", "byte-order mark"
    probe = head[:4096]
    if len(probe) >= 4 and probe.count(0) > len(probe) // 4:
        odd = probe[1::2].count(0)
        even = probe[0::2].count(0)
        return ("utf-16-le" if odd > even else "utf-16-be"), "NUL bytes without a byte-order mark"
    return "utf-8", "default"


def _check_decodes(path: Path, encoding: str) -> None:
    """Decode the whole file in pieces; a byte that does not decode is an error naming it."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with open(path, "rb") as fh:
        while True:
            piece = fh.read(HEAD_BYTES)
            final = not piece
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(piece, final=final)
            except UnicodeDecodeError as exc:
                at = offset - pending + exc.start
                data = (exc.object or b"")[exc.start : exc.start + 1]
                shown = f"0x{data[0]:02x}" if data else "end of file"
                name = "UTF-8" if codecs.lookup(encoding).name == "utf-8" else encoding
                raise WorkflowError(
                    f"{_shown(path)} is not valid {name}: byte {shown} at offset {at} does not "
                    f"decode; re-save it as UTF-8 or pass --encoding (e.g. --encoding latin-1)"
                ) from None
            if final:
                return
            offset += len(piece)


# -- CSV ----------------------------------------------------------------------------------------


def _field_counts(lines: list[str], delimiter: str) -> list[int]:
    reader = csv.reader(lines, delimiter=delimiter, skipinitialspace=True)
    try:
        return [len(row) for row in reader if row]
    except csv.Error:
        return []


def _sniff_delimiter(lines: list[str]) -> str | None:
    """The candidate giving >= 2 header fields and the most lines with the header's count."""
    best, best_key = None, None
    for rank, d in enumerate(DELIMITERS):
        counts = _field_counts(lines, d)
        if not counts or counts[0] < 2:
            continue
        agree = sum(c == counts[0] for c in counts) / len(counts)
        key = (agree, counts[0], -rank)
        if best_key is None or key > best_key:
            best, best_key = d, key
    return best


def _one_column_error(path: Path, header: str, delimiter: str | None, given: bool) -> WorkflowError:
    shown = header if len(header) <= 60 else header[:57] + "..."
    if given:
        how = f"with the delimiter {delimiter!r} you passed"
    else:
        how = "with any of the delimiters , ; tab |"
    return WorkflowError(
        f"{_shown(path)} splits into one column only {how} (header {shown!r}); wrong delimiter? "
        "pass the right one with --delimiter"
    )


def _check_header(path: Path, names: list[str]) -> None:
    if names and all(_is_number(n) for n in names):
        shown = ", ".join(n.strip() for n in names[:4])
        raise WorkflowError(
            f"{_shown(path)} has no header: its first row ({shown}, ...) looks like data, not "
            "column names; add a first row with the column names"
        )
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        key = name.strip()
        if key in seen:
            raise WorkflowError(
                f"{_shown(path)} has duplicate column names: {key!r} is column {seen[key] + 1} "
                f"and column {i + 1}; rename one of them"
            )
        seen[key] = i


def _read_head(path: Path, encoding: str, size: int) -> tuple[str, bool]:
    """The decoded first ``HEAD_BYTES`` (cut after the last complete line) and whether that is
    the whole file."""
    with open(path, "rb") as fh:
        raw = fh.read(HEAD_BYTES)
    whole = len(raw) >= size
    text = codecs.getincrementaldecoder(encoding)().decode(raw, final=whole)
    if not whole:
        cut = text.rfind("\n")
        if cut >= 0:
            text = text[: cut + 1]
    return text, whole


def _pandas_csv_kwargs(delimiter: str, decimal: str, encoding: str) -> dict[str, Any]:
    return {
        "sep": delimiter,
        "decimal": decimal,
        "encoding": encoding,
        "skipinitialspace": True,
        "engine": "c",
    }


def _parse_error(path: Path, exc: Exception, delimiter: str) -> WorkflowError:
    msg = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
    if m:
        return WorkflowError(
            f"{_shown(path)}: line {m.group(2)} has {m.group(3)} fields but the header has "
            f"{m.group(1)} (delimiter {_DELIMITER_NAMES.get(delimiter, repr(delimiter))}); wrong "
            "delimiter, or an unquoted delimiter inside a value? fix the file or pass --delimiter"
        )
    return WorkflowError(f"cannot parse {_shown(path)} as CSV: {msg}")


# -- memory -------------------------------------------------------------------------------------


def _memory_figures(sample: Any) -> dict[str, Any]:
    """Per-row figures measured on a sample DataFrame (see the module docstring)."""
    import pandas as pd

    n = max(len(sample), 1)
    raw = float(sample.memory_usage(index=False, deep=True).sum()) / n
    design = 0
    onehot = []
    for name in sample.columns:
        col = sample[name]
        if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            design += 1
        else:
            k = max(int(col.nunique(dropna=True)), 1)
            design += k
            onehot.append({"column": str(name), "distinct_in_sample": k})
    return {
        "raw_bytes_per_row": raw,
        "design_columns": int(design),
        "onehot_columns": onehot,
        "onehot_extra_columns": int(design - sample.shape[1]),
        "design_bytes_per_row": float(CELL_BYTES * design),
        "cv_copies": CV_COPIES,
        "bytes_per_row": raw + CELL_BYTES * design * (1 + CV_COPIES),
    }


def _plan(
    n_rows: int, exact: bool, figures: dict[str, Any], memory_budget: Any, min_rows: int
) -> dict[str, Any]:
    budget, source = _budget(memory_budget)
    per_row = figures["bytes_per_row"]
    estimate = n_rows * per_row
    approx = "" if exact else "~"
    mem = {
        "n_rows_estimated": int(n_rows),
        "rows_exact": bool(exact),
        **figures,
        "estimated_bytes": float(estimate),
        "budget_bytes": int(budget),
        "budget_source": source,
        "formula": "N * (r + 8 * D * (1 + c))",
    }
    what = (
        f"{approx}{n_rows:,} rows x ({_fmt_bytes(figures['raw_bytes_per_row'])} raw + "
        f"{figures['design_columns']} design columns x 8 B x (1 + {CV_COPIES} CV copies)) = "
        f"{_fmt_bytes(estimate)}"
    )
    if estimate <= budget:
        mem["decision"] = "in memory"
        mem["n_rows_keep"] = int(n_rows)
        mem["sentence"] = (
            f"estimated {what}, within the budget {_fmt_bytes(budget)} ({source}) -> loaded in "
            "memory"
        )
    else:
        keep = int(budget // per_row)
        if keep < min_rows:
            raise WorkflowError(
                f"the memory budget {_fmt_bytes(budget)} holds only {keep} rows of this table "
                f"({_fmt_bytes(per_row)} per row); free memory or pass a larger memory budget"
            )
        mem["decision"] = "sampled"
        mem["n_rows_keep"] = keep
        mem["sentence"] = (
            f"estimated {what}, over the budget {_fmt_bytes(budget)} ({source}) -> sampled "
            f"{keep:,} of {approx}{n_rows:,} rows"
        )
    return mem


def _bottom_k(chunks: Any, keep: int, seed: int) -> tuple[Any, int]:
    """Uniform sample of ``keep`` rows from an iterable of DataFrames, in original order.

    Every row draws a key from ``default_rng(seed)`` in file order; the rows with the ``keep``
    smallest keys win. Returns the sample and the number of rows seen.
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    kept = None
    kept_keys = np.empty(0)
    kept_pos = np.empty(0, dtype=np.int64)
    seen = 0
    for chunk in chunks:
        m = len(chunk)
        keys = rng.random(m)
        pos = np.arange(seen, seen + m)
        seen += m
        chunk = chunk.reset_index(drop=True)
        both = chunk if kept is None else pd.concat([kept, chunk], ignore_index=True)
        all_keys = np.concatenate([kept_keys, keys])
        all_pos = np.concatenate([kept_pos, pos])
        if len(all_keys) > keep:
            pick = np.argpartition(all_keys, keep - 1)[:keep]
            pick.sort()
            both = both.iloc[pick].reset_index(drop=True)
            all_keys, all_pos = all_keys[pick], all_pos[pick]
        kept, kept_keys, kept_pos = both, all_keys, all_pos
    if kept is None:
        return None, 0
    order = np.argsort(kept_pos, kind="stable")
    return kept.iloc[order].reset_index(drop=True), seen


# -- public -------------------------------------------------------------------------------------


def read_table(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    memory_budget: int | float | str | None = None,
    seed: int = 0,
    min_rows: int = MIN_ROWS,
) -> tuple[Any, dict[str, Any]]:
    """Read a CSV or Parquet table after estimating its memory cost (see the module docstring).

    Parameters
    ----------
    path : path
        The CSV or Parquet file.
    encoding : str, optional
        Text encoding of a CSV; sniffed when omitted (BOM, else UTF-8).
    delimiter : str, optional
        CSV delimiter (one character; ``"\\t"`` or ``"tab"`` for tab); sniffed when omitted.
    memory_budget : int, float or str, optional
        Bytes the run may use (``"2G"`` style accepted); default a quarter of the available
        memory.
    seed : int, default=0
        Seeds the row sample when the table is over the budget.
    min_rows : int, default=10
        Fewest data rows accepted (``predict`` passes 1).

    Returns
    -------
    df : pandas.DataFrame
        The table (or its seeded sample), index ``0..n-1``, dtypes as pandas reads them.
    section : dict
        JSON-ready: ``path, format, encoding, encoding_source, delimiter, decimal, n_rows,
        n_rows_total, n_columns, columns, sampled, seed, memory`` (every figure of the estimate
        and the ``decision`` / ``sentence``).

    Raises
    ------
    WorkflowError
        Path missing or a directory, empty file, not decodable (byte offset named), no header,
        one column (wrong delimiter?), duplicate column names, fewer than ``min_rows`` rows,
        unparsable rows.
    """
    path = Path(path)
    if not path.exists():
        raise WorkflowError(f"data file {_shown(path)} does not exist; check the path")
    if path.is_dir():
        raise WorkflowError(
            f"{_shown(path)} is a directory, not a data file; pass a CSV or Parquet"
        )
    size = path.stat().st_size
    if size == 0:
        raise WorkflowError(f"data file {_shown(path)} is empty (0 bytes)")
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic == b"PAR1" or path.suffix.lower() in (".parquet", ".pq"):
        df, section = _read_parquet(path, size, memory_budget, seed, min_rows)
    else:
        df, section = _read_csv(path, size, encoding, delimiter, memory_budget, seed, min_rows)
    section["seed"] = int(seed)
    return df, section


def _check_rows(path: Path, n: int, min_rows: int) -> None:
    if n < min_rows:
        raise WorkflowError(
            f"{_shown(path)} has {n} data row{'' if n == 1 else 's'}; at least {min_rows} rows "
            "are needed (5-fold cross-validation needs rows to split)"
        )


def _read_csv(
    path: Path,
    size: int,
    encoding: str | None,
    delimiter: str | None,
    memory_budget: Any,
    seed: int,
    min_rows: int,
) -> tuple[Any, dict[str, Any]]:
    import pandas as pd

    if encoding is None:
        with open(path, "rb") as fh:
            encoding, how = _sniff_encoding(fh.read(4096))
    else:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise WorkflowError(
                f"unknown encoding {encoding!r}; use a Python codec name such as utf-8 or latin-1"
            ) from None
        how = "given"
    _check_decodes(path, encoding)
    head, whole = _read_head(path, encoding, size)
    if encoding == "utf-8-sig":
        head = head.removeprefix("\ufeff")
    lines = head.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not any(line.strip() for line in lines):
        raise WorkflowError(f"data file {_shown(path)} is empty (no text, only blank lines)")

    given = delimiter is not None
    if given:
        delimiter = {"\\t": "\t", "tab": "\t"}.get(delimiter, delimiter)
        if len(delimiter) != 1:
            raise WorkflowError(f"--delimiter must be one character, got {delimiter!r}")
    else:
        delimiter = _sniff_delimiter(lines[:SNIFF_LINES])
    header_fields = next(csv.reader([lines[0]], delimiter=delimiter or ",", skipinitialspace=True))
    if delimiter is None or len(header_fields) < 2:
        raise _one_column_error(path, lines[0], delimiter, given)
    _check_header(path, header_fields)

    decimal = "."
    if delimiter == ";":
        values = [
            v.strip()
            for row in csv.reader(lines[1:SNIFF_LINES], delimiter=";", skipinitialspace=True)
            for v in row
        ]
        if any(_DECIMAL_COMMA.match(v) for v in values) and not any(
            _DECIMAL_POINT.match(v) for v in values
        ):
            decimal = ","
    kwargs = _pandas_csv_kwargs(delimiter, decimal, encoding)

    sample_text = head.removeprefix("\ufeff")
    try:
        sample = pd.read_csv(io.StringIO(sample_text), **{**kwargs, "encoding": None})
    except (pd.errors.ParserError, ValueError) as exc:
        raise _parse_error(path, exc, delimiter) from None
    if not isinstance(sample.index, pd.RangeIndex) or sample.shape[1] != len(header_fields):
        raise WorkflowError(
            f"{_shown(path)}: the data rows have more fields than the header's "
            f"{len(header_fields)} names; add the missing column names or pass --delimiter"
        )
    if whole:
        _check_rows(path, len(sample), min_rows)
    if len(sample) == 0:  # a header longer than the head: nothing to measure rows with
        raise WorkflowError(f"{_shown(path)}: no complete data row in its first 1 MiB")

    codec = {"utf-8-sig": "utf-8", "utf-16": "utf-16-le", "utf-32": "utf-32-le"}.get(
        encoding, encoding
    )
    header_bytes = len((lines[0] + "\n").encode(codec))
    sample_bytes = max(len(sample_text.encode(codec)) - header_bytes, 1)
    if whole:
        n_est, exact = len(sample), True
    else:
        per_row = sample_bytes / len(sample)
        n_est, exact = max(int(round((size - header_bytes) / per_row)), len(sample)), False
    figures = _memory_figures(sample)
    mem = _plan(n_est, exact, figures, memory_budget, min_rows)
    mem.update(
        file_bytes=int(size),
        header_bytes=int(header_bytes),
        sample_rows=int(len(sample)),
        sample_bytes=int(sample_bytes),
    )

    try:
        if mem["decision"] == "in memory":
            if whole:
                df = sample.reset_index(drop=True)
            else:
                df = pd.read_csv(path, low_memory=False, **kwargs).reset_index(drop=True)
            n_total = len(df)
        else:
            chunk = int(max(1000, min(CHUNK_ROWS, mem["n_rows_keep"])))
            with pd.read_csv(path, chunksize=chunk, low_memory=False, **kwargs) as reader:
                df, n_total = _bottom_k(reader, mem["n_rows_keep"], seed)
    except (pd.errors.ParserError, ValueError) as exc:
        raise _parse_error(path, exc, delimiter) from None
    _check_rows(path, n_total, min_rows)
    return df, _finish(df, n_total, mem, seed, path) | {
        "format": "csv",
        "encoding": encoding,
        "encoding_source": how,
        "delimiter": delimiter,
        "delimiter_name": _DELIMITER_NAMES.get(delimiter, "given"),
        "delimiter_source": "given" if given else "sniffed",
        "decimal": decimal,
    }


def _finish(df: Any, n_total: int, mem: dict[str, Any], seed: int, path: Path) -> dict[str, Any]:
    sampled = mem["decision"] == "sampled"
    mem["n_rows_total"] = int(n_total)
    mem["n_rows_loaded"] = int(len(df))
    if sampled:
        mem["sentence"] += (
            f" (exactly {n_total:,} rows counted; uniform bottom-k reservoir sample, seed {seed})"
        )
    return {
        "path": str(path),
        "n_rows": int(len(df)),
        "n_rows_total": int(n_total),
        "n_columns": int(df.shape[1]),
        "columns": [str(c) for c in df.columns],
        "sampled": bool(sampled),
        "memory": mem,
    }


_UNNAMED_INDEX = re.compile(r"^__index_level_\d+__$")


def _flat_index(df: Any) -> Any:
    """A default ``0..n-1`` index: a named index stored in the file becomes a column, an
    unnamed one is dropped."""
    named = any(name is not None for name in df.index.names)
    return df.reset_index(drop=not named)


def _read_parquet(
    path: Path, size: int, memory_budget: Any, seed: int, min_rows: int
) -> tuple[Any, dict[str, Any]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise WorkflowError(
            "reading Parquet needs pyarrow; install it (pip install pyarrow) or use a CSV"
        ) from None
    try:
        pf = pq.ParquetFile(path)
        names = [str(n) for n in pf.schema_arrow.names if not _UNNAMED_INDEX.match(str(n))]
        n_rows = int(pf.metadata.num_rows)
        if n_rows == 0:
            raise WorkflowError(f"Parquet file {_shown(path)} is empty (0 rows)")
        _check_header(path, names)
        if len(names) < 2:
            raise WorkflowError(
                f"Parquet file {_shown(path)} has one column only ({names[0]!r}); a target and "
                "at least one feature are needed"
            )
        _check_rows(path, n_rows, min_rows)
        first = _flat_index(next(pf.iter_batches(batch_size=PARQUET_SAMPLE_ROWS)).to_pandas())
        mem = _plan(n_rows, True, _memory_figures(first), memory_budget, min_rows)
        mem.update(file_bytes=int(size), sample_rows=int(len(first)))
        if mem["decision"] == "in memory":
            df = _flat_index(pf.read().to_pandas())
            n_total = len(df)
        else:
            chunk = int(max(1000, min(CHUNK_ROWS, mem["n_rows_keep"])))
            batches = (_flat_index(b.to_pandas()) for b in pf.iter_batches(batch_size=chunk))
            df, n_total = _bottom_k(batches, mem["n_rows_keep"], seed)
    except WorkflowError:
        raise
    except Exception as exc:  # pyarrow raises several types for a damaged file
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WorkflowError(f"cannot read Parquet file {_shown(path)}: {first_line}") from None
    return df, _finish(df, n_total, mem, seed, path) | {
        "format": "parquet",
        "encoding": None,
        "encoding_source": None,
        "delimiter": None,
        "delimiter_name": None,
        "delimiter_source": None,
        "decimal": None,
    }
