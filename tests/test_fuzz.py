"""Every input a user hands the program, fuzzed (Hypothesis): text for `monosemantic activations --text`, local corpus
files, files of a run directory, and command-line flags. Each case ends well, or in one clear line naming the file or
flag, with a non-zero exit and nothing half-written; never a traceback, never a hang.

CI runs the short profile (a few hundred cases, about two minutes); the long one runs ten times as many:

    MONOSEMANTIC_FUZZ=long pytest tests/test_fuzz.py -q

The number of cases run per surface is printed at the end.
"""
import contextlib, io, json, os, shutil, signal, sys, tempfile, threading
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from monosemantic.artifacts import TEMPORARY
from monosemantic.pipeline import build_parser, main

LONG = os.environ.get('MONOSEMANTIC_FUZZ') == 'long'
settings.register_profile('ci', deadline=None, derandomize=True, database=None, print_blob=True,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile('long', parent=settings.get_profile('ci'), derandomize=False)
settings.load_profile('long' if LONG else 'ci')
examples = lambda n: settings(max_examples=n * (10 if LONG else 1))   # n: the short profile's cases for a surface
CASES = Counter()   # cases run per surface, printed at the end of the session (conftest.py)

class Hang(BaseException): pass   # not an Exception: `main` must not turn it into an error line

def cli(*argv, stdin=None, limit=60):
    "`main(argv)` in this process: (exit code, stderr); a case still running after `limit` seconds is a hang."
    err, out = io.StringIO(), io.StringIO()
    def alarm(*_): raise Hang(f'still running after {limit} s: {argv}')
    old = signal.signal(signal.SIGALRM, alarm); signal.alarm(limit)
    real_stdin = sys.stdin
    if stdin is not None: sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try: main([str(a) for a in argv]); code = 0
            except SystemExit as e: code = e.code
    finally: signal.alarm(0); signal.signal(signal.SIGALRM, old); sys.stdin = real_stdin
    return code, err.getvalue()

def one_clear_line(code, err, *names):
    "A non-zero exit, no traceback, one error line naming one of `names` (a file or a flag), and it is not a bug."
    assert code not in (0, None), 'exited 0'
    assert 'Traceback' not in err and '(a bug)' not in err, err[-2000:]
    lines = [l for l in err.splitlines() if l.startswith('monosemantic') and 'error' in l]
    assert len(lines) == 1, err[-2000:]
    assert any(str(n) in lines[0] for n in names), f'the error names none of {names}: {lines[0]}'

def no_temporaries(*dirs):
    for d in dirs:
        left = list(Path(d).rglob(f'*{TEMPORARY}*')) if Path(d).exists() else []
        assert not left, f'half-written files left: {left}'

# --- text for `monosemantic activations --text` -------------------------------------------------------------------

def _mangle(parts):
    "Valid UTF-8 text with raw bytes spliced in (bad continuation bytes, NULs, a cut multi-byte character)."
    return b''.join(p.encode('utf-8') if isinstance(p, str) else p for p in parts)

texts = st.one_of(st.just(b''), st.binary(max_size=3000), st.text(max_size=2000).map(str.encode),
                  st.lists(st.one_of(st.text(max_size=50), st.binary(max_size=4), st.sampled_from([b'\xe2\x82', b'\0', b'\xff'])),
                           max_size=30).map(_mangle))

@examples(40)
@given(data=texts, show=st.booleans())
def test_activations_text(tiny_run, data, show):
    CASES['activations --text'] += 1
    d = Path(tempfile.mkdtemp()); f = d/'in.txt'; f.write_bytes(data)
    code, err = cli('activations', '--run', tiny_run[0], '--text', f, '--out', d/'out'/'a.npz', *(['--show', '5'] if show else []))
    if code == 0:
        from monosemantic.text_activations import _encode, load_activations
        assert len(load_activations(d/'out'/'a.npz').tokens) == len(_encode(data.decode('utf-8')))
    else:
        one_clear_line(code, err, f)
        assert not (d/'out'/'a.npz').exists()
    no_temporaries(d)
    shutil.rmtree(d)

def test_activations_text_streams(tiny_run, tmp_path, monkeypatch):
    "Standard input that is not UTF-8, a device that never ends, one huge line, and a file that grows while it is read."
    from monosemantic import text_activations
    run = tiny_run[0]
    CASES['activations --text'] += 4
    code, err = cli('activations', '--run', run, '--text', '-', '--out', tmp_path/'s.npz', stdin=b'caf\xe9 \xff\xfe')
    one_clear_line(code, err, 'standard input'); assert not (tmp_path/'s.npz').exists()
    code, err = cli('activations', '--run', run, '--text', '/dev/zero', '--out', tmp_path/'z.npz', limit=30)
    one_clear_line(code, err, '/dev/zero'); assert not (tmp_path/'z.npz').exists()
    (tmp_path/'huge.txt').write_text('word' * 250_000)   # 1 MB, one line, no space
    code, err = cli('activations', '--run', run, '--text', tmp_path/'huge.txt', '--out', tmp_path/'h.npz', limit=300)
    assert code == 0, err[-2000:]
    grow, stop = tmp_path/'grow.txt', threading.Event()
    grow.write_text('start ')
    def writer():
        with open(grow, 'a') as f:
            while not stop.is_set(): f.write('more words. ' * 1000); f.flush()
    monkeypatch.setattr(text_activations, 'MAX_TEXT_BYTES', 1 << 22)   # a smaller cap, so the case is quick
    t = threading.Thread(target=writer); t.start()
    try: code, err = cli('activations', '--run', run, '--text', grow, '--out', tmp_path/'g.npz', limit=120)
    finally: stop.set(); t.join()
    if code: one_clear_line(code, err, grow); assert not (tmp_path/'g.npz').exists()
    no_temporaries(tmp_path)

# --- local corpus files -----------------------------------------------------------------------------------------------

json_rows = st.lists(st.one_of(
    st.fixed_dictionaries({'text': st.text(max_size=80)}),
    st.fixed_dictionaries({'body': st.text(max_size=20)}),                        # the wrong field
    st.fixed_dictionaries({'text': st.one_of(st.integers(), st.none(), st.lists(st.integers(), max_size=2))}),
    st.text(max_size=30).map(lambda s: s + '{'),                                     # a broken line
    st.just([])), max_size=12)

def _jsonl(rows): return '\n'.join(r if isinstance(r, str) else json.dumps(r) for r in rows).encode()

def _parquet(column, values, cut):
    import pandas as pd
    buf = io.BytesIO(); pd.DataFrame({column: values}).to_parquet(buf)
    b = buf.getvalue()
    return b[:int(len(b) * cut)] if cut < 1 else b

corpora = st.one_of(
    st.tuples(st.just('txt'), texts),
    st.tuples(st.just('jsonl'), json_rows.map(_jsonl)),
    st.tuples(st.just('jsonl'), st.binary(max_size=200)),
    st.tuples(st.just('parquet'), st.builds(_parquet, st.sampled_from(['text', 'body', 'Text']),
                                            st.lists(st.one_of(st.text(max_size=40), st.none()), min_size=1, max_size=8),
                                            st.sampled_from([1, 1, 0.5, 0.1]))))

@examples(20)
@given(corpus=corpora)
def test_corpus_files(corpus):
    CASES['corpus files'] += 1
    kind, data = corpus
    d = Path(tempfile.mkdtemp()); f = d/f'corpus.{kind}'; f.write_bytes(data)
    code, err = cli('data', '--out', d/'shards', '--corpus', f, '--val-fraction', '0', '--shard-tokens', '4096', '--num-proc', '1')
    if code == 0:
        from monosemantic.data import TokenShards
        TokenShards(d/'shards', 'train')
    else:
        one_clear_line(code, err, f)
        assert not (d/'shards'/'manifest.json').exists()
    no_temporaries(d)
    shutil.rmtree(d)

# --- files of a run directory ---------------------------------------------------------------------------------------

def _commands(run, out):
    "The file of a run directory, and the command that reads it."
    text = out/'t.txt'
    activations = ['activations', '--run', run, '--text', text, '--out', out/'a.npz']
    return {'transformer/ckpt.pt': activations, 'sae/sae.safetensors': activations,
            'analysis/features.npz': activations + ['--show', '5'],
            'data/manifest.json': ['collect', '--model', run/'transformer', '--data', run/'data', '--out', out/'acts'],
            'data/train_0000.bin': ['collect', '--model', run/'transformer', '--data', run/'data', '--out', out/'acts'],
            'activations/manifest.json': ['sae', '--acts', run/'activations', '--out', out/'sae', '--preset', 'tiny', '--steps', '2'],
            'activations/acts_0001.npy': ['sae', '--acts', run/'activations', '--out', out/'sae', '--preset', 'tiny', '--steps', '2'],
            'run.json': ['run', '--preset', 'tiny', '--no-report', '--out', run],
            'stages.json': ['run', '--preset', 'tiny', '--no-report', '--out', run],
            'metrics.json': ['run', '--preset', 'tiny', '--no-report', '--out', run]}

@examples(30)
@given(name=st.sampled_from(sorted(_commands(Path('r'), Path('o')))), truncate=st.booleans(),
       where=st.floats(0, 1, exclude_max=True), bit=st.integers(0, 7))
def test_run_directory_files(tiny_run, name, truncate, where, bit):
    CASES['run directory files'] += 1
    d = Path(tempfile.mkdtemp()); run, out = d/'run', d/'out'
    shutil.copytree(tiny_run[0], run); out.mkdir(); (out/'t.txt').write_text('Hello world, again and again.')
    p = run/name; b = bytearray(p.read_bytes()); i = int(where * len(b))
    if truncate: p.write_bytes(bytes(b[:i]))
    else: b[i] ^= 1 << bit; p.write_bytes(bytes(b))
    code, err = cli(*_commands(run, out)[name])
    if code: one_clear_line(code, err, p.name, f'/{p.parent.name}/')   # the file, or its stage's directory (a file it lists)
    assert code or (p.suffix == '.json' and not truncate), f'{name} damaged, and the command succeeded'   # a bit of JSON may not matter
    if code: assert not (out/'a.npz').exists()
    no_temporaries(run, out)
    shutil.rmtree(d)

# --- command-line flags ---------------------------------------------------------------------------------------------

def _flags(command):
    "The optional flags of a subcommand, as its parser (or the stage's own) has them."
    sub = build_parser()._subparsers._group_actions[0].choices[command]
    return sorted(s for a in sub._actions for s in a.option_strings if s.startswith('--') and s != '--help')

values = st.one_of(st.text(st.characters(blacklist_characters='\0'), max_size=12),   # argv cannot hold a NUL
                   st.integers(-10**12, 10**12).map(str), st.floats(allow_nan=True).map(str),
                   st.sampled_from(['', '0', '-1', 'nan', 'inf', '1e999', 'true', 'none', ',', '1,,2', '--', '-x']))
RUN_FLAGS = [f for f in _flags('run') if f not in ('--out', '--no-report')]

@pytest.fixture
def stubbed(monkeypatch):
    "The stages replaced by a recorder: a command line that parses and validates reaches them, and nothing runs."
    from monosemantic import pipeline
    called = []
    monkeypatch.setattr(pipeline, 'run_pipeline', lambda *a, **k: called.append('run'))
    monkeypatch.setattr(pipeline, 'build_token_shards', lambda *a, **k: called.append('data') or {'splits': {}})
    return called

@examples(60)
@given(flags=st.lists(st.tuples(st.sampled_from(RUN_FLAGS), values), min_size=1, max_size=3))
def test_run_flags(stubbed, flags):
    CASES['command-line flags'] += 1
    d = Path(tempfile.mkdtemp())
    argv = ['run', '--out', d/'run'] + [x for f, v in flags for x in (f, v)]
    with contextlib.chdir(d): code, err = cli(*argv)   # a relative path among the values lands there
    if code: one_clear_line(code, err, *[f for f, _ in flags], *[f.split('.')[-1].replace('-', '_') for f, _ in flags], *[x for _, v in flags if v.strip() for x in (v.strip(), repr(v.strip())[1:-1])])   # a value, or its repr
    assert not (d/'run').exists(), 'a command line wrote something before the run'
    shutil.rmtree(d)

@examples(30)
@given(command=st.sampled_from(['data', 'collect', 'activations', 'train', 'sae', 'report']), data=st.data())
def test_stage_flags(tiny_run, stubbed, command, data):
    "Each single-stage command with random flags and values; the stages that would train are stubbed."
    from monosemantic import sae, transformer, activations
    CASES['command-line flags'] += 1
    run, d = tiny_run[0], Path(tempfile.mkdtemp())
    base = {'data': ['--out', d/'o'], 'collect': ['--model', run/'transformer', '--data', run/'data', '--out', d/'o'],
            'activations': ['--run', run, '--text', d/'t.txt', '--out', d/'o.npz'], 'train': ['--data', run/'data', '--out', d/'o'],
            'sae': ['--acts', run/'activations', '--out', d/'o'], 'report': [d/'o']}[command]
    (d/'t.txt').write_text('Some text to read.')
    names = {'train': ['--stop-at', '--preset'] + [f'--{f}' for f in ('lr', 'max-iters', 'batch-size', 'd-model', 'device', 'dtype')],
             'sae': ['--steps', '--recipe', '--preset', '--eval-batches', '--lr', '--n-features', '--k', '--l1-coeff', '--source']}
    flags = data.draw(st.lists(st.tuples(st.sampled_from(names.get(command) or _flags(command) or ['--x']), values), max_size=3))
    argv = [command, *base] + [x for f, v in flags for x in (f, v)]
    with pytest.MonkeyPatch.context() as m:
        m.setattr(transformer, 'train_transformer', lambda *a, **k: None)
        m.setattr(sae, 'train_sae', lambda *a, **k: None)
        m.setattr(activations, 'collect_activations', lambda *a, **k: {'n_vectors': 0, 'd': 0})
        with contextlib.chdir(d): code, err = cli(*argv)   # a relative path among the values lands there
    if code: one_clear_line(code, err, *[f for f, _ in flags], *[f.lstrip('-').replace('-', '_') for f, _ in flags],
                            *[x for _, v in flags if v.strip() for x in (v.strip(), repr(v.strip())[1:-1])], *map(str, base), 'unrecognized arguments')   # argparse lists them
    no_temporaries(d)
    shutil.rmtree(d)
