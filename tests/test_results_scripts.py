"""The scripts behind the committed results/*.json, on planted numbers and on the tiny run: the firings-dependence
shifts come out as planted, and the minimum-firings rule analyses a run's own dictionary and a study variant's alike."""
import json, shutil, subprocess, sys
from pathlib import Path

import numpy as np

from monosemantic.artifacts import read_json

BENCH = Path(__file__).parent.parent/'benchmarks'
sys.path.insert(0, str(BENCH))
import firings_dependence as fd

def test_shifts_are_the_planted_bias():
    n_full, U = 1_000_000, 200
    density = np.full(U, 0.01)   # 10,000 firings on the whole split: every unit is a reference
    full = {k: np.full(U, 0.8) for k in fd.PER_UNIT.values()} | {'density': density}
    shifted = lambda by: {k: v - by for k, v in full.items() if k != 'density'} | {'density': density}
    samples = [(shifted(0.1), n_full // 100), (shifted(0.3), n_full // 1000)]   # 100 firings, 0.1 lower; 10, 0.3 lower
    rows = {(r['measure'], r['firings_lo']): r for r in fd.shifts(full, samples, n_full)}
    assert len(rows) == 2 * len(fd.PER_UNIT)
    for m in fd.PER_UNIT:
        assert rows[m, 80]['pairs'] == U and np.isclose(rows[m, 80]['mean_shift'], -0.1)
        assert np.isclose(rows[m, 10]['mean_shift'], -0.3) and rows[m, 10]['sd_shift'] < 1e-9
    rare = dict(full, density=np.full(U, 1e-4))   # 100 firings on the whole split: no reference units
    assert fd.shifts(rare, samples, n_full) == []
    nan = dict(full, score=np.where(np.arange(U) < 50, np.nan, 0.8))   # a score undefined for a unit leaves it out
    assert {r['pairs'] for r in fd.shifts(nan, samples, n_full) if r['measure'] == 'explanation_f1'} == {U - 50}

def test_min_firings_on_a_run_and_a_study_variant(tiny_run, tmp_path):
    run = tmp_path/'run'
    shutil.copytree(tiny_run[0], run)   # the rule's analyses go into the run: not into the shared one
    variant = next(p for p in sorted((run/'study').iterdir()) if (p/'analysis'/'summary.json').exists())
    script = lambda *a: subprocess.run([sys.executable, BENCH/'min_firings.py', *map(str, a)], capture_output=True, text=True)
    r = script(run, variant, '--firings', 3, '--out', tmp_path/'rows.json')
    assert r.returncode == 0, r.stderr[-2000:]
    rows = json.loads((tmp_path/'rows.json').read_text())['rows']
    assert [x['dictionary'] for x in rows] == ['tiny'] * 2 + [read_json(variant/'evaluation.json')['variant']] * 2
    assert [x['min_firings'] for x in rows] == [None, 3] * 2
    assert (run/'analysis_min3'/'summary.json').exists() and (variant/'analysis_min3'/'summary.json').exists()
    for own, ruled in (rows[0:2], rows[2:4]):   # the rule leaves out at least the units the run's analysis did
        assert ruled['units_excluded']['features'] >= own['units_excluded']['features']
        assert sum(ruled['units_compared'].values()) + sum(ruled['units_excluded'].values()) == \
               sum(own['units_compared'].values()) + sum(own['units_excluded'].values())
    r = script(tmp_path/'nowhere', '--out', tmp_path/'bad.json')
    assert r.returncode == 2 and 'nowhere: not a finished run' in r.stderr and not (tmp_path/'bad.json').exists()
