"""A small synthetic analysis directory in the format `monosemantic.analysis_pass.analyze` writes, for the viewer's tests.

Random arrays with the right keys, shapes and dtypes, over real token shards of a few text files that include
hostile HTML and characters GPT-2 splits across tokens (Georgian, Cyrillic); feature 0's top examples sit on that HTML, the last feature is dead.
"""
import json
from pathlib import Path

import numpy as np

from monosemantic.data import DataConfig, TokenShards, build_token_shards, gpt2_encoding

HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>']
TEXTS = ['The cat sat on the mat. ' + HOSTILE[0] + ' and then the dog ran home.',
         'Le chat est sur le tapis. ' + HOSTILE[1] + ' Puis le chien court.',
         'def f(x):\n    return x + 1  # ' + HOSTILE[0],
         'Numbers 1 2 3 4 5 & ampersands " quotes \' and ' + HOSTILE[1] + ' end. Привет, мир. ქართული ენა და 東京.']

def write_fake_analysis(root, n_features=12, d_mlp=8, k=5, window=3, q=4, s=3, bins=12, m=5, seed=0) -> tuple[Path, Path]:
    "Write `root/data` (token shards) and `root/analysis` (features.npz, neurons.npz, summary.json); return both paths."
    root = Path(root)
    (root/'corpus').mkdir(parents=True, exist_ok=True)
    for i, t in enumerate(TEXTS * 2): (root/'corpus'/f'doc{i}.txt').write_text(f'{t} (copy {i})')
    data_dir = root/'data'
    build_token_shards(data_dir, DataConfig(corpus=str(root/'corpus'), val_fraction=0.5, num_proc=1, seed=1), progress=False)
    sh = TokenShards(data_dir, 'val')
    tokens = np.concatenate([np.asarray(t) for t in sh.tokens]).astype(np.int64)
    enc, N = gpt2_encoding(), len(tokens)
    at = lambda s: [p for p in range(N) if enc.decode(tokens[p:p + 3].tolist()).lstrip().startswith(s)]
    script, img = at('<script'), at('<img')
    assert N > 20 and script and img, 'the fake val split should hold both hostile texts'
    hostile = [p for pair in zip(script, img) for p in pair]   # alternate the two
    rng = np.random.default_rng(seed)
    analysis = root/'analysis'; analysis.mkdir(exist_ok=True)
    for kind, n in (('features', n_features), ('neurons', d_mlp)):
        top_acts = -np.sort(-rng.exponential(2., (n, k))).astype(np.float32)
        top_where = rng.integers(0, N, (n, k))
        top_where[0] = np.resize(hostile, k)
        win = rng.random((n, k, 2 * window + 1)).astype(np.float32) * top_acts[..., None]
        win[..., window] = top_acts
        qa = rng.random((n, q, s)).astype(np.float32) * top_acts[:, :1, None]
        qw = rng.integers(0, N, (n, q, s)); qw[:, -1, -1] = -1   # one empty sample slot
        a = dict(density=rng.random(n) * 0.1, hist_edges=np.linspace(-3, 1, bins + 1),
                 hist_counts=rng.integers(0, 100, (n, bins)), top_acts=top_acts, top_where=top_where,
                 top_window_acts=win.astype(np.float16), quantile_acts=qa, quantile_where=qw,
                 top_token_ids=rng.choice(tokens, (n, m)), top_token_counts=-np.sort(-rng.integers(1, 50, (n, m))),
                 top_token_mean_act=rng.random((n, m)).astype(np.float32),
                 logit_top_ids=rng.integers(0, 50257, (n, 10)), logit_top_vals=rng.random((n, 10)).astype(np.float32),
                 logit_bottom_ids=rng.integers(0, 50257, (n, 10)), logit_bottom_vals=-rng.random((n, 10)).astype(np.float32),
                 ablation=-rng.random((n, k)).astype(np.float32), score=rng.random(n), purity=rng.random(n),
                 concept=rng.integers(0, len(sh.label_names), n), mass=rng.exponential(10., n))
        a['explanation_ids'] = np.where(np.arange(m) < rng.integers(1, 4, (n, 1)), a['top_token_ids'], -1)   # 1-3 tokens
        a['top_token_ids'][0, 0] = tokens[hostile[0]]   # a hostile top token too
        a['score'][1] = np.nan
        dead = n - 1   # a dead unit: nothing fired
        a['density'][dead], a['hist_counts'][dead], a['top_acts'][dead], a['top_where'][dead] = 0, 0, 0, -1
        a['top_window_acts'][dead], a['quantile_where'][dead], a['top_token_ids'][dead], a['score'][dead] = 0, -1, -1, np.nan
        a['explanation_ids'][dead] = -1
        a['purity'][dead], a['concept'][dead] = np.nan, -1
        np.savez(analysis/f'{kind}.npz', **a)
    (analysis/'summary.json').write_text(json.dumps(dict(
        config=dict(top_k=k, window=window, n_quantiles=q, samples_per_quantile=s, hist_bins=bins),
        n_tokens=N, label_names=sh.label_names, concepts=sh.label_names + ['other'],
        detectors=[dict(concept=c, feature=f, feature_f1=.8, feature_top_half=.9) for c, f in zip(sh.label_names, (2, 4))])))
    return analysis, data_dir
