"""read_table: sniffing, encodings, Parquet, the memory estimate, sampling and every bad input."""

import json

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from lucidml.workflow import load as load_mod  # noqa: E402
from lucidml.workflow._errors import WorkflowError  # noqa: E402
from lucidml.workflow.load import parse_bytes, read_table  # noqa: E402


def _table(n=60, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "x": np.round(rng.normal(size=n), 4),
            "k": rng.integers(0, 9, n),
            "word": rng.choice(["red", "green, light", "blue"], n),
            "y": rng.choice(["a", "b"], n),
        }
    )


def _same(got, want):
    pd.testing.assert_frame_equal(
        got.astype({"word": object, "y": object}),
        want.astype({"word": object, "y": object}),
        check_dtype=False,
    )


@pytest.mark.parametrize(
    "sep,name", [(",", "comma"), (";", "semicolon"), ("\t", "tab"), ("|", "pipe")]
)
def test_delimiter_is_sniffed(tmp_path, sep, name):
    df = _table()
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False, sep=sep)  # "green, light" is quoted for the comma case
    got, sec = read_table(path)
    _same(got, df)
    assert sec["delimiter"] == sep and sec["delimiter_name"] == name
    assert sec["delimiter_source"] == "sniffed" and sec["format"] == "csv"
    json.dumps(sec, allow_nan=False)


def test_semicolon_file_with_decimal_commas(tmp_path):
    rows = "\n".join(f"{i},5;{i % 3};c{i % 2}" for i in range(20))
    path = tmp_path / "eu.csv"
    path.write_text("a;b;c\n" + rows + "\n")
    got, sec = read_table(path)
    assert sec["delimiter"] == ";" and sec["decimal"] == ","
    np.testing.assert_allclose(got["a"].to_numpy(), np.arange(20) + 0.5)


@pytest.mark.parametrize(
    "encoding,expected",
    [
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),  # BOM, native (little-endian) order
        ("utf-16-be-bom", "utf-16"),
        ("utf-16-le", "utf-16-le"),  # no BOM: guessed from the NUL bytes
        ("utf-32", "utf-32"),
    ],
)
def test_encodings_are_sniffed(tmp_path, encoding, expected):
    df = _table().assign(word=lambda d: d["word"].str.replace("red", "rød"))
    text = df.to_csv(index=False)
    if encoding == "utf-16-be-bom":
        raw = b"\xfe\xff" + text.encode("utf-16-be")
    else:
        raw = text.encode(encoding)
    path = tmp_path / "e.csv"
    path.write_bytes(raw)
    got, sec = read_table(path)
    assert sec["encoding"] == expected
    assert list(got.columns) == ["x", "k", "word", "y"]  # no BOM glued to the first name
    _same(got, df)


def test_given_encoding_reads_latin1(tmp_path):
    path = tmp_path / "l.csv"
    path.write_bytes(b"name,v\n" + "café,1\nthé,2\n".encode("latin-1") * 6)
    got, sec = read_table(path, encoding="latin-1")
    assert got["name"].tolist() == ["café", "thé"] * 6
    assert sec["encoding"] == "latin-1" and sec["encoding_source"] == "given"


def test_not_utf8_names_the_byte_offset(tmp_path, monkeypatch):
    # small pieces: the check decodes in pieces, and a valid 2-byte character may straddle two
    monkeypatch.setattr(load_mod, "HEAD_BYTES", 16)
    head = "a,b\n" + "é,1\n" * 30  # each line 5 bytes in UTF-8; pieces of 16 split some 'é'
    bad_at = len(head.encode())
    path = tmp_path / "bad.csv"
    path.write_bytes(head.encode() + "ü,2\n".encode("latin-1") + b"x,3\n" * 10)
    with pytest.raises(WorkflowError, match=rf"not valid UTF-8: byte 0xfc at offset {bad_at}\b"):
        read_table(path)


def test_parquet_round_trip(tmp_path):
    pytest.importorskip("pyarrow")
    df = _table().assign(flag=lambda d: d["k"] > 4)
    df.loc[3, "x"] = np.nan
    path = tmp_path / "t.parquet"
    df.to_parquet(path, index=False)
    got, sec = read_table(path)
    assert sec["format"] == "parquet" and sec["delimiter"] is None
    assert sec["memory"]["rows_exact"] and sec["memory"]["n_rows_estimated"] == len(df)
    pd.testing.assert_frame_equal(got, df, check_dtype=False)
    # the magic bytes decide, not the name
    other = tmp_path / "data.bin"
    other.write_bytes(path.read_bytes())
    got2, sec2 = read_table(other)
    assert sec2["format"] == "parquet"
    pd.testing.assert_frame_equal(got2, df, check_dtype=False)


def test_memory_estimate_by_hand_numeric(tmp_path):
    # float64 + int64 + bool: 8 + 8 + 1 = 17 bytes per raw row, D = 3 design columns
    n = 40
    df = pd.DataFrame({"a": np.linspace(0, 1, n), "b": np.arange(n), "c": np.arange(n) % 2 == 0})
    path = tmp_path / "m.csv"
    df.to_csv(path, index=False)
    _, sec = read_table(path, memory_budget=10**9)
    mem = sec["memory"]
    assert mem["raw_bytes_per_row"] == 17
    assert mem["design_columns"] == 3 and mem["onehot_extra_columns"] == 0
    assert mem["design_bytes_per_row"] == 24 and mem["cv_copies"] == 2
    assert mem["bytes_per_row"] == 17 + 24 * 3
    assert mem["estimated_bytes"] == n * (17 + 24 * 3)
    assert mem["rows_exact"] and mem["n_rows_estimated"] == n
    assert mem["decision"] == "in memory" and "in memory" in mem["sentence"]
    assert mem["budget_bytes"] == 10**9 and not sec["sampled"]


def test_memory_estimate_counts_one_hot_columns(tmp_path):
    n = 40
    df = pd.DataFrame({"a": np.linspace(0, 1, n), "c": np.array(list("pqrs"))[np.arange(n) % 4]})
    path = tmp_path / "m.csv"
    df.to_csv(path, index=False)
    got, sec = read_table(path, memory_budget="1G")
    mem = sec["memory"]
    raw = got.memory_usage(index=False, deep=True).sum() / n
    assert mem["raw_bytes_per_row"] == pytest.approx(raw)
    assert mem["design_columns"] == 1 + 4 and mem["onehot_extra_columns"] == 3
    assert mem["onehot_columns"] == [{"column": "c", "distinct_in_sample": 4}]
    assert mem["estimated_bytes"] == pytest.approx(n * (raw + 8 * 5 * 3))
    assert mem["budget_bytes"] == 1024**3


def test_row_count_is_estimated_from_the_file_size(tmp_path, monkeypatch):
    # every row is exactly 8 bytes ("0.12345\n" style), so size / row bytes is the true count
    monkeypatch.setattr(load_mod, "HEAD_BYTES", 400)
    n = 500
    vals = np.random.default_rng(1).uniform(0.1, 0.9, size=(n, 2))
    lines = [f"{a:.2f},{b:.2f}" for a, b in vals]  # 9 bytes + newline
    path = tmp_path / "big.csv"
    path.write_text("u,v\n" + "\n".join(lines) + "\n")
    got, sec = read_table(path, memory_budget=10**9)
    mem = sec["memory"]
    assert not mem["rows_exact"] and mem["sample_rows"] == (400 - 4) // 10
    assert mem["n_rows_estimated"] == n
    assert mem["file_bytes"] == 4 + 10 * n and mem["header_bytes"] == 4
    assert len(got) == n and mem["n_rows_total"] == n
    np.testing.assert_allclose(got.to_numpy(), np.round(vals, 2))


def _sample_oracle(n, keep, seed):
    keys = np.random.default_rng(seed).random(n)
    return np.sort(np.argsort(keys)[:keep])


def test_tiny_budget_samples_with_the_seed(tmp_path):
    n = 300
    df = pd.DataFrame({"row": np.arange(n), "v": np.linspace(0, 1, n)})
    path = tmp_path / "s.csv"
    df.to_csv(path, index=False)
    per_row = 16 + 16 * 3  # two 8-byte columns, two design columns, two CV copies
    budget = per_row * 50 + 7  # room for 50 rows
    got, sec = read_table(path, memory_budget=budget, seed=3)
    mem = sec["memory"]
    assert mem["bytes_per_row"] == per_row and mem["n_rows_keep"] == 50
    assert sec["sampled"] and mem["decision"] == "sampled" and len(got) == 50
    assert sec["n_rows"] == 50 and sec["n_rows_total"] == n and mem["n_rows_total"] == n
    assert "sampled 50 of 300 rows" in mem["sentence"] and "seed 3" in mem["sentence"]
    # a uniform bottom-k sample: the rows with the 50 smallest keys of default_rng(3), in order
    np.testing.assert_array_equal(got["row"].to_numpy(), _sample_oracle(n, 50, 3))
    np.testing.assert_allclose(got["v"].to_numpy(), df["v"].to_numpy()[got["row"].to_numpy()])
    again, _ = read_table(path, memory_budget=budget, seed=3)
    pd.testing.assert_frame_equal(got, again)
    other, _ = read_table(path, memory_budget=budget, seed=4)
    assert not np.array_equal(other["row"].to_numpy(), got["row"].to_numpy())


def test_bottom_k_does_not_depend_on_chunk_size():
    df = pd.DataFrame({"row": np.arange(1000)})
    full, seen = load_mod._bottom_k([df], 37, 5)
    for size in (1, 7, 100, 999):
        chunks = [df.iloc[i : i + size] for i in range(0, 1000, size)]
        got, seen2 = load_mod._bottom_k(chunks, 37, 5)
        assert seen2 == seen == 1000
        pd.testing.assert_frame_equal(got, full)
    np.testing.assert_array_equal(full["row"].to_numpy(), _sample_oracle(1000, 37, 5))


def test_parquet_is_sampled_too(tmp_path):
    pytest.importorskip("pyarrow")
    n = 300
    df = pd.DataFrame({"row": np.arange(n), "v": np.linspace(0, 1, n)})
    path = tmp_path / "s.parquet"
    df.to_parquet(path, index=False)
    got, sec = read_table(path, memory_budget=64 * 40, seed=1)
    assert sec["sampled"] and len(got) == 40
    np.testing.assert_array_equal(got["row"].to_numpy(), _sample_oracle(n, 40, 1))


def test_parse_bytes():
    assert parse_bytes("2G") == 2 * 1024**3
    assert parse_bytes("512M") == 512 * 1024**2
    assert parse_bytes("1.5GiB") == int(1.5 * 1024**3)
    assert parse_bytes("800kb") == 800 * 1024
    assert parse_bytes(1000) == 1000
    for bad in ("lots", "-1G", 0, -5, True):
        with pytest.raises(WorkflowError, match="memory budget"):
            parse_bytes(bad)


def test_default_budget_is_a_quarter_of_available_memory(tmp_path):
    avail, _ = load_mod.available_memory()
    path = tmp_path / "t.csv"
    _table().to_csv(path, index=False)
    _, sec = read_table(path)
    if avail is not None:
        assert (
            sec["memory"]["budget_bytes"] == int(avail * 0.25)
            or abs(sec["memory"]["budget_bytes"] - avail * 0.25) < 0.05 * avail
        )  # available memory moves a little between the two readings


# -- bad input ----------------------------------------------------------------------------------


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_missing_path(tmp_path):
    with pytest.raises(WorkflowError, match=r"'.*nope\.csv' does not exist"):
        read_table(tmp_path / "nope.csv")


def test_directory(tmp_path):
    with pytest.raises(WorkflowError, match="is a directory"):
        read_table(tmp_path)


def test_empty_file(tmp_path):
    with pytest.raises(WorkflowError, match=r"empty \(0 bytes\)"):
        read_table(_write(tmp_path, "e.csv", ""))
    with pytest.raises(WorkflowError, match="empty"):
        read_table(_write(tmp_path, "b.csv", "\n\n  \n"))


def test_no_header(tmp_path):
    text = "\n".join(f"{i}.5,{i},{2 * i}" for i in range(20)) + "\n"
    with pytest.raises(WorkflowError, match=r"no header: its first row \(0.5, 0, 0, \.\.\.\)"):
        read_table(_write(tmp_path, "h.csv", text))


def test_wrong_delimiter(tmp_path):
    text = "a:b:c\n" + "1:2:3\n" * 20
    with pytest.raises(WorkflowError, match="one column only .*wrong delimiter"):
        read_table(_write(tmp_path, "d.csv", text))
    text = "a,b,c\n" + "1,2,3\n" * 20
    with pytest.raises(WorkflowError, match="delimiter ';' you passed.*wrong delimiter"):
        read_table(_write(tmp_path, "d2.csv", text), delimiter=";")
    with pytest.raises(WorkflowError, match="one character"):
        read_table(_write(tmp_path, "d3.csv", text), delimiter=",,")
    got, sec = read_table(_write(tmp_path, "t.csv", text.replace(",", "\t")), delimiter="\\t")
    assert sec["delimiter"] == "\t" and got.shape == (20, 3)


def test_ragged_rows(tmp_path):
    text = "a,b\n" + "1,2\n" * 12 + "1,2,3\n"
    with pytest.raises(WorkflowError, match="line 14 has 3 fields but the header has 2"):
        read_table(_write(tmp_path, "r.csv", text))


def test_rows_longer_than_the_header(tmp_path):
    text = "a,b\n" + "1,2,3\n" * 12  # pandas would quietly make the first field the index
    with pytest.raises(WorkflowError, match="more fields than the header's 2 names"):
        read_table(_write(tmp_path, "long.csv", text))


def test_duplicate_column_names(tmp_path):
    text = "a,b,a\n" + "1,2,3\n" * 12
    with pytest.raises(WorkflowError, match="duplicate column names: 'a' is column 1 and column 3"):
        read_table(_write(tmp_path, "dup.csv", text))


def test_one_row_and_min_rows(tmp_path):
    path = _write(tmp_path, "one.csv", "a,b\n1,2\n")
    with pytest.raises(WorkflowError, match="has 1 data row; at least 10 rows"):
        read_table(path)
    got, sec = read_table(path, min_rows=1)
    assert got.shape == (1, 2) and sec["n_rows"] == 1
    with pytest.raises(WorkflowError, match="has 0 data rows"):
        read_table(_write(tmp_path, "hdr.csv", "a,b\n"))


def test_unknown_encoding(tmp_path):
    with pytest.raises(WorkflowError, match="unknown encoding 'klingon'"):
        read_table(_write(tmp_path, "t.csv", "a,b\n1,2\n"), encoding="klingon")


def test_damaged_parquet(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "x.parquet"
    path.write_bytes(b"PAR1" + b"\x00" * 50)
    with pytest.raises(WorkflowError, match="cannot read Parquet file"):
        read_table(path)


def test_budget_too_small_for_ten_rows(tmp_path):
    path = tmp_path / "t.csv"
    _table().to_csv(path, index=False)
    with pytest.raises(WorkflowError, match="memory budget .* holds only"):
        read_table(path, memory_budget=100)


def test_parquet_index_named_becomes_a_column(tmp_path):
    pytest.importorskip("pyarrow")
    df = pd.DataFrame({"a": np.arange(12.0), "b": np.arange(12) % 3})
    named = df.set_index(pd.Index([f"r{i}" for i in range(12)], name="key"))
    named.to_parquet(tmp_path / "n.parquet")
    got, _ = read_table(tmp_path / "n.parquet")
    assert list(got.columns) == ["key", "a", "b"] and got.index.equals(pd.RangeIndex(12))
    df.set_index(pd.Index(range(100, 112))).to_parquet(tmp_path / "u.parquet")
    got, _ = read_table(tmp_path / "u.parquet")
    assert list(got.columns) == ["a", "b"] and got.index.equals(pd.RangeIndex(12))
