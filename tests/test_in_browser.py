"""The *Your text* page (chapter 05_your_text) of a tiny run, opened from files in headless Chromium: the run's
transformer and SAE in the page give the token ids of tiktoken and the activations of `monosemantic activations`,
for a ReLU, a TopK and a BatchTopK dictionary; the page shows them with labels and links; no request leaves the disk."""
import os, shutil, sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers import Watched, need_browser, save_screenshot
from page_parity import cli_activations, compare, page_activations

need_browser()

TEXTS = ["The quick brown fox jumps over the lazy dog. It's   here, isn't it?\n\n  ok   \t\n",
         'Der schnelle braune Fuchs springt über den faulen Hund; Москва — столица России; 東京は日本の首都です。',
         'مرحبا بالعالم. नमस्ते दुनिया. 🎉🚀 naïve café ½ x\u0085y\ufeffz\u3000w\u00a0v',  # JavaScript's \s is not Rust's
         'def mean(xs):\n    return sum(xs) / len(xs)  # <|endoftext|>\n\nif __name__ == "__main__":\n\tprint(mean([1, 2]))\n',
         ' '.join(['lorem ipsum dolor sit amet, consectetur adipiscing elit'] * 12)]   # past block_size: contexts restart

@pytest.fixture(scope='module')
def runs(tiny_run, tmp_path_factory):
    """Copies of the tiny run with its SAE's encoder as ReLU, TopK (k=8) and BatchTopK, its biases raised so that a
    third of the pre-activations on TEXTS are positive (the tiny run's own fire on almost nothing), BatchTopK's
    threshold where a sixth are above it: kind -> (run directory, its page)."""
    import torch
    from monosemantic.analysis_pass import iter_activations, load_run
    from monosemantic.data import gpt2_encoding
    from monosemantic.in_browser import write_text_page
    from monosemantic.dictionary import sae_like, save_sae
    from monosemantic.viewer import write_feature_site
    run, root = tiny_run[0], tmp_path_factory.mktemp('in_browser')
    site = write_feature_site(run/'analysis', run/'data', root/'site').parent
    model, sae = load_run(run)
    ids = gpt2_encoding().encode_ordinary(''.join(TEXTS))
    with torch.no_grad():
        pre = torch.cat([sae.pre_activations(h) for _, h in iter_activations(model, None, ids)])
        sae.b_enc -= pre.quantile(2 / 3)
    out = {}
    for kind in ('relu', 'topk', 'batchtopk'):
        r = root/kind
        (r/'sae').mkdir(parents=True)
        shutil.copytree(run/'transformer', r/'transformer')
        other = sae_like(sae, activation=kind, k=0 if kind == 'relu' else 8)
        other.load_state_dict(sae.state_dict())
        if kind == 'batchtopk': other.threshold.fill_(float((pre - pre.quantile(2 / 3)).quantile(5 / 6)))
        save_sae(other, r/'sae'/'sae.safetensors')
        shutil.copytree(site, root/f'site_{kind}')
        out[kind] = (r, write_text_page(r, root/f'site_{kind}'))
    return out

@pytest.mark.parametrize('kind', ['relu', 'topk', 'batchtopk'])
def test_parity(browser, runs, kind, tmp_path):
    "The page's tokens and activations against the CLI's, with its WebAssembly kernel and with plain JavaScript."
    run, page = runs[kind]
    w = Watched(browser)
    w.page.goto(page.as_uri()); w.page.wait_for_selector('#status:has-text("computed in")')
    assert w.page.evaluate('monosemantic.simd'), 'Chromium runs WebAssembly SIMD'
    wants = cli_activations(run, TEXTS, tmp_path)
    for simd in (True, False):
        w.page.evaluate('s => { monosemantic.simd = s; }', simd)
        fired = 0
        for text, want in zip(TEXTS, wants):
            got = page_activations(w.page, text)
            c = compare(run, got, want)
            assert c['tokens_equal'], text
            assert c['max_error'] <= 1e-3 and c['unexplained'] == 0, (simd, text, c)
            fired += len(got['index'])
        assert fired > 10 * len(TEXTS)
    assert page_activations(w.page, '')['tokens'] == []
    w.clean()

def test_page(browser, runs, capsys):
    "Typing shows the text shaded, the most active features with labels, each token's; a feature links to its page."
    import json
    run, page = runs['topk']
    meta = json.loads((page.parent/'data'/'meta.js').read_text().split('=', 1)[1].rstrip().rstrip(';'))
    w = Watched(browser); p = w.page
    p.goto(page.as_uri()); p.wait_for_selector('#status:has-text("computed in")')
    assert 'runs in this browser tab' in p.locator('main').inner_text()
    text = 'Le chat dort sur le tapis. The cat sleeps on the mat.\nx = [1, 2, 3]'
    p.fill('#text', text)
    p.wait_for_function('t => document.querySelectorAll(".ms-yours .ms-tok").length === t',
                        arg=len(page_activations(p, text)['tokens']))
    assert p.locator('#status').inner_text().startswith(f"{len(page_activations(p, text)['tokens'])} tokens")
    assert ''.join(p.locator('.ms-yours .ms-tok').all_inner_texts()).replace('·', ' ').replace('⏎', '\n') == text
    first = p.locator('main table').first.locator('tr').nth(1)
    f = int(first.locator('a').inner_text().split()[1])
    assert meta['labels'][f] in first.inner_text()
    before = p.locator('.ms-yours').inner_html()
    p.select_option('#shade', str(f))   # the text shaded by that feature alone
    assert p.locator('.ms-yours').inner_html() != before
    save_screenshot(p, page.parent/'your_text.png', capsys)
    p.fill('#text', 'word ' * 25_000)   # past what the page computes on input: it says so, and shows 200 tokens
    p.wait_for_selector('#status:has-text("of the first 100,000 characters")')
    assert p.locator('main table').nth(1).locator('tr').count() == 201
    p.fill('#text', text); p.wait_for_function('document.querySelectorAll(".ms-yours .ms-tok").length < 100')
    first = p.locator('main table').first.locator('tr').nth(1)
    first.locator('a').click(); p.wait_for_selector('#feature-title')
    assert p.locator('#feature-title').inner_text() == f'Feature {f}'
    w.clean()

def test_report(browser, request, tmp_path, capsys):
    """A report's overview links the page; the page has the report's sidebar and computes from disk what the CLI does.
    The report of a tiny run rendered here, or a finished run's (MONOSEMANTIC_REPORT_RUN: runs/default after
    `monosemantic report`)."""
    if given := os.environ.get('MONOSEMANTIC_REPORT_RUN'): run = Path(given)
    else:
        from monosemantic.report import render_report
        run = tmp_path/'run'
        shutil.copytree(request.getfixturevalue('tiny_run')[0], run)
        render_report(run, chapters=['index.ipynb', '05_your_text.ipynb'], progress=False)
    assert (run/'report'/'05_your_text.html').exists()
    w = Watched(browser); p = w.page
    p.goto((run/'report'/'index.html').as_uri())
    p.click('main a[href="features/your_text.html"]'); p.wait_for_selector('#status:has-text("computed in")')
    assert p.locator('nav.ms-side a').count() >= 8 and p.locator('.ms-yours .ms-tok').count() > 10
    for text, want in zip(TEXTS, cli_activations(run, TEXTS, tmp_path/'cli')):
        c = compare(run, page_activations(p, text), want)
        assert c['tokens_equal'] and c['max_error'] <= 1e-3 and c['unexplained'] == 0, (text, c)
        with capsys.disabled(): print(f"\n{run.name}: {c['n_tokens']} tokens, max |page - CLI| {c['max_error']:.1e}, "
                                      f"{c['near_ties']} pairs at near ties, {c['ms']:.0f} ms in the page")
    save_screenshot(p, tmp_path/'your_text_report.png', capsys)
    w.clean()
