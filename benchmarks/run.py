"""Run the benchmarks and print one row each: name, the figures measured side by side, the goal, `ok` or `MISS`.

`python benchmarks/run.py` runs every benchmarks/bench_*.py; `python benchmarks/run.py data sae` runs those.
Each module defines `rows()`, returning (name, measured, goal, ok) tuples measured in one run.
"""
import importlib.util, sys, time, traceback
from pathlib import Path

here = Path(__file__).parent
wanted = sys.argv[1:]
modules = [p for p in sorted(here.glob('bench_*.py')) if not wanted or p.stem.removeprefix('bench_') in wanted]
rows = []
for path in modules:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    t = time.time()
    try:
        spec.loader.exec_module(mod)
        rows += mod.rows()
    except Exception as e:
        traceback.print_exc()
        rows.append((path.stem, f'crashed: {type(e).__name__}: {e}', '-', False))
    print(f'# {path.stem}: {time.time() - t:.0f} s', file=sys.stderr, flush=True)

w = [max(len(str(r[i])) for r in rows) for i in range(3)] if rows else [0, 0, 0]
for name, measured, goal, ok in rows:
    print(f'{name:<{w[0]}}  {measured:<{w[1]}}  {goal:<{w[2]}}  {"ok" if ok else "MISS"}')
