"""The recipe study's universality column, kept: a finished run's features, neurons and every study variant with a
twin on transformer B (`--study.twins`, the study preset's `paper2023/w4096`), each as the median unit's maximum
activation correlation with the other model's units, its bootstrap standard error and the units counted. The
default run trains no twin (its minutes go to the run's own dictionary), so the chapters read the study's twins
from results/study_twins.json, with the commit that made the run and the machine.

    python benchmarks/study_twins.py runs/study --commit 78a5a67   # the run's commit, if not this checkout's
"""
import argparse, json
from pathlib import Path

from monosemantic.artifacts import read_json
from monosemantic.runs import RunDir
from provenance import commit, machine, written_on

OUT = Path(__file__).parent.parent/'results'/'study_twins.json'

def row(unit: str, u: dict, n_tokens: int, path: Path) -> dict:   # the date: when its file was written
    return dict(units=unit, median=u['median'], se=u['se'], n_units=u['n_units'], n_tokens=n_tokens,
                date=written_on(path))

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('run', type=Path, help='a finished run whose study has twins')
    p.add_argument('--commit', default=commit(), help="the commit that made the run (default: this checkout's)")
    p.add_argument('--out', type=Path, default=OUT, help='where the rows go (default: results/study_twins.json)')
    a = p.parse_args()
    run = RunDir(a.run)
    own = run.root/'universality'/'summary.json'
    twins = sorted((run.root/'study').glob('*/universality.json'))
    if not own.exists() or not twins:
        p.error(f'{a.run}: needs universality/summary.json and a study twin (`monosemantic run --preset study --out {a.run}`)')
    s = read_json(own)
    rows = [row("the run's SAE", s['features'], s['n_tokens'], own), row('neurons', s['neurons'], s['n_tokens'], own)]
    for t in twins:
        rows.append(row(read_json(t.parent/'evaluation.json')['variant'], read_json(t), read_json(t)['n_tokens'], t))
        print(rows[-1], flush=True)
    a.out.parent.mkdir(exist_ok=True)
    a.out.write_text(json.dumps(dict(about=__doc__.split('\n\n')[0].replace('\n', ' '), run=a.run.name, rows=rows, commit=a.commit, machine=machine()),
                                indent=1) + '\n')

if __name__ == '__main__':
    main()
