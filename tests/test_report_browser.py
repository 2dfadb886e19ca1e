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

def test_report_feature_browser(browser, report, capsys):
    "The browser is a page of the report: reached from the results page, with its sidebar and style, the gallery first."
    site, summary = report.parent, json.loads((report.parents[1]/'analysis'/'summary.json').read_text())
    assert (site/'features'/'style.css').read_text() == (site/'style.css').read_text()
    w = Watched(browser); page = w.page
    page.goto((site/'results.html').as_uri())
    page.click('main a[href="features/index.html"]'); page.wait_for_selector('text=A feature for each concept')
    assert page.locator('nav.ms-side a').count() >= 8 and page.locator('nav.ms-side a.current').inner_text() == 'Features found'
    concepts = [r.locator('td').first.inner_text() for r in page.locator('main table').first.locator('tr').all()[1:]]
    assert concepts == [r['concept'] for r in summary['detectors'] if r['feature_f1'] > 0]   # the tiny corpus: none
    assert page.evaluate('MS_META.labels.every(l => l.length > 0)'), 'every feature has a label'
    save_screenshot(page, site/'feature_gallery.png', capsys, full_page=False)
    page.goto((site/'features'/'index.html').as_uri() + '#index'); page.wait_for_selector('text=sorted by density')
    assert '\ufffd' not in page.locator('main').inner_text()   # the tiny corpus has none: no index row or label shows one
    page.goto((site/'features'/'index.html').as_uri() + '#feature=0'); page.wait_for_load_state('load')
    first = page.locator('#feature-title').inner_text()
    page.goto((site/'features'/'index.html').as_uri() + '#feature=1'); page.wait_for_timeout(300)
    assert page.locator('#feature-title').inner_text() != first and page.locator('#feature-label').inner_text()
    page.click('nav.ms-side >> text=Results'); page.wait_for_selector('text=Against the paper and the seed')   # back to the report
    w.clean()
