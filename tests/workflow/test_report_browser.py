"""The run report opened in headless Chromium: it renders, every image loads, no console errors.

Needs Debian's ``chromium`` and ``chromedriver`` and the ``selenium`` package (the test extra);
skipped with the reason when one is missing. ``.ci/run`` installs them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lucidml.workflow.report import render_report
from tests.workflow._report_metrics import (
    HOSTILE,
    classification_metrics,
    clustering_metrics,
    expected_images,
    regression_metrics,
)


def _find(*names: str) -> str | None:
    for name in names:
        path = shutil.which(name) or (name if Path(name).is_file() else None)
        if path:
            return path
    return None


CHROMIUM = _find("/usr/bin/chromium", "chromium", "chromium-browser")
CHROMEDRIVER = _find("/usr/bin/chromedriver", "chromedriver")


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    if CHROMEDRIVER is None:
        pytest.skip("chromedriver is not installed (apt-get install chromium-driver)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-extensions",
        "--no-first-run",
        "--disable-sync",
        "--window-size=1200,900",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    drv.set_page_load_timeout(20)
    yield drv
    drv.quit()


@pytest.mark.parametrize(
    "make",
    [classification_metrics, regression_metrics, clustering_metrics],
    ids=lambda f: f.__name__,
)
def test_report_renders_in_chromium(driver, tmp_path, make):
    from selenium.webdriver.common.by import By

    metrics = make()
    page = tmp_path / "report.html"
    page.write_text(render_report(metrics), encoding="utf-8")
    driver.get_log("browser")  # drop whatever an earlier page logged
    driver.get(page.as_uri())

    heading = driver.find_element(By.CSS_SELECTOR, "section#summary h2")
    assert heading.text == "Summary"
    steps = driver.find_elements(By.CSS_SELECTOR, "section[id^='step-'] > h2")
    assert [s.text.split(". ", 1)[0] for s in steps] == [str(i) for i in range(1, 8)]

    images = driver.execute_script(
        "return Array.from(document.images).map("
        "i => [i.complete, i.naturalWidth, i.naturalHeight, i.getBoundingClientRect().width]);"
    )
    assert len(images) == expected_images(metrics)
    for complete, width, height, shown in images:
        assert complete and width > 0 and height > 0 and shown > 0

    # the hostile column name is text on the page, never markup: no script element exists
    assert driver.execute_script("return document.scripts.length;") == 0
    if make is classification_metrics:
        body = driver.find_element(By.TAG_NAME, "body").text
        assert HOSTILE in body

    severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert severe == []


def test_a_real_run_report_renders_in_chromium(driver, tmp_path):
    """The report of an actual `lucidml run` (penguins, small budget), not a hand-made dict."""
    from selenium.webdriver.common.by import By

    from lucidml.datasets import penguins_path
    from lucidml.workflow._run import run_project

    metrics = run_project(penguins_path(), target="species", seed=1, trials=5, out=tmp_path / "r")
    driver.get_log("browser")
    driver.get((tmp_path / "r" / "report.html").as_uri())
    assert driver.find_element(By.CSS_SELECTOR, "section#summary h2").text == "Summary"
    body = driver.find_element(By.TAG_NAME, "body").text
    assert metrics["final_model"] in body
    images = driver.execute_script(
        "return Array.from(document.images).map(i => [i.complete, i.naturalWidth]);"
    )
    # leaderboard, two curves per diagnosed model, confusion matrix at least
    assert len(images) >= 4
    assert all(complete and width > 0 for complete, width in images)
    assert [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"] == []
