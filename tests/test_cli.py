"""The command line: the demo converges, and user mistakes end in one line and exit code 2."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from lucidml.cli import main, run_demo


def test_demo_converges_with_a_fixed_seed():
    res = run_demo(epochs=5000, seed=0, out=None, verbose=False)
    assert res["mse"] < 0.01
    assert len(res["loss_curve"]) == 5000
    assert res["loss_curve"][-1] < res["loss_curve"][0]
    # The notes' demo network: [1, 8, 5, 3, 1], sigmoid everywhere.
    assert res["network"].sizes == [1, 8, 5, 3, 1]


def test_demo_command_prints_and_writes_a_png(tmp_path, capsys):
    out = tmp_path / "demo.png"
    assert main(["demo", "--epochs", "50", "--seed", "1", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "train MSE" in text and "seconds" in text and str(out) in text
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    mse = float(text.split("train MSE:")[1].split()[0])
    assert np.isfinite(mse)


def test_user_mistakes_exit_2_without_traceback(tmp_path):
    for args in (
        ["demo", "--epochs", "0"],
        ["demo", "--epochs", "many"],
        ["demo", "--seed", "x"],
        [],
        ["nonsense"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "lucidml", *args], capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 2, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "lucidml",
            "demo",
            "--epochs",
            "2",
            "--out",
            str(blocked / "demo.png"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("lucidml: error:")
