"""Run the benchmarks, print one row each (name, the figures measured side by side, the goal, `ok` or `MISS`) and record
them in benchmarks/results.json, from which the chapters' speed tables are drawn (`monosemantic.runs.speed_table`).

`python benchmarks/run.py` runs every benchmarks/bench_*.py; `python benchmarks/run.py data sae` runs those, and only their
records in the file change. `--out PATH` records elsewhere (a check that should not replace the committed figures).
Each module defines `rows()`, returning (name, measured, goal, ok) tuples measured in one run. The file is committed:
a benchmark run's figures arrive in the repository as a diff, with the date, commit and machine they were measured on.
"""
import argparse, datetime, importlib.util, json, sys, time, traceback
from pathlib import Path

from provenance import commit, machine

here = Path(__file__).parent
p = argparse.ArgumentParser(description='run the benchmarks and record their rows')
p.add_argument('modules', nargs='*', help='which bench_*.py to run (default: all), e.g. data sae')
p.add_argument('--out', type=Path, default=here/'results.json', help='where the rows are recorded (default: %(default)s)')
a = p.parse_args()

modules = [p for p in sorted(here.glob('bench_*.py')) if not a.modules or p.stem.removeprefix('bench_') in a.modules]
record = json.loads(a.out.read_text()) if a.out.exists() else {}
rows, when, where, at = [], datetime.date.today().isoformat(), machine(), commit()
for path in modules:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    t = time.time()
    try:
        spec.loader.exec_module(mod)
        got = list(mod.rows())
    except Exception as e:
        traceback.print_exc()
        got = [(path.stem, f'crashed: {type(e).__name__}: {e}', '-', False)]
    rows += got
    record[path.stem.removeprefix('bench_')] = dict(date=when, commit=at, machine=where, seconds=round(time.time() - t),
                                                    rows=[dict(name=n, measured=m, goal=g, ok=bool(ok)) for n, m, g, ok in got])
    print(f'# {path.stem}: {time.time() - t:.0f} s', file=sys.stderr, flush=True)
    a.out.write_text(json.dumps(record, indent=1, sort_keys=True) + '\n')   # after each module: a crash later keeps these

w = [max(len(str(r[i])) for r in rows) for i in range(3)] if rows else [0, 0, 0]
for name, measured, goal, ok in rows:
    print(f'{name:<{w[0]}}  {measured:<{w[1]}}  {goal:<{w[2]}}  {"ok" if ok else "MISS"}')
print(f'# recorded in {a.out}', file=sys.stderr)
