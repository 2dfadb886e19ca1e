"""Run every notebook's tests (nbdev_test, one notebook at a time) and the pytest suite; print `N passed, N failed`.

nbdev_test prints no counts and exits 0 when no notebook matches, so each notebook is run and counted here.
"""
import subprocess, sys, time, xml.etree.ElementTree as ET
from pathlib import Path

root = Path(__file__).resolve().parents[1]
flags = sys.argv[1:]  # e.g. --flags slow

def run_notebook(nb):
    t = time.time()
    r = subprocess.run(['nbdev_test', '--path', str(nb), '--do_print', *flags], cwd=root, capture_output=True, text=True)
    ok = r.returncode == 0 and 'Success' in r.stdout + r.stderr
    print(f"{'PASS' if ok else 'FAIL'} {nb.name} ({time.time() - t:.0f} s)", flush=True)
    if not ok: print((r.stdout + r.stderr)[-6000:], flush=True)
    return ok

def run_pytest():
    tests = sorted((root/'tests').glob('test_*.py'))
    if not tests: return 0, 0
    xml = root/'.pytest-results.xml'
    subprocess.run([sys.executable, '-m', 'pytest', '-q', f'--junitxml={xml}', *map(str, tests)], cwd=root)
    suite = ET.parse(xml).getroot()
    suite = suite if suite.tag == 'testsuite' else suite.find('testsuite')
    n, bad = int(suite.get('tests')), int(suite.get('failures')) + int(suite.get('errors'))
    xml.unlink()
    return n - bad - int(suite.get('skipped')), bad

start = time.time()
notebooks = sorted((root/'nbs').glob('*.ipynb'))
results = [run_notebook(nb) for nb in notebooks]
passed, failed = sum(results), len(results) - sum(results)
p, f = run_pytest()
passed, failed = passed + p, failed + f
if passed + failed == 0: print('no tests ran'); failed = 1
print(f'tests took {time.time() - start:.0f} s')
print(f'{passed} passed, {failed} failed')
sys.exit(1 if failed else 0)
