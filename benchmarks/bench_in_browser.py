"""The *Your text* page (chapter 05_your_text): a 2,000-token text through the run's transformer and SAE encoder in
headless Chromium, opened from disk, timed side by side with `monosemantic activations` on the same text; the page's
size; its parity with the command's output there.

The run: `MONOSEMANTIC_RUN` if set (a finished run such as runs/default: parity is meaningful there), else the default
sizes with random weights (the default transformer, a TopK SAE of 1,024 features at k=20), saved as a run directory.
The text: the embedded corpus' documents in order, cut at 2,000 GPT-2 tokens. The page's time is the median of three
calls of `window.monosemantic.activations` after one to warm up; the command's is its wall time as a process (Python's
start, the model's load and the writing included), beside `text_activations` in a warm process (median of three)."""
import os, sys, tempfile, time
from pathlib import Path

import numpy as np
import torch

here = Path(__file__).parent
sys.path.insert(0, str(here.parent/'tests'))
from helpers import ARGS, CHROMIUM   # the headless Chromium of the browser tests
from page_parity import cli_activations, compare, page_activations
from monosemantic.analysis_pass import load_run
from monosemantic.text_activations import text_activations
from monosemantic.artifacts import config_dict, read_json, save_torch
from monosemantic.data import embedded_documents, gpt2_encoding
from monosemantic.in_browser import JS_DIR, write_model_scripts
from monosemantic.dictionary import SparseAutoencoder, save_sae
from monosemantic.transformer import GPT, TrainConfig

N_TOKENS = 2_000

def text_of(n_tokens=N_TOKENS) -> str:
    "The embedded corpus' first documents, cut at `n_tokens` GPT-2 tokens."
    enc, ids = gpt2_encoding(), []
    for text, _ in embedded_documents():
        ids += enc.encode_ordinary(text + '\n\n')
        if len(ids) >= n_tokens: return enc.decode(ids[:n_tokens])

def random_run(out: Path) -> Path:
    "The default transformer and a TopK SAE (1,024 features, k=20) with random weights, as a run directory."
    torch.manual_seed(0)
    model = GPT(TrainConfig.preset('default').model_config()).eval()
    save_torch(out/'transformer'/'ckpt.pt', dict(model=model.state_dict(), model_args=config_dict(model.config)))
    save_sae(SparseAutoencoder(model.config.d_mlp, 1024, activation='topk', k=20), out/'sae'/'sae.safetensors')
    return out

def rows():
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        run = Path(os.environ['MONOSEMANTIC_RUN']) if os.environ.get('MONOSEMANTIC_RUN') else random_run(d/'run')
        model, sae = load_run(run)
        size = write_model_scripts(model, sae, d/'page') + (JS_DIR/'your_text.js').stat().st_size
        (d/'page'/'bench.html').write_text('<!DOCTYPE html><meta charset="utf-8"><script src="data/bpe.js"></script>'
                                           '<script src="data/model.js"></script><script src="in_browser.js"></script>')
        text = text_of()
        t = time.perf_counter(); (want,) = cli_activations(run, [text], d/'cli'); cli_s = time.perf_counter() - t
        warm = []
        for _ in range(3):
            t = time.perf_counter(); text_activations(model, sae, text); warm.append(time.perf_counter() - t)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page()
            t = time.perf_counter(); page.goto((d/'page'/'bench.html').as_uri()); load_s = time.perf_counter() - t
            got = [page_activations(page, text) for _ in range(4)][1:]
            browser.close()
        c = compare(run, got[0], want)
    page_ms, n = float(np.median([g['ms'] for g in got])), len(got[0]['tokens'])
    which = (f"the {read_json(run/'run.json').get('preset', run.name)} run" if os.environ.get('MONOSEMANTIC_RUN')
             else 'default sizes, random weights')
    return [(f'your text in the browser: a {n:,}-token text, the page vs the CLI ({which}, headless Chromium)',
             f'{page_ms:.0f} ms in the page (its load {load_s:.1f} s once) vs {cli_s:.1f} s the command as a process '
             f'({1000 * float(np.median(warm)):.0f} ms in a warm process); load avg {os.getloadavg()[0]:.1f}',
             '< 1 s in the page on 2 cores', page_ms < 1000),
            ('your text in the browser: what the page adds (default width)',
             f'{size / 1e6:.1f} MB (the token embedding int16 with a scale per row, the rest float32, the BPE ranks, '
             'the scripts)', '<= 30 MB', size <= 30e6),
            (f'your text in the browser: parity with the CLI on that text ({which})',
             f"tokens {'equal' if c['tokens_equal'] else 'DIFFER'}; max |page - CLI| {c.get('max_error', float('nan')):.1e} "
             f"where both fire; {c.get('near_ties', 0)} (token, feature) pairs in one set only at near ties, "
             f"{c.get('unexplained', 0)} otherwise", '<= 1e-3, none otherwise',
             c['tokens_equal'] and c['max_error'] <= 1e-3 and c['unexplained'] == 0)]

if __name__ == '__main__':
    for r in rows(): print(r)
