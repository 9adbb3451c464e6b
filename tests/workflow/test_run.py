"""`lucidml run` and `lucidml predict` end to end: the run folder, metrics.json's contract, the
CLI's exit codes and messages for bad input, and reproducibility with a seed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

from lucidml.cli import main  # noqa: E402
from lucidml.datasets import load_penguins, penguins_path  # noqa: E402

TRIALS = 10


def _run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def penguins_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "penguins"
    code = main(
        [
            "run",
            str(penguins_path()),
            "--target",
            "species",
            "--trials",
            str(TRIALS),
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    return out


def test_run_folder_holds_report_metrics_model_and_oof(penguins_run):
    names = {p.name for p in penguins_run.iterdir()}
    assert {"report.html", "metrics.json", "model.lucidml", "oof_predictions.csv"} <= names
    # no temporary folders left beside it
    assert not [p for p in penguins_run.parent.iterdir() if p.name.startswith(".")]


def test_metrics_json_contract(penguins_run):
    m = json.loads((penguins_run / "metrics.json").read_text())
    assert m["task"] == "classification"
    assert m["metric"] == "accuracy"
    assert isinstance(m["final_model"], str) and m["final_model"]
    for key in ("load", "frame", "data", "features", "train", "diagnose", "errors", "fusion"):
        assert key in m, key
    assert "deploy" in m and "bootstrap" in m
    assert m["verdicts"] and all(v["kind"] and v["text"] for v in m["verdicts"])
    # warnings are collected, not printed; a numerical RuntimeWarning would be a bug
    assert not [w for w in m["warnings_raised"] if w["category"] == "RuntimeWarning"]
    # Penguins species are nearly separable from bill and flipper sizes.
    assert m["cv_score"] > 0.95
    b = m["bootstrap"]
    assert b["low"] <= m["cv_score"] + 0.02 and b["high"] >= m["cv_score"] - 0.02
    # the deployment card reuses that interval rather than resampling again
    spread = m["deploy"]["stability"]["bootstrap"]
    assert (spread["low"], spread["high"], spread["std"]) == (b["low"], b["high"], b["std"])


def test_cv_score_is_the_oof_accuracy_of_the_final_model(penguins_run):
    """The reported CV score must be what the saved out-of-fold predictions give."""
    m = json.loads((penguins_run / "metrics.json").read_text())
    oof = pd.read_csv(penguins_run / "oof_predictions.csv")
    acc = float(np.mean(oof["y_true"].astype(str) == oof["oof_prediction"].astype(str)))
    # fold means vs pooled accuracy differ by at most the fold-size imbalance
    assert abs(acc - m["cv_score"]) < 0.01


def test_predict_uses_the_saved_model(penguins_run, tmp_path, capsys):
    df = load_penguins().drop(columns=["species"]).dropna().head(30)
    data = tmp_path / "new.csv"
    df.to_csv(data, index=False)
    out = tmp_path / "pred.csv"
    code, stdout, err = _run_cli(
        ["predict", str(penguins_run / "model.lucidml"), str(data), "--out", str(out)], capsys
    )
    assert code == 0, err
    pred = pd.read_csv(out)
    assert len(pred) == 30
    assert set(pred["prediction"]) <= {"Adelie", "Chinstrap", "Gentoo"}
    from lucidml.persist import load

    model = load(penguins_run / "model.lucidml")
    np.testing.assert_array_equal(pred["prediction"].to_numpy(), model.predict(df).astype(str))


def test_predict_names_missing_columns(penguins_run, tmp_path, capsys):
    df = load_penguins().drop(columns=["species", "bill_length_mm"]).head(5)
    data = tmp_path / "bad.csv"
    df.to_csv(data, index=False)
    code, _, err = _run_cli(
        ["predict", str(penguins_run / "model.lucidml"), str(data), "--out", str(tmp_path / "p")],
        capsys,
    )
    assert code == 2
    assert "bill_length_mm" in err and "Traceback" not in err


def test_same_seed_same_figures(tmp_path):
    from lucidml.workflow._run import run_project

    path = tmp_path / "p.csv"
    load_penguins().to_csv(path, index=False)
    a = run_project(path, target="species", seed=3, trials=6, out=tmp_path / "a")
    b = run_project(path, target="species", seed=3, trials=6, out=tmp_path / "b")
    assert a["train"]["leaderboard"] == b["train"]["leaderboard"] or [
        (r["name"], r["params"], r["cv_score"]) for r in a["train"]["leaderboard"]
    ] == [(r["name"], r["params"], r["cv_score"]) for r in b["train"]["leaderboard"]]
    assert a["cv_score"] == b["cv_score"] and a["final_model"] == b["final_model"]
    assert a["bootstrap"] == b["bootstrap"]


def test_regression_and_clustering_runs(tmp_path):
    from lucidml.workflow._run import run_project

    rng = np.random.default_rng(0)
    n = 300
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    df["c"] = rng.choice(["u", "v", "w"], size=n)
    df["y"] = 3 * df["a"] - 2 * df["b"] ** 2 + (df["c"] == "u") + rng.normal(0, 0.3, n)
    path = tmp_path / "reg.csv"
    df.to_csv(path, index=False)
    m = run_project(path, target="y", seed=0, trials=6, out=tmp_path / "reg")
    assert m["task"] == "regression" and m["metric"] == "r2"
    assert m["cv_score"] > 0.8

    centres = np.array([[0, 0], [6, 0], [0, 6]])
    blobs = np.vstack([c + rng.normal(size=(80, 2)) for c in centres])
    path = tmp_path / "blobs.csv"
    pd.DataFrame(blobs, columns=["p", "q"]).to_csv(path, index=False)
    m = run_project(path, seed=0, trials=4, out=tmp_path / "clu")
    assert m["task"] == "clustering" and m["metric"] == "silhouette"
    assert m["cluster"]["k"] == 3
    assert (tmp_path / "clu" / "report.html").exists()


# -- bad input: one line on stderr, exit code 2, no traceback, no run folder -----------------


def _bad_files(tmp: Path) -> dict[str, tuple[Path, list[str], str]]:
    good = load_penguins()
    cases = {}
    p = tmp / "empty.csv"
    p.write_text("")
    cases["empty file"] = (p, ["--target", "species"], "empty")
    p = tmp / "noheader.csv"
    good.drop(columns=["species", "island", "sex"]).dropna().to_csv(p, index=False, header=False)
    cases["no header"] = (p, ["--target", "species"], "header")
    p = tmp / "good.csv"
    good.to_csv(p, index=False)
    cases["missing target"] = (p, ["--target", "specie"], "specie")
    p = tmp / "emptytarget.csv"
    good.assign(species=np.nan).to_csv(p, index=False)
    cases["all-empty target"] = (p, ["--target", "species"], "empty")
    p = tmp / "oneclass.csv"
    good.assign(species="Adelie").to_csv(p, index=False)
    cases["single class"] = (p, ["--target", "species"], "class")
    p = tmp / "text.csv"
    rng = np.random.default_rng(0)
    words = ["".join(rng.choice(list("abcdefghij"), 12)) for _ in range(200)]
    pd.DataFrame({"note": words, "y": rng.choice(["a", "b"], 200)}).to_csv(p, index=False)
    cases["only text columns"] = (p, ["--target", "y"], "text")
    p = tmp / "latin1.csv"
    p.write_bytes(b"name,valeur,y\n" + "café,1.5,a\nthé,2.5,b\n".encode("latin-1") * 20)
    cases["not UTF-8"] = (p, ["--target", "y"], "UTF-8")
    p = tmp / "semicolon.csv"
    good.to_csv(p, index=False, sep="\x01")
    cases["wrong delimiter"] = (p, ["--target", "species", "--delimiter", ","], "delimiter")
    p = tmp / "onerow.csv"
    good.head(1).to_csv(p, index=False)
    cases["one row"] = (p, ["--target", "species"], "row")
    cases["missing path"] = (tmp / "nope.csv", ["--target", "species"], "nope.csv")
    return cases


@pytest.mark.parametrize(
    "case",
    [
        "empty file",
        "no header",
        "missing target",
        "all-empty target",
        "single class",
        "only text columns",
        "not UTF-8",
        "wrong delimiter",
        "one row",
        "missing path",
    ],
)
def test_bad_input_is_one_line_exit_2_and_no_folder(case, tmp_path, capsys):
    path, extra, needle = _bad_files(tmp_path)[case]
    out = tmp_path / "runs" / "x"
    code, stdout, err = _run_cli(["run", str(path), *extra, "--out", str(out), "--quiet"], capsys)
    assert code == 2, (case, err)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("lucidml: error:"), err
    assert needle.lower() in lines[0].lower(), (case, lines[0])
    assert "Traceback" not in err
    assert not out.exists()
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_cli_module_entry_point_has_no_traceback_for_bad_input(tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "lucidml", "run", str(tmp_path / "missing.csv"), "--target", "y"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and "missing.csv" in res.stderr


def test_planted_leak_is_reported_and_not_used(tmp_path, capsys):
    """A copy of the target under another name is found, dropped, and not needed to predict."""
    rng = np.random.default_rng(5)
    n = 240
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    df["y"] = np.where(df["a"] + 0.5 * rng.normal(size=n) > 0, "yes", "no")
    df["outcome_code"] = (df["y"] == "yes").astype(int)  # the leak
    path = tmp_path / "leak.csv"
    df.to_csv(path, index=False)
    out = tmp_path / "run"
    code, _, err = _run_cli(
        ["run", str(path), "--target", "y", "--trials", "4", "--out", str(out), "--quiet"], capsys
    )
    assert code == 0, err
    m = json.loads((out / "metrics.json").read_text())
    assert [d["feature"] for d in m["data"]["leakage"]] == ["outcome_code"]
    assert "outcome_code" not in m["data"]["usable_features"]
    # honest score: the leak would give 1.0; 'a' alone with this noise gives clearly less
    assert m["cv_score"] < 0.97
    new = tmp_path / "new.csv"
    df.drop(columns=["y", "outcome_code"]).to_csv(new, index=False)
    code, _, err = _run_cli(
        ["predict", str(out / "model.lucidml"), str(new), "--out", str(tmp_path / "p.csv")],
        capsys,
    )
    assert code == 0, err


def test_missing_workflow_extra_is_a_clear_error(monkeypatch, tmp_path, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pandas" else real(name, *a)
    )
    code, _, err = _run_cli(["run", str(tmp_path / "x.csv"), "--target", "y"], capsys)
    assert code == 2 and "lucidml[workflow]" in err and "pandas" in err


def test_a_run_never_imports_scikit_learn(tmp_path):
    """scikit-learn is a test dependency only: a whole run works with it unimportable."""
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'sklearn' or name.startswith('sklearn.'):\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from lucidml.datasets import penguins_path\n"
        "from lucidml.workflow._run import run_project\n"
        f"m = run_project(penguins_path(), target='species', out={str(tmp_path / 'r')!r}, "
        "trials=4)\n"
        "assert 'sklearn' not in sys.modules\n"
        "print(m['cv_score'])\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert float(res.stdout.strip().splitlines()[-1]) > 0.95
