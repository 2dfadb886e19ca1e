"""SAE training throughput: this trainer against sae-lens's and dictionary-learning's on the same activations and
hyperparameters, and its FLOP/s as a fraction of the fp32 matmul peak measured in the same run.

The peers run in benchmarks/.venv (`python -m venv --system-site-packages benchmarks/.venv && benchmarks/.venv/bin/pip
install sae-lens dictionary-learning`); the comparison runs every trainer there, with the same torch. Each trainer is
timed twice, alternating, and keeps its best (the machine is shared). The FLOP/s row runs ours with the project's torch.
"""
import json, os, subprocess, sys, time
from pathlib import Path
import torch

here = Path(__file__).parent
venv_py = here/'.venv'/'bin'/'python'
D, F, STEPS, B = 512, 4096, 12, 2048
FLOP_PER_SAMPLE = 10 * D * F  # the matmuls this trainer performs: 2 forward, 3 backward (autograd's 6th, for b_dec, is
                               # a vector-matrix product here); the issue's ~25 MFLOP counts that 6th matmul too

def matmul_peak(repeat=5):
    "Best fp32 matmul FLOP/s over the SAE's own shapes and a square one."
    best = 0.0
    for m, k, n in [(2048, 2048, 2048), (B, D, F), (B, F, D), (D, B, F)]:
        a, b = torch.randn(m, k), torch.randn(k, n)
        for _ in range(repeat):
            t = time.perf_counter(); a @ b; best = max(best, 2 * m * k * n / (time.perf_counter() - t))
    return best

def run(python, which):
    env = {**os.environ, 'WANDB_MODE': 'disabled', 'TQDM_DISABLE': '1'}
    r = subprocess.run([str(python), str(here/'sae_worker.py'), which, str(STEPS), str(B)], capture_output=True, text=True, env=env, timeout=900)
    if r.returncode: raise RuntimeError(f'{which}: ' + (r.stderr.strip().splitlines() or ['failed'])[-1])
    return json.loads(r.stdout.strip().splitlines()[-1])['samples_per_s']

def rows():
    out = []
    peak = matmul_peak()
    ours = max(run(sys.executable, 'ours') for _ in range(2))
    frac = ours * FLOP_PER_SAMPLE / peak
    out.append(('sae: training FLOP/s vs fp32 matmul peak (512->4096, batch 2048, resampling+metrics+ckpt incl.)',
                f'{ours * FLOP_PER_SAMPLE / 1e9:.1f} GFLOP/s ({ours:.0f} samples/s) vs peak {peak / 1e9:.1f} GFLOP/s = {frac:.2f}',
                '>= 0.8', frac >= 0.8))
    if not venv_py.exists():
        reason = 'benchmarks/.venv missing (create it: see bench_sae.py docstring)'
        return out + [(f'sae: trainer vs {p}', f'not measured: {reason}', '>= 1.0x', False) for p in ('sae-lens', 'dictionary-learning')]
    best = {}
    for _ in range(2):
        for which in ('ours', 'sae-lens', 'dictionary-learning'):
            try: best[which] = max(best.get(which, 0.0), run(venv_py, which))
            except Exception as e: best.setdefault(which, f'{type(e).__name__}: {e}'[:200])
    for peer in ('sae-lens', 'dictionary-learning'):
        a, b = best['ours'], best[peer]
        if isinstance(a, str) or isinstance(b, str):
            out.append((f'sae: trainer vs {peer}', f'not measured: {a if isinstance(a, str) else b}', '>= 1.0x', False)); continue
        out.append((f'sae: training samples/s vs {peer} (same torch, data, 512->4096, batch 2048)',
                    f'{a:.0f} vs {b:.0f} samples/s = {a / b:.2f}x', '>= 1.0x', a / b >= 1.0))
    return out

if __name__ == '__main__':
    for r in rows(): print(r)
