"""The chapters as a reader runs them in JupyterLab: a Lab server on 127.0.0.1 started here, headless Chromium opens the
viewer chapter, runs all its cells against a tiny run (`MONOSEMANTIC_RUN`), and finds no error output and the viewer
widgets rendered and live (a feature picked in the page comes back from the kernel). Offline: the page may load nothing
but the server's own addresses. Run All waits for the kernel the server started for the chapter: clicked before it,
while the page's indicator already reads 'idle', it was lost and the cells never ran. About 20 s, with the tiny run the
suite shares (`tiny_run`).

Needs Debian's `chromium`, the pip packages `playwright` and `jupyterlab` (the dev extras); never `playwright install`.
"""
import json, os, shutil, socket, subprocess, sys, time, urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers import Watched, need_browser, save_screenshot

need_browser()
pytest.importorskip('jupyterlab', reason='jupyterlab is missing: pip install -e ".[dev]"')
from playwright.sync_api import expect

CHAPTER = '05_viewer.ipynb'

def _free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

@contextmanager
def lab_server(d, run_dir):
    "A JupyterLab server on a copy of the chapters in `d`, its kernels reading `run_dir`: (its address, token, chapters)."
    for part in ('nbs', 'tests'):   # a copy (Lab saves into it), with the tests some chapters import from
        shutil.copytree(Path(__file__).parents[1]/part, d/part)
    for plugin, value in (('notebook-extension/tracker', {'windowingMode': 'none'}),   # every cell in the page (Lab 4
                                                                                         # renders only those in view)
                          ('apputils-extension/notification', {'fetchNews': 'false'})):  # no question about news
        (d/'settings'/'@jupyterlab'/f'{plugin}.jupyterlab-settings').parent.mkdir(parents=True, exist_ok=True)
        (d/'settings'/'@jupyterlab'/f'{plugin}.jupyterlab-settings').write_text(json.dumps(value))
    port, token = _free_port(), os.urandom(16).hex()
    env = {**os.environ, 'MONOSEMANTIC_RUN': str(run_dir), 'JUPYTERLAB_SETTINGS_DIR': str(d/'settings'),
           'JUPYTERLAB_WORKSPACES_DIR': str(d/'workspaces'), 'JUPYTER_RUNTIME_DIR': str(d/'runtime'),
           'JUPYTER_CONFIG_DIR': str(d/'config')}   # no user configuration
    with open(d/'lab.log', 'w') as log:
        server = subprocess.Popen([sys.executable, '-m', 'jupyterlab', '--no-browser', '--ip=127.0.0.1', f'--port={port}',
                                   f'--IdentityProvider.token={token}', '--allow-root', f'--ServerApp.root_dir={d/"nbs"}',
                                   '--LabApp.news_url=', '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'],
                                  env=env, stdout=log, stderr=subprocess.STDOUT)
        base, end = f'http://127.0.0.1:{port}', time.time() + 60   # up to a minute to start
        try:
            while True:
                if server.poll() is not None or time.time() > end:
                    pytest.fail(f'JupyterLab did not start: {(d/"lab.log").read_text()[-2000:]}')
                try: urllib.request.urlopen(f'{base}/api/status?token={token}', timeout=2); break
                except OSError: time.sleep(0.1)
            yield base, token, d/'nbs'
        finally: _stop(server, base, token)

def _stop(server, base, token):
    "Shut the kernels down (they run in sessions of their own) and stop the server; kill it if it will not stop."
    try:
        with urllib.request.urlopen(f'{base}/api/kernels?token={token}', timeout=5) as r: kernels = json.load(r)
        for k in kernels:
            urllib.request.urlopen(urllib.request.Request(f"{base}/api/kernels/{k['id']}?token={token}", method='DELETE'),
                                   timeout=15)
    except OSError: pass   # a server that died or hangs: the kernels go with it below, or are reported in lab.log
    server.terminate()
    try: server.wait(timeout=30)
    except subprocess.TimeoutExpired: server.kill(); server.wait(timeout=30)

def _wait_for_kernel(page, base, token, timeout=90):
    """Until the notebook's kernel has started and is idle (the server's sessions). The page's own execution indicator reads
    'idle' before its kernel exists (then 'initializing' for the seconds a kernel takes to start): Run All clicked then
    is lost, and the cells never run. It waits in the page (Playwright serves the page's routed requests only then)."""
    end = time.time() + timeout
    while time.time() < end:
        with urllib.request.urlopen(f'{base}/api/sessions?token={token}', timeout=5) as r: sessions = json.load(r)
        if any(s['kernel'] and s['kernel']['execution_state'] == 'idle' and s['kernel']['connections'] for s in sessions
               if s['path'].endswith(CHAPTER)): return
        page.wait_for_timeout(500)
    pytest.fail(f'the kernel of {CHAPTER} did not start in {timeout} s: {sessions}')

@pytest.fixture(scope='module')
def lab(tiny_run, tmp_path_factory):
    with lab_server(tmp_path_factory.mktemp('lab'), tiny_run[0]) as it: yield it

def test_run_all_in_lab(browser, lab, capsys):
    base, token, nbs = lab
    nb = json.loads((nbs/CHAPTER).read_text())   # its stored outputs gone: what the page shows after Run All, it ran
    for c in nb['cells']:
        if c['cell_type'] == 'code': c['execution_count'], c['outputs'] = None, []
    (nbs/CHAPTER).write_text(json.dumps(nb, indent=1))
    w = Watched(browser, allow=(base,)); page = w.page
    page.set_default_timeout(60_000)
    page.goto(f'{base}/lab/tree/{CHAPTER}?token={token}')
    page.wait_for_selector('.jp-Notebook .jp-Cell', timeout=60_000)
    _wait_for_kernel(page, base, token)
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=60_000)
    page.locator('.jp-StatusBar-TextItem', has_text='| Idle').first.wait_for(timeout=60_000)   # the page is connected
    assert page.locator('.jp-Dialog').count() == 0, page.locator('.jp-Dialog').all_inner_texts()   # no 'Select Kernel'
    page.locator('.lm-MenuBar-itemLabel', has_text='Run').first.click()
    page.locator('.lm-Menu-itemLabel', has_text='Run All Cells').first.click()
    prompts = "[...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent)"
    page.wait_for_function(f"{prompts}.some(t => /\\d/.test(t)) && !{prompts}.some(t => t.includes('*'))",
                           timeout=180_000)   # run (no numbers before) and done, or stopped by an error
    page.keyboard.press('Control+s'); page.wait_for_selector('.jp-mod-dirty', state='detached', timeout=30_000)
    cells = json.loads((nbs/CHAPTER).read_text())['cells']
    errors = [o for c in cells for o in c.get('outputs', []) if o['output_type'] == 'error'
              or o.get('name') == 'stderr']   # a traceback, or a warning a reader would see
    assert errors == [], [f"{e['ename']}: {e['evalue']}" if 'ename' in e else ''.join(e['text'])[:500] for e in errors]
    assert all(c['execution_count'] for c in cells if c['cell_type'] == 'code' and c['source']), 'a cell did not run'
    run_cell = page.locator('.jp-CodeCell', has_text='run_viewer = FeatureViewer')   # the viewers on the tiny run
    out = run_cell.locator('.jp-OutputArea')
    assert 'Error displaying widget' not in page.locator('.jp-Notebook').inner_text()
    out.locator('.ms-unit').nth(1).wait_for(timeout=30_000)   # the feature viewer's page and the text viewer's
    number = out.locator('.widget-inline-hbox input[type="number"]').first   # the feature viewer's number box
    heading = out.locator('.ms-unit h3').first
    first = heading.inner_text(); assert first.startswith('Feature '), first
    other = (int(number.input_value()) + 1) % int(number.get_attribute('max') or 1)
    number.fill(str(other)); number.press('Enter')   # through the kernel and back: the widgets are live
    expect(heading).to_contain_text(f'Feature {other}', timeout=30_000)
    assert out.locator('textarea').count() == 1   # the text viewer's box
    out.scroll_into_view_if_needed()
    save_screenshot(page, nbs.parent/'lab.png', capsys, full_page=False)
    w.clean()
