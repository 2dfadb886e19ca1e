"""Rendering the report of a finished default run: `monosemantic report RUN_DIR` (every chapter, the results page and
the feature browser), against the 2-minute goal. The run is `runs/default`, or MONOSEMANTIC_RUN; without one the row
says so and is not met (a default run takes about half an hour: `monosemantic run`)."""
import os, time
from pathlib import Path

def rows():
    run = Path(os.environ.get('MONOSEMANTIC_RUN', Path(__file__).resolve().parents[1]/'runs'/'default'))
    name, goal = 'report: monosemantic report on the default run', '<= 120 s on 2 cores'
    if not (run/'metrics.json').exists() or not (run/'analysis'/'summary.json').exists():
        return [(name, f'not measured: {run} holds no finished default run (monosemantic run first)', goal, False)]
    from monosemantic.report import render_report
    t = time.perf_counter()
    render_report(run, progress=False)
    s = time.perf_counter() - t
    pages = len(list((run/'report').glob('*.html')))
    features = len(list((run/'report'/'features').rglob('*')))
    return [(name, f'{s:.0f} s for {pages} pages and a feature browser of {features} files (load avg {os.getloadavg()[0]:.1f})',
             goal, s <= 120)]

if __name__ == '__main__':
    for r in rows(): print(r)
