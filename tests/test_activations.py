"""`monosemantic activations` end to end on the tiny run: both layouts round-trip through `load_activations`, standard
input and several texts in one call, one clear line for a bad text, `--show`, and a kill that leaves nothing behind."""
import io, re, signal, subprocess, sys, time

import numpy as np
import pytest
import torch

from monosemantic import text_activations
from monosemantic.text_activations import SPARSE_KEYS, SparseFeatures, feature_activations, load_activations
from monosemantic.artifacts import TEMPORARY
from monosemantic.data import gpt2_encoding
from monosemantic.pipeline import main
from monosemantic.dictionary import SparseAutoencoder, save_sae

TEXT = 'The cat sat on the mat. Le chat est assis sur le tapis.\ndef f(x):\n    return x + 1\n' * 3
CLI = [sys.executable, '-c', 'from monosemantic.pipeline import main; main()', 'activations']

def cli(*args, capsys, stdin=b''):
    "Run `monosemantic activations ARGS` in this process; return (exit code, stdout, stderr)."
    with pytest.MonkeyPatch.context() as m:
        m.setattr(sys, 'stdin', io.TextIOWrapper(io.BytesIO(stdin)))
        try: main(['activations', *map(str, args)]); code = 0
        except SystemExit as e: code = e.code
    out, err = capsys.readouterr()
    return code, out, err

def same_features(a: SparseFeatures, b: SparseFeatures):
    np.testing.assert_array_equal(a.indptr, b.indptr); np.testing.assert_array_equal(a.index, b.index)
    np.testing.assert_allclose(a.value, b.value, rtol=1e-6, atol=1e-7); assert a.n_features == b.n_features

@pytest.fixture(scope='module')
def run(tiny_run, tmp_path_factory):
    "The tiny run's transformer and analysis with an untrained SAE, about half of whose features fire (the tiny run's SAE is nearly silent)."
    d = tmp_path_factory.mktemp('run')
    for part in ('transformer', 'analysis'): (d/part).symlink_to(tiny_run[0]/part)
    save_sae(SparseAutoencoder(128, 64, torch.Generator().manual_seed(0)), d/'sae'/'sae.safetensors')
    return d

@pytest.fixture(scope='module')
def text_file(tmp_path_factory):
    p = tmp_path_factory.mktemp('texts')/'a.txt'
    p.write_text(TEXT)
    return p

def test_round_trip_sparse(run, text_file, tmp_path, capsys):
    out = tmp_path/'a.npz'
    code, _, err = cli('--run', run, '--text', text_file, '--out', out, capsys=capsys)
    assert code == 0, err
    with np.load(out) as z:
        assert set(z.files) == {'tokens', 'n_features', *SPARSE_KEYS}
        assert (z['feature_indptr'].dtype, z['feature_index'].dtype, z['feature_value'].dtype) == (np.int64, np.int32, np.float32)
    mem = feature_activations(run, TEXT)
    assert len(mem.features.index) > len(mem.tokens)   # features fire
    back = load_activations(out)
    np.testing.assert_array_equal(back.tokens, mem.tokens); assert back.neurons is None
    same_features(back.features, mem.features)
    np.testing.assert_allclose(load_activations(out, dense=True).features, mem.features.dense(), rtol=1e-6, atol=1e-7)

def test_round_trip_dense(run, text_file, tmp_path, capsys):
    out = tmp_path/'a.npz'
    code, _, err = cli('--run', run, '--text', text_file, '--out', out, '--dense', '--neurons', capsys=capsys)
    assert code == 0, err
    with np.load(out) as z: assert set(z.files) == {'tokens', 'n_features', 'features', 'neurons'}
    mem = feature_activations(run, TEXT)
    back = load_activations(out, dense=True)
    np.testing.assert_allclose(back.features, mem.features.dense(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(back.neurons, mem.neurons, rtol=1e-6, atol=1e-7)
    same_features(load_activations(out).features, mem.features)

def test_stdin_and_several_texts_share_one_model_load(run, text_file, tmp_path, monkeypatch, capsys):
    loads, load_run = [], text_activations.load_run
    monkeypatch.setattr(text_activations, 'load_run', lambda d: loads.append(d) or load_run(d))
    (tmp_path/'b.txt').write_text('Hello world')
    code, out, err = cli('--run', run, '--text', '-', text_file, tmp_path/'b.txt', '--out', tmp_path/'out', capsys=capsys,
                         stdin='Bonjour le monde.'.encode())
    assert code == 0 and len(loads) == 1, err
    assert sorted(p.name for p in (tmp_path/'out').iterdir()) == ['a.npz', 'b.npz', 'stdin.npz']
    assert len(load_activations(tmp_path/'out'/'stdin.npz').tokens) == len(gpt2_encoding().encode_ordinary('Bonjour le monde.'))
    assert out.count('wrote ') == 3

@pytest.mark.parametrize('make, stdin, message', [
    (lambda d: d, None, '{p}: is a directory, not a text file; give the files in it, e.g. --text {p}/*.txt'),
    (lambda d: (d/'latin1.txt').write_bytes('café'.encode('latin1')) and d/'latin1.txt', None,
     '{p}: not UTF-8 text (byte 0xe9 at offset 3); convert it, e.g. iconv -f latin1 -t utf-8 {p} > fixed.txt'),
    (lambda d: '-', 'café'.encode('latin1'),
     'standard input: not UTF-8 text (byte 0xe9 at offset 3); convert it, e.g. pipe it through iconv -f latin1 -t utf-8'),
    (lambda d: d/'missing.txt', None, '{p}: no such file; give a UTF-8 text file with --text')])
def test_bad_text_one_line_nothing_written(run, text_file, tmp_path, capsys, make, stdin, message):
    d = tmp_path/'in'; d.mkdir()
    p = make(d)
    code, _, err = cli('--run', run, '--text', text_file, p, '--out', tmp_path/'out', capsys=capsys, stdin=stdin or b'')
    assert code == 1 and err == f'monosemantic: error: {message.format(p=p)}\n', err
    assert not (tmp_path/'out').exists()   # not even the good text's file

def test_show(run, text_file, tmp_path, capsys):
    code, out, err = cli('--run', run, '--text', text_file, '--out', tmp_path/'a.npz', '--show', '8', capsys=capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f'wrote {tmp_path/"a.npz"}') and lines[1] == f'{text_file}:'   # a long name: a line of its own
    assert 'the first 8 below' in lines[2] and re.match(r'\s+7  \S', lines[11])   # the column titles, then tokens 0..7
    assert '\x1b' not in out and max(len(l) for l in lines[2:]) <= 100   # a pipe: plain text in 100 columns
    assert 'most active in the text' in out and 'no analysis' not in out

def test_kill_leaves_nothing_half_written(run, tmp_path):
    (tmp_path/'long.txt').write_text(TEXT * 400)   # ~38k tokens
    out = tmp_path/'out'/'long.npz'
    args = CLI + [str(a) for a in ('--run', run, '--text', tmp_path/'long.txt', '--out', out, '--dense', '--neurons')]
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(3000):   # until the writer has started
        if list(out.parent.glob(f'.*{TEMPORARY}*')) or p.poll() is not None: break
        time.sleep(0.01)
    p.send_signal(signal.SIGKILL); p.wait()
    assert not out.exists(), 'the writer finished before the kill: make the text longer'
    r = subprocess.run(args, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert sorted(out.parent.iterdir()) == [out]   # the killed writer's temporary is gone
    assert load_activations(out).tokens.shape == load_activations(out, dense=True).neurons.shape[:1]
