"""pytest's fixtures and hooks for the suite; the helpers the tests share are in helpers.py."""
import subprocess, sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers import CHROMIUM, ARGS, RUN, fingerprint

def pytest_terminal_summary(terminalreporter):
    "How many fuzz cases ran per input surface (tests/test_fuzz.py), when it ran."
    if (fuzz := sys.modules.get('test_fuzz')) and fuzz.CASES:
        terminalreporter.write_line('fuzz cases per surface: ' + ', '.join(f'{k} {v}' for k, v in sorted(fuzz.CASES.items())))

@pytest.fixture(scope='module')
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()

@pytest.fixture(scope='session')
def tiny_run(tmp_path_factory):
    "One uninterrupted tiny run without the report: its directory and fingerprint."
    d = tmp_path_factory.mktemp('tiny')/'run'
    r = subprocess.run(RUN + ['--out', str(d)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    return d, fingerprint(d)

@pytest.fixture(scope='session')
def full_run(tmp_path_factory):
    "One uninterrupted tiny run with its report, as the kill-anywhere trials resume it (`kill_harness.Reference`)."
    from kill_harness import reference
    return reference(tmp_path_factory.mktemp('full')/'run')
