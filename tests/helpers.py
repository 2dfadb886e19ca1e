"""Helpers the tests share (a plain module: `from helpers import ...`): the headless browser, run fingerprints, the CLI."""
import hashlib, json, os, re, subprocess, sys
from pathlib import Path

import pytest
import torch

from monosemantic.artifacts import load_torch, read_json

CHROMIUM = os.environ.get('MONOSEMANTIC_CHROMIUM', '/usr/bin/chromium')
ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--no-first-run']

def need_browser():
    "Skip the calling test module unless Chromium and Playwright are installed."
    if not Path(CHROMIUM).exists():
        pytest.skip(f'{CHROMIUM} is missing: apt-get update && apt-get install -y chromium', allow_module_level=True)
    pytest.importorskip('playwright.sync_api', reason='playwright is missing: pip install playwright (Chromium comes from apt)')

class Watched:
    "A page that records console errors, page errors, dialogs and any request that is not a local file (or `allow`)."
    def __init__(self, browser, allow=()):   # allow: address prefixes that are local too (a server on 127.0.0.1)
        self.page = browser.new_page(viewport={'width': 1100, 'height': 900})
        self.errors, self.dialogs, self.external = [], [], []
        self.page.on('console', lambda m: m.type == 'error' and self.errors.append(m.text))
        self.page.on('pageerror', lambda e: self.errors.append(str(e)))
        self.page.on('dialog', lambda d: (self.dialogs.append(d.message), d.dismiss()))
        def route(r):
            if r.request.url.startswith(('file:', 'data:', *allow)): r.continue_()
            else: self.external.append(r.request.url); r.abort()
        self.page.route('**/*', route)

    def clean(self):
        assert self.errors == [] and self.dialogs == [] and self.external == [], (self.errors, self.dialogs, self.external)

def save_screenshot(page, path, capsys, full_page=True):
    "Save a full-page screenshot (also into $MONOSEMANTIC_SCREENSHOTS if set) and print where, past pytest's capture."
    path = Path(os.environ.get('MONOSEMANTIC_SCREENSHOTS', path.parent))/path.name
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    with capsys.disabled(): print(f'\nscreenshot: {path}')


TIMING_KEYS = ('timing', 'seconds', 'elapsed_s', 'tok_s', 'samples_per_s')   # wall-clock figures: they differ between runs
_WALL_TIME = re.compile(r'\d+(?:\.\d+)? (?:min|minutes|s)\b')            # in the report's pages (index, results)

def fingerprint(run_dir):
    "What must be identical between runs: every artifact's bytes, metric logs and report pages, wall times aside."
    run_dir = Path(run_dir)
    out = {}
    for p in sorted(run_dir.rglob('*')):
        rel = p.relative_to(run_dir).as_posix()
        hidden = any(q.startswith('.') for q in p.relative_to(run_dir).parts)   # the lock, temporaries and what is in them
        if not p.is_file() or hidden or p.suffix == '.png' or rel in ('stages.json', 'metrics.json'):
            continue
        if p.suffix == '.json':
            d = json.loads(p.read_text()); [d.pop(k, None) for k in TIMING_KEYS]
            out[rel] = hashlib.sha256(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()
        elif p.suffix == '.jsonl':   # every line, in order: a resumed run must have dropped what it logged after its checkpoint
            rows = [{k: v for k, v in json.loads(l).items() if k not in TIMING_KEYS} for l in p.read_text().splitlines()]
            out[rel] = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()
        elif p.suffix == '.html': out[rel] = hashlib.sha256(_WALL_TIME.sub('T', p.read_text()).encode()).hexdigest()
        elif p.suffix == '.pt': out[rel] = _state_hash(load_torch(p))
        elif p.suffix == '.safetensors':  # its header is a hash map: key order varies between processes
            from safetensors import safe_open
            with safe_open(p, 'pt') as f: out[rel] = _state_hash({'meta': sorted(f.metadata().items()), **{k: f.get_tensor(k) for k in f.keys()}})
        else: out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    m = read_json(run_dir/'metrics.json'); m.pop('stage_seconds')
    out['metrics'] = json.dumps(m, sort_keys=True)
    return out

def _state_hash(obj):  # checkpoints: tensor contents, not pickle bytes
    h = hashlib.sha256()
    def walk(o):
        if isinstance(o, torch.Tensor): h.update(o.detach().cpu().contiguous().view(-1).view(torch.uint8).numpy().tobytes() if o.numel() else b'')
        elif isinstance(o, dict): [walk(o[k]) for k in sorted(o, key=str)]
        elif isinstance(o, (list, tuple)): [walk(x) for x in o]
        else: h.update(repr(o).encode())
    walk(obj)
    return h.hexdigest()

# The tiny run that the fault and report tests share: `monosemantic run --preset tiny --no-report`; RUN_FULL has the report.
RUN_FULL = [sys.executable, '-c', 'from monosemantic.pipeline import main; main()', 'run', '--preset', 'tiny']
RUN = RUN_FULL + ['--no-report']

def run_cli(*args, **kw):
    "`monosemantic ARGS` in a fresh process, output captured (a `subprocess.CompletedProcess`)."
    return subprocess.run([sys.executable, '-c', 'from monosemantic.pipeline import main; main()', *map(str, args)],
                          capture_output=True, text=True, **kw)
