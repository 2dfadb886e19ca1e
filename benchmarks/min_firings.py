"""One minimum-firings rule for both kinds of unit: the analysis of finished runs' dictionaries again, leaving out
every unit, feature or neuron, that fires on fewer than N of the held-out tokens, beside the analysis as the run made
it (which leaves out only the units below density 1e-5: a handful of firings). A feature at density 1e-4 fires about
75 times in the default run's 756k analysed tokens, fewer than 40 in each half that its token explanation is fitted
and scored on; a dictionary of rare features is judged on noise there. Each run gets a row per rule in results/min_firings.json:
its dictionary, the rule, how many units of each kind it compares and leaves out, and the verdict (wins, ties and
losses of the features against the neurons, a tie within two standard errors over the concepts).

    python benchmarks/min_firings.py runs/default runs/a1 --firings 300

Each run's analysis under the rule goes to RUN/analysis_min{N}/ (the run's own analysis is kept).
"""
import argparse, dataclasses, datetime, json, time
from pathlib import Path

from monosemantic.analysis_pass import analyze
from monosemantic.artifacts import read_json
from monosemantic.pipeline import stage_configs
from monosemantic.runs import RunDir
from monosemantic.dictionary import load_sae
from monosemantic.transformer import load_model
from paper_budget import verdict
from provenance import commit, machine

OUT = Path(__file__).parent.parent/'results'/'min_firings.json'

def rule_row(run: RunDir, summary: dict, firings, seconds=None) -> dict:
    "One run's analysis under one rule: the dictionary, the rule, the units kept and left out, the verdict."
    cfg, versus = read_json(run.sae/'config.json'), summary['features_vs_neurons']
    return dict(run=run.root.name, preset=read_json(run.run_json)['preset'], activation=cfg['activation'],
                n_features=cfg['n_features'],
                vectors=cfg['n_steps'] * cfg['batch_size'], min_firings=firings, min_density=versus['min_density'],
                n_tokens=summary['n_tokens'], units_compared=versus['units_compared'],
                units_excluded=versus['units_excluded'], **verdict(summary),
                minutes=None if seconds is None else round(seconds / 60, 2),
                date=datetime.date.today().isoformat(), commit=commit(), machine=machine())

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('runs', type=Path, nargs='+', help='finished runs (`monosemantic run`)')
    p.add_argument('--firings', type=int, default=300, help='held-out firings a unit needs to be compared (default 300)')
    p.add_argument('--out', type=Path, default=OUT, help='where the rows go (default: results/min_firings.json)')
    a = p.parse_args()
    rows = []
    for root in a.runs:
        run = RunDir(root)
        if not run.metrics_json.exists():
            p.error(f'{root}/metrics.json: missing; give a finished run (`monosemantic run --out {root}`)')
        base = read_json(run.analysis/'summary.json')
        rows.append(rule_row(run, base, None))
        cfg = stage_configs('default', source=run.root)['analysis']
        ruled = dataclasses.replace(cfg, min_density=a.firings / base['n_tokens'])
        t = time.time()
        summary = analyze(load_model(run.transformer).eval(), load_sae(run.sae).eval(), run.data,
                          run.root/f'analysis_min{a.firings}', ruled)
        rows.append(rule_row(run, summary, a.firings, time.time() - t))
        for r in rows[-2:]:
            print({k: r[k] for k in ('run', 'min_firings', 'units_compared', 'units_excluded', 'wins', 'ties',
                                     'losses', 'tied')}, flush=True)
    a.out.parent.mkdir(exist_ok=True)
    a.out.write_text(json.dumps(dict(about=__doc__.split('\n\n')[0].replace('\n', ' '), rows=rows), indent=1) + '\n')

if __name__ == '__main__':
    main()
