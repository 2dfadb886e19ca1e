"""Faults, bad input and untrusted files across the pipeline (issue: fault-injection suite).

The kill-anywhere trials (tests/kill_harness.py) run `monosemantic run --preset tiny`, SIGKILL it halfway through a
stage, check it died in that stage, rerun the same command and check the result equals an uninterrupted run's. CI kills
five stages (each trial costs about one tiny run); FAULT_STAGES=all kills every stage of kill_harness.TIMELINE, and
`python tests/kill_harness.py --trials 30` is the full harness (kills drawn uniformly over the whole run).
"""
import json, os, shutil, signal, subprocess, sys, time
from pathlib import Path

import pytest
import torch

from monosemantic.artifacts import TEMPORARY, ArtifactError, load_torch, read_json

sys.path.insert(0, str(Path(__file__).parent))
from helpers import RUN, RUN_FULL, fingerprint, run_cli
from kill_harness import TIMELINE, kill_mid_stage, resume_and_compare

# CI: the stages that write checkpoints (transformer, sae), the second models' and universality's artifacts, the site
KILL_STAGES = TIMELINE if os.environ.get('FAULT_STAGES') == 'all' else ('transformer', 'sae', 'second_models',
                                                                        'universality', 'report')

@pytest.mark.parametrize('stage', KILL_STAGES)
def test_kill_anywhere(full_run, tmp_path, stage):
    "A SIGKILL halfway through `stage`: the run died in that stage, and the rerun equals the uninterrupted run."
    out = tmp_path/'run'
    hit = kill_mid_stage(full_run, out, stage)
    assert hit == stage, f'the kill meant for {stage} landed in {hit}'
    resume_and_compare(full_run, out)

def _kill_when(p, ready, timeout=120):
    "Poll until `ready()`, holding the process still (SIGSTOP) while it is checked; SIGKILL it then, and return the exit status."
    t = time.time()
    while time.time() - t < timeout and p.poll() is None:
        os.killpg(p.pid, signal.SIGSTOP)
        if ready(): os.killpg(p.pid, signal.SIGKILL); return p.wait()
        os.killpg(p.pid, signal.SIGCONT); time.sleep(0.002)
    pytest.fail(f'the condition never held while the run ran (exit status {p.poll()})')

def _logged(path, key):
    "The steps logged in a metrics.jsonl, written so far (a half-written last line aside)."
    steps = []
    for line in path.read_text().splitlines() if path.exists() else []:
        try: steps.append(json.loads(line)[key])
        except json.JSONDecodeError: pass
    return steps

@pytest.mark.parametrize('stage, key, ckpt, ckpt_key, every', [   # every: the tiny preset's ckpt_every
    ('transformer', 'iter', 'ckpt.pt', 'iter_num', 10), ('sae', 'step', 'checkpoint.pt', 'step', 20)])
def test_kill_between_checkpoints(full_run, tmp_path, stage, key, ckpt, ckpt_key, every):
    "Killed after a checkpoint and after lines logged past it: the resumed run drops those lines and logs them once."
    out = tmp_path/'run'
    p = subprocess.Popen(RUN_FULL + ['--out', str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    log, ckpt = out/stage/'metrics.jsonl', out/stage/ckpt
    past = lambda: [s for s in _logged(log, key) if s > every and s % every]   # logged after checkpoint `every` or a later one
    assert _kill_when(p, lambda: ckpt.exists() and past()) == -signal.SIGKILL   # died by SIGKILL, not of its own
    assert max(_logged(log, key)) > load_torch(ckpt)[ckpt_key], 'nothing logged after the checkpoint: trimming not exercised'
    resume_and_compare(full_run, out)

def test_leftover_temporaries(full_run, tmp_path):
    "One of each temporary a killed writer leaves, at the top and below: the next run clears them all and ends as before."
    out = tmp_path/'run'; shutil.copytree(full_run.run_dir, out)
    left = [out/f'.metrics.json{TEMPORARY}11.json', out/'sae'/f'.checkpoint.pt{TEMPORARY}12.pt',           # files
            out/f'.report{TEMPORARY}13'/'features'/'data'/'chunk_0000.js', out/f'.report.old{TEMPORARY}14'/'index.html',   # directories
            out/f'.report{TEMPORARY}13'/'.templates'/'monosemantic'/'conf.json']
    for p in left: p.parent.mkdir(parents=True, exist_ok=True); p.write_text('half')
    r = subprocess.run(RUN_FULL + ['--out', str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    assert not list(out.rglob(f'*{TEMPORARY}*')) and fingerprint(out) == full_run.fingerprint

def test_kill_during_report_command(full_run, tmp_path):
    "`monosemantic report RUN_DIR` killed while it renders, then again: the same site, and the old one whole meanwhile."
    out = tmp_path/'run'; shutil.copytree(full_run.run_dir, out)
    r = run_cli('report', out); assert r.returncode == 0, r.stderr[-2000:]   # a finished run's site, rendered by the command
    site = fingerprint(out)   # as the run's, but for its stage times: they now hold the report's
    p = subprocess.Popen([sys.executable, '-c', 'from monosemantic.pipeline import main; main()', 'report', str(out)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    assert _kill_when(p, lambda: len(list(out.glob(f'.report{TEMPORARY}*/*.html'))) >= 3) == -signal.SIGKILL   # mid-render
    assert list(out.glob(f'.report{TEMPORARY}*')), 'the kill left no temporary: it did not land while rendering'
    assert fingerprint(out) == site   # the previous site, untouched
    r = run_cli('report', out); assert r.returncode == 0, r.stderr[-2000:]
    assert not list(out.rglob(f'*{TEMPORARY}*')) and fingerprint(out) == site

def test_concurrent_runs_are_refused(tiny_run, tmp_path):
    out = tmp_path/'run'
    a = subprocess.Popen(RUN + ['--out', str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for _ in range(200):  # wait until the first run holds the lock
        if (out/'.lock').exists() and (out/'.lock').read_text().strip(): break
        time.sleep(0.05)
    b = subprocess.run(RUN + ['--out', str(out)], capture_output=True, text=True)
    assert b.returncode == 1 and 'in use by another monosemantic process' in b.stderr, b.stderr
    assert a.wait() == 0, a.stderr.read()[-2000:]
    assert fingerprint(out) == tiny_run[1]

@pytest.mark.parametrize('args, message', [
    (['--preset', 'huge'], "invalid choice: 'huge'"),
    (['--preset', 'tiny', '--sae.n-features', '-4'], 'n_features must be positive'),
    (['--preset', 'tiny', '--data.shard-tokens', '0'], 'shard_tokens must be positive'),
    (['--preset', 'tiny', '--activations.tokens-per-context', '100'], 'exceeds the context length'),
    (['--preset', 'tiny', '--sae.d-in', '7'], 'must equal transformer.d_mlp'),
    (['--preset', 'tiny', '--transformer.lr', 'fast'], "invalid float value: 'fast'"),
])
def test_bad_command_line(tmp_path, args, message):
    r = run_cli('run', '--out', tmp_path/'run', *args)
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert len([l for l in r.stderr.splitlines() if l.startswith('monosemantic') and 'error' in l]) == 1
    assert not (tmp_path/'run').exists()  # nothing written

def test_missing_report_dependency_fails_fast(tmp_path):
    "A package the report needs is missing: one line naming it and the fix, a non-zero exit in seconds, nothing written."
    t = time.time()
    r = subprocess.run([sys.executable, '-c', "import sys; sys.modules['nbformat'] = None; "   # as if never installed
                        "from monosemantic.pipeline import main; main()", 'run', '--preset', 'tiny', '--out', str(tmp_path/'run')],
                       capture_output=True, text=True)
    assert r.returncode != 0 and time.time() - t < 30, (r.returncode, time.time() - t)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and 'nbformat is missing' in lines[0] and 'pip install' in lines[0], r.stderr
    assert not (tmp_path/'run').exists()

def test_run_dir_from_another_config(tiny_run, tmp_path):
    out = tmp_path/'run'; shutil.copytree(tiny_run[0], out)
    r = subprocess.run(RUN + ['--out', str(out), '--sae.l1-coeff', '0.5'], capture_output=True, text=True)
    assert r.returncode == 1 and 'l1_coeff' in r.stderr and '-> 0.5' in r.stderr, r.stderr
    j = json.loads((out/'run.json').read_text()); j['version'] = '0.0.1'; (out/'run.json').write_text(json.dumps(j))
    r = subprocess.run(RUN + ['--out', str(out)], capture_output=True, text=True)
    assert r.returncode == 1 and "version: '0.0.1' -> " in r.stderr, r.stderr

def _corrupt(p, truncate):
    b = bytearray(p.read_bytes())
    if truncate: p.write_bytes(bytes(b[:len(b) // 2]))
    else: b[len(b) // 2] ^= 0xFF; p.write_bytes(bytes(b))

@pytest.mark.parametrize('truncate', [False, True])
def test_corrupted_files_are_named(tiny_run, tmp_path, truncate):
    from monosemantic.activations import ActivationStore
    from monosemantic.data import TokenShards
    from monosemantic.dictionary import load_sae
    from monosemantic.transformer import load_model
    out = tmp_path/'run'; shutil.copytree(tiny_run[0], out)
    cases = [(out/'data'/'train_0000.bin', lambda: TokenShards(out/'data', 'train')),
             (out/'transformer'/'ckpt.pt', lambda: load_model(out/'transformer')),
             (sorted((out/'activations').glob('*.npy'))[0], lambda: ActivationStore(out/'activations')),
             (out/'sae'/'sae.safetensors', lambda: load_sae(out/'sae')),
             (out/'data'/'manifest.json', lambda: TokenShards(out/'data', 'train'))]
    for path, load in cases:
        keep = path.read_bytes()
        _corrupt(path, truncate)
        try: load()
        except ArtifactError as e: assert path.name in str(e), (path, str(e))
        else: pytest.fail(f'{path} ({"truncated" if truncate else "one byte flipped"}) loaded without an error')
        path.write_bytes(keep)

def test_mismatched_store_and_sae(tiny_run, tmp_path):
    from monosemantic.activations import collect_activations, ActivationConfig
    from monosemantic.dictionary import SparseAutoencoder
    from monosemantic.analysis import AnalysisConfig
    from monosemantic.analysis_pass import analyze
    from monosemantic.transformer import load_model
    out = tmp_path/'run'; shutil.copytree(tiny_run[0], out)
    cfg = ActivationConfig(**read_json(out/'activations'/'manifest.json')['config'])
    model = load_model(out/'transformer')
    with torch.no_grad(): next(model.parameters()).add_(1e-3)  # now another checkpoint
    with pytest.raises(ArtifactError, match='model'): collect_activations(model, out/'data', out/'activations', cfg, progress=False)
    wrong = SparseAutoencoder(model.config.d_mlp + 1, 8)
    with pytest.raises((ArtifactError, ValueError), match='d_in|d_mlp|width'):
        analyze(model, wrong, out/'data', tmp_path/'analysis', AnalysisConfig(n_tokens=256, batch_contexts=2), progress=False)

class _Evil:
    def __reduce__(self): return (os.system, ('touch /tmp/monosemantic-pwned',))

def test_crafted_pickle_is_refused(tmp_path):
    p = tmp_path/'ckpt.pt'
    torch.save({'model': _Evil()}, p)
    Path('/tmp/monosemantic-pwned').unlink(missing_ok=True)
    from monosemantic.transformer import load_model
    for load in (lambda: load_torch(p), lambda: load_model(p)):
        with pytest.raises(ArtifactError, match='refused'): load()
    assert not Path('/tmp/monosemantic-pwned').exists()

def test_disk_full_while_writing_a_shard_and_a_checkpoint(tmp_path, monkeypatch):
    "A write that fails with ENOSPC: one clear error, earlier files intact, and a rerun with space completes."
    import errno
    from monosemantic import artifacts
    from monosemantic.data import DataConfig, TokenShards, build_token_shards
    (tmp_path/'c').mkdir()
    for i in range(20): (tmp_path/'c'/f'{i}.txt').write_text('some words here. ' * 60)
    cfg = DataConfig(corpus=str(tmp_path/'c'), shard_tokens=500, val_fraction=0.1, num_proc=1)
    real, n = os.fsync, {'calls': 0}
    def failing_fsync(fd):
        n['calls'] += 1
        if n['calls'] == 3: raise OSError(errno.ENOSPC, 'No space left on device')
        return real(fd)
    monkeypatch.setattr(artifacts.os, 'fsync', failing_fsync)
    with pytest.raises(ArtifactError, match='disk is full'): build_token_shards(tmp_path/'s', cfg, progress=False)
    monkeypatch.setattr(artifacts.os, 'fsync', real)
    assert not list((tmp_path/'s').glob('.*tmp*'))
    done = sorted(p.name for p in (tmp_path/'s').glob('*.bin'))
    assert done, 'the shards written before the failure are kept'
    build_token_shards(tmp_path/'s', cfg, progress=False)
    TokenShards(tmp_path/'s', 'train')
    # a checkpoint: the previous one stays whole
    from monosemantic.artifacts import save_torch
    save_torch(tmp_path/'ckpt.pt', {'w': torch.ones(3)})
    monkeypatch.setattr(artifacts.os, 'fsync', lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, 'No space left')))
    with pytest.raises(ArtifactError, match='ckpt.pt: the disk is full'): save_torch(tmp_path/'ckpt.pt', {'w': torch.zeros(3)})
    monkeypatch.setattr(artifacts.os, 'fsync', real)
    assert torch.equal(load_torch(tmp_path/'ckpt.pt')['w'], torch.ones(3))

def test_hostile_text_through_the_pipeline(tmp_path):
    "Corpus text with HTML and script through data, transformer, SAE and analysis into the feature site: shown, never run."
    corpus = tmp_path/'corpus'; corpus.mkdir()
    hostile = '<script>alert("pwned")</script> <img src=x onerror=alert(1)> &amp; "quotes" '
    for i in range(40): (corpus/f'{i}.txt').write_text((f'Document {i}: ' + hostile + 'plain words follow. ') * 20)
    out = tmp_path/'run'
    r = subprocess.run(RUN + ['--out', str(out), '--corpus', str(corpus), '--data.val-fraction', '0.3'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    from monosemantic.viewer import write_feature_site
    site = tmp_path/'site'
    write_feature_site(out/'analysis', out/'data', site)
    assert '<script>alert' not in (site/'index.html').read_text()
    data = {p.name: p.read_text() for p in (site/'data').glob('*.js')}   # the corpus text goes here, as tokens in JSON
    vocab = json.loads(data['vocab.js'].split('=', 1)[1].rstrip().rstrip(';'))
    assert {'script', 'alert'} <= {t.strip('<>/="( ') for t in vocab.values()} and any('<' in t for t in vocab.values()), \
        'the hostile text is not in the site'
    raw = {name for name, text in data.items() if '<' in text}
    assert not raw, f'{raw}: a raw < in the data; text must reach the page escaped (\\u003c)'

if __name__ == '__main__':
    sys.exit('the full kill-anywhere harness: python tests/kill_harness.py --trials 30')
