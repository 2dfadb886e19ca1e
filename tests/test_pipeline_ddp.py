"""`monosemantic run` under torchrun: 2 processes with gloo on CPU.

The transformer matches one process with the same global batch, both in float32 (bfloat16 output matmuls, where the
CPU has them, round each rank's half batch apart). Each rank collects its own activation shards, and
the SAE sees the store split between the ranks in another order, so for those only the shape of the result is compared.
"""
import json, math, os, subprocess, sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from helpers import RUN
from monosemantic.runs import free_port

def test_run_under_torchrun(tmp_path):
    port, out, single = free_port(), tmp_path/'run', tmp_path/'single'
    f32 = ['--transformer.head-dtype', 'float32']
    r = subprocess.run([*RUN, '--out', str(single), *f32], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    r = subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_port', str(port),
                        '--no-python', *RUN, '--out', str(out), *f32], capture_output=True, text=True,
                       env={**os.environ, 'OMP_NUM_THREADS': '1'}, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.count('run finished') == 1   # rank 0 alone reports
    one, two = (json.loads((d/'metrics.json').read_text()) for d in (single, out))
    assert math.isclose(one['val_loss'], two['val_loss'], rel_tol=1e-4), (one['val_loss'], two['val_loss'])
    assert two['n_features'] == one['n_features'] and all(math.isfinite(two[k]) for k in ('mse', 'fvu', 'l0', 'loss_recovered'))
    store = lambda d: json.loads((d/'activations'/'manifest.json').read_text())['n_vectors']
    assert store(out) == store(single)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in single.iterdir())
    from monosemantic.transformer import load_model
    a, b = (load_model(d/'transformer').state_dict() for d in (single, out))
    for k in a: torch.testing.assert_close(b[k], a[k], atol=1e-3, rtol=1e-3)   # all-reduce order: ~1e-4
