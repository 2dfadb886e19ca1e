"""The feature-browser site and a saved widget page, opened from files in a real headless Chromium (Playwright).

Needs Debian's `chromium` (apt-get install -y chromium) and the pip package `playwright`; never `playwright install`.
"""
import json, shutil, sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fake_analysis import HOSTILE, write_fake_analysis
from helpers import Watched, need_browser, save_screenshot

need_browser()

N_FEATURES = 12

@pytest.fixture(scope='module')
def fake(tmp_path_factory):
    return write_fake_analysis(tmp_path_factory.mktemp('viewer'), n_features=N_FEATURES)

@pytest.fixture(scope='module')
def site(fake):
    import numpy as np
    from monosemantic.viewer import write_feature_site
    rng = np.random.default_rng(0)
    dec = rng.normal(size=(N_FEATURES, 8))
    return write_feature_site(*fake, fake[0].parent/'site', decoder=dec, others=[('F=40', rng.normal(size=(40, 8)))], chunk=5)

def title(page): return page.locator('#feature-title').inner_text()

def site_data(site, name):
    "A data file of the site as Python: `window.MS_X=...;` or `MS_CHUNK(c,...);`."
    text = (site.parent/'data'/name).read_text()
    return json.loads(text.split('=', 1)[1].rstrip().rstrip(';') if text.startswith('window.') else text[text.index(',') + 1:-3])

def test_site(browser, site, fake, capsys):
    labels, gallery = site_data(site, 'meta.js')['labels'], site_data(site, 'meta.js')['gallery']
    w = Watched(browser); page = w.page
    page.goto(site.as_uri())   # the gallery first
    page.wait_for_selector('text=A feature for each concept')
    assert page.title() == 'Features found' and gallery['concepts'] and gallery['readable']
    text = page.locator('main').inner_text()
    assert '\ufffd' not in text
    shown = [int(a.inner_text().split()[1]) for a in page.locator('main table a').all()]
    assert {c['unit'] for c in gallery['concepts']} | set(gallery['readable']) <= set(shown)
    assert all(labels[i] in text for i in shown), 'every listed feature with its label'
    save_screenshot(page, fake[0].parent/'feature_gallery.png', capsys)

    page.click('.ms-bar >> text=All features'); page.wait_for_selector('text=sorted by density')
    rows = page.locator('main table tr')
    assert rows.count() == 1 + N_FEATURES - 1   # header + every feature but the dead one
    cells = [[c.inner_text() for c in rows.nth(j).locator('td').all()] for j in range(1, rows.count())]
    assert all(c[1] == labels[int(c[0].split()[1])] for c in cells) and '\ufffd' not in page.locator('main').inner_text()
    page.click('main th a:has-text("F1")'); page.wait_for_selector('text=sorted by explanation score')
    f1 = [float(rows.nth(j).locator('td').nth(3).inner_text().replace('–', '-1')) for j in range(1, rows.count())]
    assert f1 == sorted(f1, reverse=True)
    concept = cells[0][4]
    page.select_option('#concept', concept)   # the index filtered by concept
    assert 0 < rows.count() - 1 <= N_FEATURES and all(rows.nth(j).locator('td').nth(4).inner_text() == concept for j in range(1, rows.count()))
    page.select_option('#concept', '')
    word = next(l.split()[0] for l in labels[:-1] if [m.split()[0] for m in labels].count(l.split()[0]) < N_FEATURES - 1)
    page.fill('#find', word.replace('·', ' '))   # and by a token: a space typed is the · shown
    assert 0 < rows.count() - 1 < N_FEATURES - 1 and all(word.lower() in rows.nth(j).inner_text().lower() for j in range(1, rows.count()))
    page.fill('#find', '')
    assert rows.count() == N_FEATURES
    page.locator('main table a').nth(5).click()
    assert title(page).startswith('Feature ')
    page.goto(site.as_uri() + '#feature=3'); page.wait_for_function("document.title === 'Feature 3'")
    before = page.locator('main').inner_text()
    page.goto(site.as_uri() + '#feature=7'); page.wait_for_function("document.title === 'Feature 7'")   # another chunk
    assert title(page) == 'Feature 7' and page.locator('main').inner_text() != before
    page.locator('main a', has_text='Feature 6').first.click(); page.wait_for_function("document.title === 'Feature 6'")
    page.fill('#go-n', '4'); page.press('#go-n', 'Enter'); page.wait_for_function("document.title === 'Feature 4'")
    assert page.url.endswith('#feature=4') and page.locator('#feature-label').inner_text() == labels[4]
    near = page.locator('main').inner_text()
    assert 'F=40' in near and 'this dictionary' in near   # neighbours here, labelled, and in the other dictionary
    own = site_data(site, 'chunk_0000.js')[4]['neighbours'][0]['ids']
    assert all(labels[j] in near for j in own)
    for i in range(N_FEATURES):   # the fake text's Georgian and Cyrillic: whole characters, never '�'
        page.goto(site.as_uri() + f'#feature={i}'); page.wait_for_function(f"document.title === 'Feature {i}'")
        assert '\ufffd' not in page.locator('main').inner_text(), i
    assert 'Dead' in page.locator('main').inner_text()
    page.goto(site.as_uri() + '#feature=999'); page.wait_for_selector('text=No feature 999')
    page.goto(site.as_uri() + '#sort=mass'); page.wait_for_selector('text=sorted by activation mass')

    page.goto(site.as_uri() + '#feature=0'); page.wait_for_function("document.title === 'Feature 0'")
    text = page.locator('main').inner_text()
    assert '<script>' in text and '<img' in text, 'the hostile text shows as text'
    assert page.locator('main img, main script').count() == 0
    assert page.evaluate('typeof window.alert') == 'function' and w.dialogs == []
    save_screenshot(page, fake[0].parent/'feature_site.png', capsys)
    w.clean()

def test_hostile_label(browser, site, tmp_path):
    "A label is text wherever it shows: gallery, index, feature page, neighbours."
    hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>'
    copy = tmp_path/'site'; shutil.copytree(site.parent, copy)
    meta, chunk = site_data(copy/'index.html', 'meta.js'), site_data(copy/'index.html', 'chunk_0000.js')
    meta['labels'] = [hostile] * len(meta['labels']); chunk[0]['label'] = hostile
    (copy/'data'/'meta.js').write_text(f'window.MS_META={json.dumps(meta)};\n')
    (copy/'data'/'chunk_0000.js').write_text(f'MS_CHUNK(0,{json.dumps(chunk)});\n')
    w = Watched(browser); page = w.page
    for hash_, ready in (('', 'text=A feature for each concept'), ('#index', 'text=sorted by density'), ('#feature=0', '#feature-label')):
        page.goto((copy/'index.html').as_uri() + hash_); page.wait_for_selector(ready)
        assert hostile in page.locator('main').inner_text() and page.locator('main img, main script').count() == 0
    assert w.dialogs == []
    w.clean()

def test_widget_page(browser, fake, capsys):
    "The widget's saved state renders without a kernel or network, the hostile text as text."
    from monosemantic.artifacts import ArtifactError
    from monosemantic.viewer import FeatureViewer, save_widget_html
    v = FeatureViewer(*fake)
    try: path = save_widget_html(v, fake[0].parent/'widget'/'index.html')
    except ArtifactError as e: pytest.skip(f'the html-manager bundle could not be fetched with npm: {e}')
    w = Watched(browser); page = w.page
    page.goto(path.as_uri())
    page.wait_for_selector('.ms-unit')
    text = page.locator('.ms-unit').inner_text()
    assert 'Feature 0' in text and '<script>' in text and '<img' in text
    assert page.locator('.ms-unit img, .ms-unit script').count() == 0
    save_screenshot(page, path.parent/'widget.png', capsys)
    w.clean()

def test_report_page(browser, tiny_run, tmp_path, capsys):
    "The viewer chapter as the report renders it against a run: the viewers show from the widget state saved in the page."
    from monosemantic.artifacts import ArtifactError, fetch_npm_file
    from monosemantic.report import PAGE_SCRIPTS, STYLE, chapter_page, html_exporter
    try:
        for name, spec in PAGE_SCRIPTS.items(): shutil.copy(fetch_npm_file(*spec), tmp_path/name)
    except ArtifactError as e: pytest.skip(f'the page scripts could not be fetched with npm: {e}')
    (tmp_path/'style.css').write_text(STYLE)
    nbs = Path(__file__).parents[1]/'nbs'
    nb = chapter_page(nbs/'05_viewer.ipynb', tiny_run[0])
    body, _ = html_exporter(tmp_path/'.templates').from_notebook_node(nb, resources={'nav': '', 'metadata': {'name': 'Viewer', 'path': str(nbs)}})
    (tmp_path/'05_viewer.html').write_text(body)
    w = Watched(browser); page = w.page
    page.goto((tmp_path/'05_viewer.html').as_uri())
    page.wait_for_selector('.ms-unit')
    views = page.locator('.ms-unit')
    assert views.count() == 2   # the feature viewer and the text viewer
    assert 'Feature ' in views.nth(0).inner_text() and 'cat' in views.nth(1).inner_text()
    assert page.locator('.ms-unit img, .ms-unit script').count() == 0
    views.nth(0).scroll_into_view_if_needed()
    save_screenshot(page, tmp_path/'report_viewer.png', capsys, full_page=False)
    w.clean()
