"""The gap map's HTML page in a real browser: Debian's Chromium, headless, driven by Playwright.

It loads from file:// with no network, logs no console error, opens a cell onto its studies,
and its filters change what the map shows. A screenshot is saved beside the reports
(``<build>/reports/screenshot.png``) for people to look at.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from atcgraph.engines import OxigraphEngine
from atcgraph.gaps import write_standard_reports
from atcgraph.paths import Paths

from .system import require, unavailable

# Chromium flags for a closed network: no first-run, sync, component or other background requests.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _sync_playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # the `test` extra installs it
        unavailable("playwright is not installed (pip install -e '.[test]')")
    return sync_playwright


@pytest.fixture(scope="module")
def page_file(built: Paths, oxigraph: OxigraphEngine) -> Path:
    write_standard_reports(built, engine=oxigraph)
    return built.reports_dir / "target-x-modality.html"


@pytest.fixture(scope="module")
def browser():
    chromium = require("chromium")
    with _sync_playwright()() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        yield launched
        launched.close()


def _cell(page, target: str, modality: str):
    return page.locator(f'button.cell[data-row="https://w3id.org/atcgraph/data/{target}"]'
                        f'[data-column="https://w3id.org/atcgraph/ontology/{modality}"]')


def test_the_page_opens_offline_and_a_cell_opens_its_studies(browser, page_file: Path, built: Paths) -> None:
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else problems.append(f"request: {r.url}"))
    page.goto(page_file.as_uri())
    page.wait_for_selector("button.cell")

    # Gene delivery section: the NIS gene on GE11 polyplexes (Schmohl 2017 [63]) and NIS mRNA in
    # lipid-peptide nanoparticles (Li Q 2023 [67]).
    _cell(page, "target-nis", "GeneTherapy").click()
    details = page.inner_text("#details")
    assert "NIS (SLC5A5) × gene therapy" in details
    assert "Schmohl KA 2017 [63]" in details and "Li Q 2023 [67]" in details
    assert "in vivo" in details
    page.screenshot(path=str(built.reports_dir / "screenshot.png"), full_page=True)
    assert problems == []


def test_filters_change_what_the_map_shows(browser, page_file: Path) -> None:
    page = browser.new_page()
    page.goto(page_file.as_uri())
    # Differentiation section: ATRA liposomes on FRO and PTC-1 cells [49] and TKI-loaded vesicles in
    # ATC cells [53] are in vitro only; PAX8 is upregulated by the vesicles, so its cell empties.
    pax8 = _cell(page, "target-pax8", "DifferentiationTherapy")
    assert "1 study, 0 in vivo" in pax8.get_attribute("aria-label")
    page.check("#vivo-only")
    assert "0 studies" in pax8.get_attribute("aria-label")
    page.uncheck("#vivo-only")
    # The four DOX studies are all in the chemotherapeutic section: filtered to gene delivery, none is left.
    top2 = _cell(page, "target-top2", "Chemotherapy")
    assert "4 studies" in top2.get_attribute("aria-label")
    page.select_option("#section", "Nanomedicine for gene delivery")
    assert "0 studies" in top2.get_attribute("aria-label")
    assert "section: Nanomedicine for gene delivery" in page.inner_text("#filter-note")


def test_ranked_gaps_and_review_claims_are_on_the_page(browser, page_file: Path) -> None:
    page = browser.new_page()
    page.goto(page_file.as_uri())
    assert page.locator("#gaps tr.pick").count() == 15
    page.locator("#gaps tr.pick").first.click()
    assert "Ranked gap #1" in page.inner_text("#details")
    review = page.inner_text("#review")
    assert "partly contradicted" in review and "Liu Y 2021 [88]" in review
    assert review.count("confirmed") >= 6
