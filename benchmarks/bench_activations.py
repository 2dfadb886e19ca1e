"""Activation collection and the store: collection against the bare forward pass, store reads against an SAE's
consumption, and peak RSS streaming a synthetic store far larger than the reader's memory budget.

BENCH_ACT_GB (default 20) sets the synthetic store's size; it is written under /tmp and deleted afterwards."""
import json, os, shutil, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np
import torch

from monosemantic.activations import ActivationConfig, collect_activations
from monosemantic.artifacts import write_json
from monosemantic.data import ContextSampler, DataConfig, build_token_shards

D, BATCH, BUDGET_VECTORS = 512, 8192, 1 << 18  # the reader's budget: 2^18 fp16 vectors of 512 = 256 MiB


def _model():
    from monosemantic.transformer import GPT, GPTConfig
    return GPT(GPTConfig(n_layer=1, d_model=128, n_head=4, d_mlp=512, block_size=128)).eval(), 'GPT'


def _collection(tmp):
    "Collection tokens/s against the bare forward to the MLP on the same contexts."
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    words = 'the cat sat on a mat while le chat dort sur le tapis and def f(x): return x + 1 über naïve'.split()
    (tmp/'corpus.txt').write_text(' '.join(rng.choice(words, 400_000)))
    build_token_shards(tmp/'data', DataConfig(corpus=str(tmp/'corpus.txt'), val_fraction=0, num_proc=1), progress=False)
    model, name = _model()
    T = model.config.block_size
    # the default run: 32 of 128 positions per context (the seed keeps 200 of 1024)
    cfg = ActivationConfig(tokens_per_context=32, n_contexts=8192, shard_vectors=1 << 16, batch_contexts=64)
    sampler = ContextSampler(tmp/'data', 'train', T, seed=0)
    xs = [sampler.sample(cfg.batch_contexts)[0] for _ in range(cfg.n_contexts // cfg.batch_contexts)]
    def bare_pass():
        t = time.perf_counter()
        with torch.no_grad():
            for x in xs: model.activations(x)
        return cfg.n_contexts * T / (time.perf_counter() - t)
    def collect_pass(i):
        t = time.perf_counter()
        collect_activations(model, tmp/'data', tmp/f'acts{i}', cfg, progress=False)
        return cfg.n_contexts * T / (time.perf_counter() - t)
    bare_pass()  # warm up
    bare, tok = [], []
    for i in range(3): bare.append(bare_pass()); tok.append(collect_pass(i))  # interleaved: both see the same machine load
    bare, tok = max(bare), max(tok)
    vec = tok * cfg.tokens_per_context / T
    return (f'activations: collection vs bare forward to MLP ({name}, T={T}; collection computes the block at its {cfg.tokens_per_context} sampled positions only)',
            f'{tok/1e3:.1f}k tok/s ({vec/1e3:.1f}k vec/s, incl. writing) vs {bare/1e3:.1f}k tok/s = {tok/bare:.2f}x', '>= 0.8x', tok / bare >= 0.8)


def _sae_rate():
    "Vectors/s a 512 -> 4096 SAE consumes on this CPU (forward, MSE + L1, backward, Adam), batch 8192."
    from monosemantic.dictionary import SparseAutoencoder
    sae = SparseAutoencoder(D, 8 * D)
    opt = torch.optim.Adam(sae.parameters(), lr=1e-4)
    x = torch.randn(BATCH, D)
    def step():
        x_hat, f = sae(x)
        loss = (x_hat - x).pow(2).sum(-1).mean() + 1e-3 * f.abs().sum(-1).mean()
        opt.zero_grad(); loss.backward(); opt.step()
    step()
    n, t = 3, time.perf_counter()
    for _ in range(n): step()
    return n * BATCH / (time.perf_counter() - t)


def write_synthetic_store(out_dir, gb, shard_vectors=1 << 20):
    "A store of ~`gb` GB of random fp16 vectors of width 512 (manifest without sha256: open it with verify=False)."
    out_dir = Path(out_dir); out_dir.mkdir(parents=True, exist_ok=True)
    n_shards = max(1, round(gb * 1e9 / (shard_vectors * D * 2)))
    rng, block = np.random.default_rng(0), np.empty((shard_vectors, D), np.float16)
    for a in range(0, shard_vectors, 1 << 16): block[a:a + (1 << 16)] = rng.standard_normal((min(1 << 16, shard_vectors - a), D), np.float32)
    shards = []
    for i in range(n_shards):
        block[:, 0] = i  # shards differ
        np.save(out_dir/f'acts_{i:04d}.npy', block)
        np.save(out_dir/f'where_{i:04d}.npy', np.zeros((0, 2), np.int64))
        rec = lambda p: dict(name=p.name, bytes=p.stat().st_size, sha256='not computed')
        shards.append(dict(n=shard_vectors, acts=rec(out_dir/f'acts_{i:04d}.npy'), where=rec(out_dir/f'where_{i:04d}.npy')))
    write_json(out_dir/'manifest.json', dict(config={}, model_sha256='synthetic', site='mlp', layer=0, d=D, dtype='float16',
                                             n_vectors=n_shards * shard_vectors, stats={}, shards=shards))
    return n_shards * shard_vectors * D * 2


_CHILD = """
import itertools, json, resource, sys, time
from monosemantic.activations import ActivationStore
store = ActivationStore(sys.argv[1], verify=False, buffer_vectors=int(sys.argv[3]))
n = int(sys.argv[2]); it = store.batches(8192, seed=0)
next(it); t = time.perf_counter()
for b in itertools.islice(it, n): pass
dt = time.perf_counter() - t
hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]  # this process's peak (ru_maxrss counts the parent's)
print(json.dumps(dict(rate=n * 8192 / dt, peak_rss=int(hwm.split()[1]) * 1024)))
"""

def _stream(store_dir, n_batches):
    "Read rate (vectors/s) and peak RSS (bytes) of a fresh process streaming `n_batches` shuffled batches."
    r = subprocess.run([sys.executable, '-c', _CHILD, str(store_dir), str(n_batches), str(BUDGET_VECTORS)],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def rows():
    torch.set_num_threads(max(1, os.cpu_count()))
    out = []
    with tempfile.TemporaryDirectory(dir='/tmp') as tmp:
        out.append(_collection(Path(tmp)))
    sae = _sae_rate()
    gb = float(os.environ.get('BENCH_ACT_GB', 20))
    tmp = Path(tempfile.mkdtemp(dir='/tmp', prefix='bench_act_'))
    try:
        write_synthetic_store(tmp/"small", 1)
        big = write_synthetic_store(tmp/'big', gb)
        n = 400  # 400 batches of 8192 = 3.3M vectors = 3.4 GB read: 3 epochs of the small store, a sixth of the big one
        s, b = _stream(tmp/'small', n), _stream(tmp/'big', n)
    finally:
        shutil.rmtree(tmp)
    budget = BUDGET_VECTORS * D * 2
    out.append(('activations: store read (shuffled batches of 8192, d=512 fp16) vs 512->4096 SAE step on CPU',
                f'{b["rate"]/1e6:.2f}M vec/s ({big/1e9:.0f} GB store; {s["rate"]/1e6:.2f}M vec/s from a cached 1 GB one) '
                f'vs SAE {sae/1e3:.1f}k vec/s = {b["rate"]/sae:.0f}x', '>= 2x', b['rate'] / sae >= 2))
    out.append(('activations: peak RSS streaming, memory budget 256 MiB',
                f'{b["peak_rss"]/2**20:.0f} MiB for {big/1e9:.0f} GB store ({big/budget:.0f}x budget) vs '
                f'{s["peak_rss"]/2**20:.0f} MiB for 1 GB = {b["peak_rss"]/s["peak_rss"]:.2f}x', '<= 1.1x (flat)',
                b['peak_rss'] / s['peak_rss'] <= 1.1))
    return out


if __name__ == '__main__':
    for r in rows(): print(r)
