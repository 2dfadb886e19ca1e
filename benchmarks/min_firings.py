"""One minimum-firings rule for both kinds of unit: the analysis of finished runs' dictionaries again, leaving out
every unit, feature or neuron, that fires on fewer than N of the held-out tokens, beside the analysis as the run made
it (which leaves out only the units below density 1e-5: a handful of firings). A feature at density 1e-4 fires about
75 times in the default run's 756k analysed tokens, fewer than 40 in each half that its token explanation is fitted
and scored on; a dictionary of rare features is judged on noise there. Each run gets a row per rule in results/min_firings.json:
its dictionary, the rule, how many units of each kind it compares and leaves out, and the verdict (wins, ties and
losses of the features against the neurons, a tie within two standard errors over the concepts).

    python benchmarks/min_firings.py runs/default runs/a1 --firings 300
    python benchmarks/min_firings.py runs/budget/study/paper2023_w4096_stream_n_steps=25600   # a study variant

A path is a run (its own dictionary) or one of its study variants' folders. Each analysis under the rule goes beside
the dictionary's own, to RUN/analysis_min{N}/ or RUN/study/VARIANT/analysis_min{N}/ (the own analysis is kept).
"""
import argparse, dataclasses, json
from pathlib import Path

from monosemantic.analysis_pass import analyze
from monosemantic.artifacts import read_json
from monosemantic.pipeline import stage_configs
from monosemantic.runs import RunDir
from monosemantic.dictionary import load_sae
from monosemantic.transformer import load_model
from paper_budget import verdict
from provenance import commit, machine, written_on

OUT = Path(__file__).parent.parent/'results'/'min_firings.json'

def dictionary(path: Path):
    "(the run, the dictionary's folder, its analysis folder, its name): a run's own SAE or a study variant's folder."
    if path.parent.name == 'study':
        return RunDir(path.parent.parent), path, path/'analysis', read_json(path/'evaluation.json')['variant']
    run = RunDir(path)
    return run, run.sae, run.analysis, read_json(run.run_json)['preset']

def rule_row(run: RunDir, folder: Path, name: str, summary: dict, firings, analysed: Path, seconds=None) -> dict:
    """One dictionary's analysis under one rule (in `analysed`, which dates it): the dictionary, the rule, the units
    kept and left out, the verdict."""
    cfg, versus = read_json(folder/'config.json'), summary['features_vs_neurons']
    return dict(run=run.root.name, dictionary=name, preset=read_json(run.run_json)['preset'], activation=cfg['activation'],
                n_features=cfg['n_features'],
                vectors=cfg['n_steps'] * cfg['batch_size'], min_firings=firings, min_density=versus['min_density'],
                n_tokens=summary['n_tokens'], units_compared=versus['units_compared'],
                units_excluded=versus['units_excluded'], **verdict(summary),
                minutes=None if seconds is None else round(seconds / 60, 2),
                date=written_on(analysed/'summary.json'),
                commit=commit(), machine=machine())

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('runs', type=Path, nargs='+', help='finished runs (`monosemantic run`) or their study variants')
    p.add_argument('--firings', type=int, default=300, help='held-out firings a unit needs to be compared (default 300)')
    p.add_argument('--out', type=Path, default=OUT, help='where the rows go (default: results/min_firings.json)')
    a = p.parse_args()
    rows = []
    for root in a.runs:
        if not ((root/'metrics.json').exists() or (root/'analysis'/'summary.json').exists() and root.parent.name == 'study'):
            p.error(f'{root}: not a finished run or an analysed study variant; give one (`monosemantic run --out RUN`)')
        run, folder, own, name = dictionary(root)
        base = read_json(own/'summary.json')
        rows.append(rule_row(run, folder, name, base, None, own))
        cfg = stage_configs('default', source=run.root)['analysis']
        ruled = dataclasses.replace(cfg, min_density=a.firings / base['n_tokens'])
        ruled_dir = own.parent/f'analysis_min{a.firings}'
        summary = analyze(load_model(run.transformer).eval(), load_sae(folder).eval(), run.data, ruled_dir, ruled)
        rows.append(rule_row(run, folder, name, summary, a.firings, ruled_dir, summary['timing']['total_s']))
        for r in rows[-2:]:
            print({k: r[k] for k in ('dictionary', 'min_firings', 'units_compared', 'units_excluded', 'wins', 'ties',
                                     'losses', 'tied')}, flush=True)
    a.out.parent.mkdir(exist_ok=True)
    a.out.write_text(json.dumps(dict(about=__doc__.split('\n\n')[0].replace('\n', ' '), rows=rows), indent=1) + '\n')

if __name__ == '__main__':
    main()
