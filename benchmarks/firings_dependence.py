"""How a per-unit measure depends on the number of held-out firings it is judged on. Each run's features and
neurons are analysed again on 1/2, 1/4, ... 1/64 of the held-out tokens (evenly spread blocks, the analysis's own
way of sampling), so that a unit that fires thousands of times on the whole split fires only tens of times on the
smallest sample. The units that fire at least 2,000 times on the whole split are the reference: for each, a
per-unit measure's score on a sample minus its score on the whole split, binned by the unit's firings on the
sample, gives the measure's bias (the mean: a rare unit judged lower or higher than it is) and its noise (the
spread) at that many firings. A sample also shrinks the text each score is computed on, which matters most for
units that fire on many different tokens (the neurons). Beside it, each sample's verdict (wins, ties and losses of
the features against the neurons). Everything goes to results/firings_dependence.json, with the commit and machine.

    python benchmarks/firings_dependence.py runs/default runs/a1

Each sample's analysis goes to RUN/analysis_sample/N_TOKENS/ (a finished one is read, not redone).
"""
import argparse, dataclasses, datetime, json
from pathlib import Path

import numpy as np

from monosemantic.analysis import measures
from monosemantic.analysis_pass import analyze
from monosemantic.artifacts import read_json
from monosemantic.dictionary import load_sae
from monosemantic.pipeline import stage_configs
from monosemantic.runs import RunDir
from monosemantic.transformer import load_model
from paper_budget import verdict
from provenance import commit, machine

OUT = Path(__file__).parent.parent/'results'/'firings_dependence.json'
PER_UNIT = {'explanation_f1': 'score', 'explanation_corr': 'explanation_corr', 'purity': 'purity'}  # measure: its array
FRACTIONS = (2, 4, 8, 16, 32, 64)   # samples of 1/f of the analysed held-out tokens
REFERENCE = 2000                    # firings on the whole split that make a unit's score the reference
EDGES = (5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120)   # bins of firings on a sample

def firings(z: dict, n_tokens: int): return np.asarray(z['density'], float) * n_tokens

def shifts(full: dict, samples: list, n_full: int) -> list:
    """One kind of unit: for each measure and bin of firings on a sample, the reference units' score there minus
    their score on the whole split (mean, spread, standard error) over every (unit, sample) pair in the bin."""
    ref = firings(full, n_full) >= REFERENCE
    rows = []
    for measure, key in PER_UNIT.items():
        f, d = [], []
        for z, n in samples:
            ok = ref & ~np.isnan(z[key]) & ~np.isnan(full[key]) & (firings(z, n) > 0)
            f.append(firings(z, n)[ok]); d.append((z[key] - full[key])[ok])
        f, d = np.concatenate(f), np.concatenate(d)
        for lo, hi in zip(EDGES[:-1], EDGES[1:]):
            x = d[(f >= lo) & (f < hi)]
            if len(x) < 5: continue
            rows.append(dict(measure=measure, firings_lo=lo, firings_hi=hi, pairs=int(len(x)),
                             mean_shift=float(x.mean()), sd_shift=float(x.std()),
                             se_shift=float(x.std() / np.sqrt(len(x))),
                             mean_abs_shift=float(np.abs(x).mean())))
    return rows

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('runs', type=Path, nargs='+', help='finished runs (`monosemantic run`)')
    p.add_argument('--out', type=Path, default=OUT, help='where the rows go (default: results/firings_dependence.json)')
    a = p.parse_args()
    out = dict(about=__doc__.split('\n\n')[0].replace('\n', ' '), reference_firings=REFERENCE,
               measures={m.key: m.name for m in measures() if m.key in PER_UNIT}, runs=[])
    for root in a.runs:
        run = RunDir(root)
        if not run.metrics_json.exists():
            p.error(f'{root}/metrics.json: missing; give a finished run (`monosemantic run --out {root}`)')
        base, cfg = read_json(run.analysis/'summary.json'), stage_configs('default', source=run.root)['analysis']
        model, sae, n_full = load_model(run.transformer).eval(), load_sae(run.sae).eval(), base['n_tokens']
        samples = {'features': [], 'neurons': []}
        verdicts = [dict(n_tokens=n_full, **verdict(base))]
        for f in FRACTIONS:
            n = n_full // f
            summary = analyze(model, sae, run.data, run.root/'analysis_sample'/str(n), dataclasses.replace(cfg, n_tokens=n))
            for kind in samples:
                samples[kind].append((dict(np.load(run.root/'analysis_sample'/str(n)/f'{kind}.npz')), summary['n_tokens']))
            verdicts.append(dict(n_tokens=summary['n_tokens'], **verdict(summary)))
            print(run.root.name, verdicts[-1], flush=True)
        full = {kind: dict(np.load(run.analysis/f'{kind}.npz')) for kind in samples}
        sae_cfg = read_json(run.sae/'config.json')
        out['runs'].append(dict(
            run=run.root.name, preset=read_json(run.run_json)['preset'], activation=sae_cfg['activation'],
            n_features=sae_cfg['n_features'], n_tokens=n_full,
            reference_units={kind: int((firings(z, n_full) >= REFERENCE).sum()) for kind, z in full.items()},
            verdicts=verdicts, shifts={kind: shifts(full[kind], samples[kind], n_full) for kind in samples}))
    out.update(date=datetime.date.today().isoformat(), commit=commit(), machine=machine())
    a.out.parent.mkdir(exist_ok=True)
    a.out.write_text(json.dumps(out, indent=1) + '\n')

if __name__ == '__main__':
    main()
