"""`monosemantic activations` on a 500k-token text: the file the sparse writer writes against the dense one
(`--dense --neurons`, the layout before the features went sparse), each timed as the whole command in its own process.

No finished run is needed: the default transformer (d_model 128, d_mlp 512, GPT-2 vocabulary) with random weights and a
4,096-feature SAE whose negative encoder biases make about 20 features fire per token (the default run's L0 is 19.6),
saved as a run directory. The text is the embedded corpus' documents in order, up to 500k tokens."""
import os, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_analysis import synthetic_run   # the random-weight model and SAE, with the SAE's L0 set by its biases
from monosemantic.text_activations import load_activations
from monosemantic.artifacts import config_dict, save_torch
from monosemantic.data import embedded_documents, gpt2_encoding
from monosemantic.dictionary import save_sae

N_TOKENS = 500_000

def corpus_text(n_tokens=N_TOKENS) -> str:
    "The embedded corpus' documents, in order and repeated if needed, until they hold `n_tokens` GPT-2 tokens."
    enc, parts, n = gpt2_encoding(), [], 0
    while n < n_tokens:
        for text, _ in embedded_documents():
            parts.append(text); n += len(enc.encode_ordinary(text + '\n\n'))
            if n >= n_tokens: break
    return '\n\n'.join(parts)

# the command, reporting its peak RSS as it exits (VmHWM: ru_maxrss would count the benchmark's memory, inherited at fork)
CLI = [sys.executable, '-c', "import atexit, sys; atexit.register(lambda: sys.stderr.write(next(l for l in open('/proc/self/status') "
       "if l.startswith('VmHWM')))); from monosemantic.pipeline import main; main()", 'activations']

def timed(cmd):
    "Wall seconds, CPU seconds and peak RSS (bytes) of a command in its own process."
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, ru = os.wait4(p.pid, 0)
    wall, err = time.perf_counter() - t, p.stderr.read()
    if status: raise RuntimeError(f'{cmd} failed: {err[-2000:]}')
    return wall, ru.ru_utime + ru.ru_stime, int(err.split('VmHWM:')[-1].split()[0]) * 1024

def rows():
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        text = corpus_text()
        (d/'text.txt').write_text(text)
        ids = np.asarray(gpt2_encoding().encode_ordinary(text), dtype=np.int64)
        model, sae = synthetic_run(ids.astype(np.uint16), l0=20)
        save_torch(d/'run/transformer/ckpt.pt', dict(model=model.state_dict(), model_args=config_dict(model.config)))
        save_sae(sae, d/'run/sae/sae.safetensors')
        cli = CLI + ['--run', str(d/'run'), '--text', str(d/'text.txt'), '--out']
        result = {}
        for name, flags in (('sparse', []), ('sparse+neurons', ['--neurons']), ('dense', ['--dense', '--neurons'])):
            out = d/f'{name}.npz'
            result[name] = (*timed(cli + [str(out)] + flags), out.stat().st_size)
            if name == 'sparse': f = load_activations(out).features; l0 = len(f.index) / f.shape[0]
            out.unlink()
    (sw, sc, sr, ss), (_, _, _, sns), (dw, dc, dr, ds) = result['sparse'], result['sparse+neurons'], result['dense']
    what = f'{len(ids):,} tokens of the embedded corpus, random-weight default model + SAE at L0 {l0:.1f} of 4,096 (negative b_enc)'
    return [(f'activations of a text, file size: {what}',
             f'{ss / 1e6:.0f} MB sparse vs {ds / 1e9:.2f} GB dense (--dense --neurons) = 1/{ds / ss:.0f}; '
             f'--neurons adds {(sns - ss) / 1e6:.0f} MB', '<= 150 MB', ss <= 150e6),
            (f'activations of a text, time of the command (the same text, model load included)',
             f'{sw:.1f} s sparse ({sc / sw:.1f} cores, peak RSS {sr / 1e9:.2f} GB) vs {dw:.1f} s dense ({dc / dw:.1f} cores, '
             f'{dr / 1e9:.2f} GB); load avg {os.getloadavg()[0]:.1f}: sparse ~{sc / 2:.0f} s of CPU per core', '<= 40 s on 2 cores', sw <= 40)]

if __name__ == '__main__':
    for r in rows(): print(r)
