"""The report of a tiny run, rendered offline and opened from files in headless Chromium: every page loads with no
console error and no network request, figures are present, and the feature browser switches features."""
import json, os, re, shutil, sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers import Watched, need_browser, save_screenshot

need_browser()

@pytest.fixture(scope='module')
def report(tiny_run, tmp_path_factory):
    "The newcomer's report when CI made one (MONOSEMANTIC_NEWCOMER_REPORT), else the tiny run's, rendered here."
    if given := os.environ.get('MONOSEMANTIC_NEWCOMER_REPORT'): return Path(given)
    from monosemantic.report import render_report
    run = tmp_path_factory.mktemp('report')/'run'
    shutil.copytree(tiny_run[0], run)
    return render_report(run, progress=False)

def test_report_pages(browser, report, capsys):
    site = report.parent
    pages = sorted(site.glob('*.html'))
    assert {'index.html', 'results.html', '00_data.html', '01_transformer.html', '03_sae.html', '04_analysis.html'} <= {p.name for p in pages}
    for page in pages:
        w = Watched(browser)
        w.page.goto(page.as_uri()); w.page.wait_for_load_state('load')
        assert w.page.locator('nav.ms-side a').count() >= 8, page.name
        text = w.page.locator('main').inner_text()
        assert not re.search(r'(?m)^\s*#\| ?[\w-]+', text), f'{page.name} shows a cell directive'
        assert not re.search(r'\bIn \[\d*\]:', text), f'{page.name} shows an input prompt'
        w.clean()
        w.page.close()
    w = Watched(browser)
    w.page.goto((site/'index.html').as_uri())
    assert 'os.environ.get' not in w.page.locator('main').inner_text(), 'the index shows the code of a hidden cell'
    w.page.goto((site/'01_transformer.html').as_uri())
    assert w.page.locator('img').count() >= 1  # the loss curve
    w.page.goto((site/'results.html').as_uri())
    assert w.page.locator('table tr').count() >= 9
    m = json.loads((site.parent/'metrics.json').read_text())   # the page shows this run's figures, not a template's
    assert f"{100 * m['loss_recovered']:.1f}%" in w.page.locator('main').inner_text()
    save_screenshot(w.page, site/'results.png', capsys)
    w.clean()

def test_report_feature_browser(browser, report):
    index = report.parent/'features'/'index.html'
    w = Watched(browser); page = w.page
    page.goto(index.as_uri() + '#feature=0'); page.wait_for_load_state('load')
    first = page.locator('#feature-title').inner_text()
    page.goto(index.as_uri() + '#feature=1'); page.wait_for_timeout(300)
    assert page.locator('#feature-title').inner_text() != first
    w.clean()
