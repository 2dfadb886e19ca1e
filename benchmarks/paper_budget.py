"""The paper's recipe given what it needs: its dictionary (L1 penalty, neuron resampling) and the default recipe (TopK,
k = 20) at 4,096 features, trained on 1x, 4x and 16x the study's vectors (3.3M, 13.1M, 52.4M: 1,600 steps of 2,048 at
1x, the default dictionary's compute) on a finished default run's transformer, the vectors fresh from its stream so
that no point repeats a store. Each point is trained, evaluated and analysed exactly as the recipe study's rows
(`monosemantic.pipeline.run_study`, into RUN/study/), and its row goes to results/paper_budget.json as soon as it is
done, with the commit and the machine. The SAE chapter draws its budget curve from that file.

    python benchmarks/paper_budget.py runs/budget                 # every point not yet recorded, cheapest first
    python benchmarks/paper_budget.py runs/budget --points 1 4    # the 1x and 4x points only
    python benchmarks/paper_budget.py runs/b-topk --recipes topk --threads 1 --out b-topk.json   # one recipe on one core
    python benchmarks/paper_budget.py runs/budget --recipes paper2023 --fields l1_coeff=7e-05   # a curve of its own

RUN is a finished default run, best a copy (`cp -al runs/default runs/budget`): its study grows by one variant a point.
`minutes` is the wall time of a point (training, evaluation, analysis) on this machine, as loaded as it was, on
`threads` torch threads: two recipes can run side by side on a core each, each in its own copy of the run.
"""
import argparse, datetime, json, time
from pathlib import Path

import torch

from monosemantic.analysis import close_margins, wins_ties_losses
from monosemantic.artifacts import read_json
from monosemantic.pipeline import StudyConfig, _sources, run_study, stage_configs
from monosemantic.runs import RunDir
from monosemantic.transformer import load_model
from provenance import commit, machine

RECIPES = {'paper2023': 'paper2023/w4096/stream', 'topk': 'topk/w4096/stream/k=20'}
STEPS_1X = 1600   # the study's paper2023/w4096: 1,600 steps of 2,048 vectors
OUT = Path(__file__).parent.parent/'results'/'paper_budget.json'

def variant(recipe: str, times: int, fields=()) -> str:
    return '/'.join((RECIPES[recipe], *fields, f'n_steps={STEPS_1X * times}'))

def verdict(summary: dict) -> dict:
    "An analysis summary's wins, ties and losses of the features against the neurons, a tie within two standard errors."
    v = wins_ties_losses(summary['features_vs_neurons'], close_margins(summary))
    return dict(wins=len(v['wins']), ties=len(v['ties']), losses=len(v['losses']), tied=v['ties'])

def point_row(run: RunDir, recipe: str, name: str, seconds: float, threads: int) -> dict:
    "A trained point's figures, as the study table gives them, with wins, ties and losses beyond two standard errors."
    out = run.variant(name)
    ev, cfg, summary = read_json(out/'evaluation.json'), read_json(out/'config.json'), read_json(out/'analysis'/'summary.json')
    return dict(recipe=recipe, variant=name, n_features=cfg['n_features'], vectors=cfg['n_steps'] * cfg['batch_size'],
                minutes=round(seconds / 60, 2), threads=threads, loss_recovered=ev['loss_recovered'], l0=ev['l0'],
                dead_fraction=ev['dead_fraction'], ultralow_fraction=ev['ultralow_fraction'],
                below_1e4_fraction=ev['below_1e4_fraction'], features_99pct_mass=ev['features_99pct_mass'],
                **verdict(summary), date=datetime.date.today().isoformat(), commit=commit(), machine=machine())

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('run', type=Path, help='a finished default run (a copy: its study grows)')
    p.add_argument('--points', type=int, nargs='+', default=[1, 4, 16], help='multiples of the 1x vectors (default: 1 4 16)')
    p.add_argument('--recipes', nargs='+', choices=list(RECIPES), default=list(RECIPES), help='which recipes (default: both)')
    p.add_argument('--fields', nargs='+', default=[], metavar='FIELD=VALUE',
                   help="SAE fields changed from the recipe's (its row's recipe names them: a curve of its own)")
    p.add_argument('--threads', type=int, default=torch.get_num_threads(), help="torch threads (default: torch's own)")
    p.add_argument('--out', type=Path, default=OUT, help='where the rows are recorded (default: results/paper_budget.json)')
    a = p.parse_args()
    run = RunDir(a.run)
    torch.set_num_threads(a.threads)
    if not run.metrics_json.exists():
        p.error(f'{a.run}/metrics.json: missing; give a finished run (`monosemantic run --out {a.run}`)')
    cfgs, model = stage_configs('default'), load_model(run.transformer).eval()
    rows = json.loads(a.out.read_text())['rows'] if a.out.exists() else []
    for times in sorted(a.points):
        for recipe in a.recipes:
            name = variant(recipe, times, a.fields)
            if any(r['variant'] == name for r in rows): continue
            t = time.time()
            run_study(run.root, StudyConfig(variants=(name,)), cfgs['sae'], _sources(run, cfgs), model, cfgs['analysis'])
            rows.append(point_row(run, '/'.join((recipe, *a.fields)), name, time.time() - t, a.threads))
            a.out.parent.mkdir(exist_ok=True)
            a.out.write_text(json.dumps(dict(about=__doc__.split('\n\n')[0].replace('\n', ' '), rows=rows), indent=1) + '\n')
            print({k: rows[-1][k] for k in ('variant', 'minutes', 'loss_recovered', 'below_1e4_fraction', 'wins', 'ties',
                                            'losses')}, flush=True)

if __name__ == '__main__':
    main()
