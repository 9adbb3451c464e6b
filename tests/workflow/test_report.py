"""The run report: structure, escaping, self-containment and plots, read back by a parser."""

from __future__ import annotations

import base64
import html
import io
import json
import re
from html.parser import HTMLParser

import matplotlib.image as mpimg
import numpy as np
import pytest

from lucidml.workflow.report import render_report
from tests.workflow._report_metrics import (
    HOSTILE,
    classification_metrics,
    clustering_metrics,
    expected_images,
    regression_metrics,
)

STEPS = ["frame", "data", "features", "train", "diagnose", "fuse", "deploy"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class _Page(HTMLParser):
    """Collects tags, attributes and the text of every <section> by id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.sections: dict[str, list[str]] = {}
        self.order: list[str] = []
        self._stack: list[str] = []
        self.h2: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "section":
            self._stack.append(attrs.get("id", ""))
            self.order.append(attrs.get("id", ""))
            self.sections[attrs.get("id", "")] = []
        if tag == "h2":
            self._in_h2 = True
            self.h2.append("")

    def handle_endtag(self, tag):
        if tag == "section" and self._stack:
            self._stack.pop()
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if self._stack:
            self.sections[self._stack[-1]].append(data)
        if self._in_h2:
            self.h2[-1] += data

    def text(self, section: str) -> str:
        return " ".join(" ".join(self.sections[section]).split())


def _parse(page: str) -> _Page:
    p = _Page()
    p.feed(page)
    p.close()
    return p


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return {
        "classification": render_report(classification_metrics()),
        "regression": render_report(regression_metrics()),
        "clustering": render_report(clustering_metrics()),
    }


def test_summary_first_then_the_seven_steps_in_order(pages):
    p = _parse(pages["classification"])
    assert p.order[: 1 + len(STEPS)] == ["summary"] + [f"step-{s}" for s in STEPS]
    assert p.h2[:8] == [
        "Summary",
        "1. Frame the problem",
        "2. Get and check the data",
        "3. Features",
        "4. Train and tune",
        "5. Diagnose",
        "6. Fuse",
        "7. Deploy",
    ]


def test_summary_states_task_metric_model_score_interval_and_verdicts(pages):
    m = classification_metrics()
    text = _parse(pages["classification"]).text("summary")
    assert "classification" in text and "accuracy" in text
    assert "Final model RandomForestClassifier" in text
    assert "0.81 (95% bootstrap interval 0.77 – 0.85)" in text
    for v in m["verdicts"]:
        assert v["text"] in text  # '->' survives escaping and unescaping intact
    assert "high variance" in text and "good fit" in text


def test_hostile_strings_are_escaped(pages):
    for name in ("classification", "regression"):
        page = pages[name]
        assert HOSTILE not in page
        assert "<script" not in page.lower()
        assert html.escape(HOSTILE) in page
        p = _parse(page)
        assert not any(tag == "script" for tag, _ in p.tags)
        # the name reaches the reader as text, in the data checks and the feature table
        assert HOSTILE in p.text("step-data")
        assert HOSTILE in p.text("step-features")
        assert HOSTILE in p.text("step-diagnose")


def test_hostile_strings_in_every_text_field_stay_text():
    m = classification_metrics()
    m["final_model"] = HOSTILE
    m["frame"]["target"] = '"><img src=x onerror=alert(1)>'
    m["frame"]["rule"] = HOSTILE
    m["errors"]["confusion_matrix"]["labels"] = [HOSTILE, "b", "c"]
    m["fusion"]["decision"] = HOSTILE
    page = render_report(m)
    assert "<script" not in page.lower()
    p = _parse(page)
    assert not any(tag == "script" for tag, _ in p.tags)
    assert all(
        a.get("src", "").startswith("data:image/png;base64,") for t, a in p.tags if t == "img"
    )
    assert not any("onerror" in a for _, a in p.tags)


def test_self_contained_no_external_urls(pages):
    for page in pages.values():
        assert "http://" not in page and "https://" not in page
        p = _parse(page)
        for tag, attrs in p.tags:
            for key in ("src", "href"):
                if key in attrs:
                    value = attrs[key]
                    assert value.startswith(("#", "data:")), (tag, key, value[:40])
            assert tag not in ("script", "iframe", "object", "embed")
        assert not re.search(r"@import|url\(", page)


def _images(page: str) -> list[bytes]:
    p = _parse(page)
    out = []
    for tag, attrs in p.tags:
        if tag == "img":
            prefix = "data:image/png;base64,"
            assert attrs["src"].startswith(prefix)
            out.append(base64.b64decode(attrs["src"][len(prefix) :], validate=True))
    return out


@pytest.mark.parametrize(
    "name, make",
    [
        ("classification", classification_metrics),
        ("regression", regression_metrics),
        ("clustering", clustering_metrics),
    ],
)
def test_every_plot_is_a_valid_png_and_the_count_matches_the_metrics(pages, name, make):
    images = _images(pages[name])
    assert len(images) == expected_images(make()) > 0
    for data in images:
        assert data[:8] == PNG_SIGNATURE
        arr = mpimg.imread(io.BytesIO(data), format="png")
        assert arr.ndim == 3 and arr.shape[0] > 100 and arr.shape[1] > 100
        # a drawn plot, not a blank canvas: a good share of pixels differ from white
        assert np.mean(arr[..., :3].min(axis=-1) < 0.9) > 0.005


def test_learning_curve_plot_draws_both_curves():
    """The learning-curve image holds the train (blue) and CV (orange) colours."""
    m = {
        "metric": "accuracy",
        "diagnose": {"models": [classification_metrics()["diagnose"]["models"][0]]},
    }
    m["diagnose"]["models"][0].pop("validation_curve")
    (data,) = _images(render_report(m))
    rgb = mpimg.imread(io.BytesIO(data), format="png")[..., :3]
    blue = np.array([0x1F, 0x6F, 0xB2]) / 255
    orange = np.array([0xD9, 0x73, 0x0D]) / 255
    for colour in (blue, orange):
        assert np.sum(np.all(np.abs(rgb - colour) < 0.03, axis=-1)) > 50


def test_missing_sections_show_not_run():
    p = _parse(render_report({}))
    assert p.h2[0] == "Summary"
    for step in STEPS:
        assert "not run" in p.text(f"step-{step}"), step
    page = render_report({"task": "regression", "metric": "r2", "frame": None, "train": {}})
    p = _parse(page)
    assert "not run" in p.text("step-frame") and "not run" in p.text("step-train")
    page = render_report({"fusion": {"skipped": "only one model family"}})
    assert "not run (only one model family)" in _parse(page).text("step-fuse")


def test_partial_run_renders_what_is_there():
    m = classification_metrics()
    del m["fusion"], m["deploy"], m["bootstrap"]
    m["frame"]["mystery_figure"] = 12345.678
    m["data"]["extra"] = {"nested": [{"a": 1, "b": "two"}]}
    p = _parse(render_report(m))
    assert "not run" in p.text("step-fuse") and "not run" in p.text("step-deploy")
    assert "mystery_figure" in p.text("step-frame") and "12,346" in p.text("step-frame")
    assert "nested" in p.text("step-data") and "two" in p.text("step-data")
    assert "not run" not in p.text("step-features")
    assert "0.81" in p.text("summary") and "bootstrap interval" not in p.text("summary")


def test_malformed_plot_data_yields_no_image_and_no_error():
    m = classification_metrics()
    lc = m["diagnose"]["models"][0]["learning_curve"]
    lc["cv_mean"] = lc["cv_mean"][:2]  # lengths disagree
    m["diagnose"]["models"][1]["validation_curve"] = "oops"
    m["errors"]["confusion_matrix"]["matrix"] = [[1, 2], [3]]
    m["train"]["leaderboard"] = [{"name": "x", "cv_score": None}]
    images = _images(render_report(m))
    assert len(images) == expected_images(classification_metrics()) - 4


def test_tables_hold_the_figures(pages):
    p = _parse(pages["classification"])
    feats = p.text("step-features")
    # the feature table row for bill_length_mm, in the contract's column order
    assert "pearson_r chi2 chi2_p mutual_info conditional_entropy lr_weight kept" in feats
    assert "bill_length_mm numeric 0.73 50.1 1.00e-09 0.61 0.9 1.2 yes" in feats
    train = p.text("step-train")
    assert "RandomForestClassifier forest max_depth=— 0.81 0.03 1.2 10" in train
    diag = p.text("step-diagnose")
    assert "Adelie 140 8 4" in diag and "Gentoo 2 1 121" in diag
    deploy = p.text("step-deploy")
    assert "p50 0.73 ms, p95 0.83 ms" in deploy and "726,000" in deploy


def test_regression_report_has_residuals_not_confusion(pages):
    p = _parse(pages["regression"])
    diag = p.text("step-diagnose")
    assert "Residuals" in diag and "Confusion matrix" not in diag
    assert "0.62 (95% bootstrap interval 0.55 – 0.68)" in p.text("summary")


def test_clustering_report_shows_the_choice_of_k(pages):
    p = _parse(pages["clustering"])
    train = p.text("step-train")
    assert "k = 3 has the highest mean silhouette (0.55)" in train and "Chosen k 3" in train
    assert "not run (clustering has no target to score against)" in p.text("step-diagnose")
    assert "not run" in p.text("step-fuse")
    assert f"cluster size a {HOSTILE} (mode) 0 100 1.5 x 1 120 -0.25 y" in train


def test_render_is_deterministic_and_reads_json_round_trip(pages):
    m = json.loads(json.dumps(classification_metrics()))
    assert render_report(m) == pages["classification"]


def test_rejects_non_dict():
    with pytest.raises(TypeError, match="metrics dict"):
        render_report([("task", "classification")])


def test_accepts_the_confusion_alias_and_lists_flagged_slices():
    m = classification_metrics()
    m["errors"]["confusion"] = m["errors"].pop("confusion_matrix")
    m["errors"]["flagged"] = [dict(m["errors"]["slices"][0], sentence=f"{HOSTILE} = x: 0.4")]
    m["errors"]["rule"] = "flag a slice when its error rate is 1.5 times the overall"
    page = render_report(m)
    assert len(_images(page)) == expected_images(classification_metrics())
    diag = _parse(page).text("step-diagnose")
    assert "Adelie 140 8 4" in diag
    assert f"Where errors concentrate {HOSTILE} = x: 0.4" in diag
    assert "1.5 times the overall" in diag


def test_warnings_raised_by_models_are_listed_escaped():
    metrics = classification_metrics()
    metrics["warnings_raised"] = [
        {"category": "ConvergenceWarning", "message": "max_iter <reached>", "count": 3}
    ]
    html = render_report(metrics)
    assert "Warnings raised by models" in html
    assert "max_iter &lt;reached&gt;" in html and "<reached>" not in html
