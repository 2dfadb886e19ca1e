"""The *Your text* page against Python (a plain module: `from page_parity import ...`), for tests/test_in_browser.py and
benchmarks/bench_in_browser.py: the page's activations of a text, the CLI's, and how far apart they are."""
import sys
from pathlib import Path

import numpy as np

from monosemantic.analysis_pass import iter_activations, load_run
from monosemantic.text_activations import load_activations

ACTIVATIONS = '''t => { const t0 = performance.now(), r = monosemantic.activations(t), ms = performance.now() - t0;
  return {ms, tokens: Array.from(r.tokens), indptr: Array.from(r.indptr), index: Array.from(r.index),
          value: Array.from(r.value)}; }'''

def page_activations(page, text: str) -> dict:
    "`window.monosemantic.activations(text)` in `page`, as lists, with `ms`: the milliseconds it took."
    return page.evaluate(ACTIVATIONS, text)

def cli_activations(run, texts: list, out_dir) -> list:
    "Each text's `TextActivations` as `monosemantic activations --run RUN --text ...` writes them (one process)."
    sys.path.insert(0, str(Path(__file__).parent))
    from helpers import run_cli
    out_dir = Path(out_dir); out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir/f'text{i}.txt' for i in range(len(texts))]
    for p, t in zip(paths, texts): p.write_bytes(t.encode('utf-8'))
    r = run_cli('activations', '--run', run, '--text', *paths, '--out', out_dir)
    assert r.returncode == 0, r.stderr[-2000:]
    return [load_activations(out_dir/f'{p.stem}.npz') for p in paths]

def compare(run, got: dict, want, tol: float = 1e-3) -> dict:
    """The page's activations `got` against Python's `want`: tokens equal, the largest difference where both fire, and
    the (token, feature) pairs firing in one only that no near tie explains: a TopK token whose k-th and (k+1)-th
    pre-activations differ by at most `tol`, or a pre-activation within `tol` of where firing starts."""
    tokens = np.asarray(got['tokens'])
    if not np.array_equal(tokens, want.tokens): return dict(tokens_equal=False)
    model, sae = load_run(run)
    pre = np.concatenate([np.zeros((0, sae.n_features), np.float32)]
                         + [sae.pre_activations(h).detach().numpy() for _, h in iter_activations(model, None, tokens)])
    n = len(tokens)
    page = np.zeros((n, sae.n_features), np.float32)
    page[np.repeat(np.arange(n), np.diff(got['indptr'])), got['index']] = got['value']
    py = want.sparse().dense()
    both, one = (page > 0) & (py > 0), (page > 0) != (py > 0)
    edge = max(float(sae.threshold), 0.0) if sae.activation == 'batchtopk' else 0.0
    near = np.abs(pre - edge) <= tol
    if sae.activation == 'topk':
        ranked = -np.sort(-pre, axis=1)
        near |= (ranked[:, sae.k - 1] - ranked[:, sae.k] <= tol)[:, None]
    return dict(tokens_equal=True, n_tokens=n, max_error=float(np.abs(page - py)[both].max(initial=0)),
                near_ties=int((one & near).sum()), unexplained=int((one & ~near).sum()), ms=got.get('ms'))
