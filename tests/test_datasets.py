"""The bundled Palmer penguins table and its loader."""

import csv
import hashlib

import numpy as np
import pytest

from lucidml.datasets import load_penguins, penguins_path

# palmerpenguins 0.1.6, data/penguins.csv
SHA256 = "f204db2c753b0937caac3cb35258562c14f073e4bbc76be24b4c51ce22767a93"
COLUMNS = [
    "species",
    "island",
    "bill_length_mm",
    "bill_depth_mm",
    "flipper_length_mm",
    "body_mass_g",
    "sex",
    "year",
]


def test_bundled_file_is_the_palmerpenguins_copy_with_its_licence():
    path = penguins_path()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == SHA256
    licence = (path.parent / "penguins_LICENSE.txt").read_text(encoding="utf-8")
    for needle in (
        "Allison Horst",
        "Alison Hill",
        "Kristen Gorman",
        "Palmer Station",
        "CC0",
        "MIT",
        "0.1.6",
        SHA256,
    ):
        assert needle in licence


def _rows():
    with open(penguins_path(), newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_frame_matches_the_csv_read_by_hand():
    pd = pytest.importorskip("pandas")
    df = load_penguins()
    rows = _rows()
    assert list(df.columns) == rows[0] == COLUMNS and df.shape == (344, 8)
    # the published counts: 152 Adelie, 68 Chinstrap, 124 Gentoo; 11 unknown sex; 2 unmeasured
    assert df["species"].value_counts().to_dict() == {"Adelie": 152, "Gentoo": 124, "Chinstrap": 68}
    assert int(df["sex"].isna().sum()) == 11 and int(df["bill_length_mm"].isna().sum()) == 2
    mass = [float("nan") if r[5] == "NA" else float(r[5]) for r in rows[1:]]
    np.testing.assert_array_equal(df["body_mass_g"].to_numpy(), np.array(mass))
    X, y = load_penguins(return_X_y=True)
    assert list(X.columns) == COLUMNS[1:] and isinstance(y, pd.Series)
    pd.testing.assert_series_equal(y, df["species"])


def test_numpy_form_agrees_with_the_frame():
    pytest.importorskip("pandas")
    df = load_penguins()
    X, y = load_penguins(as_frame=False, return_X_y=True)
    assert X.shape == (344, 7) and X.dtype == object and y.tolist() == df["species"].tolist()
    for j, name in enumerate(COLUMNS[1:]):
        want = df[name]
        if name in ("island", "sex"):
            assert [None if v != v else v for v in want.tolist()] == X[:, j].tolist()
        else:
            np.testing.assert_array_equal(X[:, j].astype(float), want.to_numpy(dtype=float))
    bunch = load_penguins(as_frame=False)
    assert bunch["feature_names"] == COLUMNS[1:] and bunch["target_name"] == "species"
    np.testing.assert_array_equal(bunch["target"], y)


def test_read_table_reads_it_like_pandas():
    pd = pytest.importorskip("pandas")
    from lucidml.workflow.load import read_table

    df, sec = read_table(penguins_path())
    pd.testing.assert_frame_equal(df, load_penguins())
    assert sec["delimiter"] == "," and sec["encoding"] == "utf-8" and not sec["sampled"]
