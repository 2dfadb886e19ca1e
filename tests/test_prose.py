"""No run figure typed into prose. The chapters carry the default run's outputs in their `#| run` cells; a figure of
those outputs typed by hand into a chapter's markdown goes stale when the run changes (chapter 01 once said val loss
3.70 while the run said 3.699). Prose that quotes the run is computed by a `#| run` cell (IPython's Markdown), or is a
dated note: a markdown cell that names the date (YYYY-MM-DD) of the runs it quotes."""
import json, re
from decimal import Decimal
from pathlib import Path

import pytest

NBS = Path(__file__).parents[1]/'nbs'
FIGURE = re.compile(r'(?<![\w.,])\d[\d,]*\.\d+|(?<![\w.,])\.\d+')   # decimals: 3.70, 1,024.5, .937 (integers are settings)
DATE = re.compile(r'\b20\d\d-[01]\d-[0-3]\d\b')
NOT_RUN_FIGURES = {'00_runs.ipynb': ['2.13']}   # torch 2.13: a version that a run figure happens to round to

def _text(x): return ''.join(x) if isinstance(x, list) else x

def run_figures(notebooks) -> set:
    "Every decimal figure printed by a `#| run` cell of `notebooks` (its stored outputs: the default run's)."
    out = set()
    for nb in notebooks:
        for c in nb['cells']:
            if c['cell_type'] == 'code' and re.search(r'^#\|\s*run\b', _text(c['source']), re.M):
                for o in c.get('outputs', []):
                    for t in [_text(o.get('text', ''))] + [_text(v) for v in o.get('data', {}).values() if isinstance(v, (str, list))]:
                        out |= {Decimal(f.replace(',', '')) for f in FIGURE.findall(t)}
    return out

def typed_figures(nb, figures) -> list:
    """The figures of `nb`'s markdown, outside dated notes, that a run figure rounds to (three significant digits at
    least: 0.5 or 3.3 could be anything)."""
    found = []
    for c in nb['cells']:
        if c['cell_type'] != 'markdown' or DATE.search(_text(c['source'])): continue
        for f in FIGURE.findall(_text(c['source'])):
            d = Decimal(f.replace(',', ''))
            exp = d.as_tuple().exponent
            if len(d.as_tuple().digits) >= 3 and any(r.quantize(d) == d for r in figures if r.as_tuple().exponent <= exp):
                found.append(f)
    return found

def test_planted():
    "A figure of the run typed into prose is found, rounded or not; in a dated note, too short to tell or not the run's, it is not."
    run = {'cells': [{'cell_type': 'code', 'source': '#| run\nprint(loss)', 'outputs': [{'text': 'val loss 3.699, 98.04%'}]}]}
    md = lambda s: {'cells': [{'cell_type': 'markdown', 'source': s}]}
    figures = run_figures([run])
    assert typed_figures(md('It ended at a val loss of 3.70 (98.0% recovered).'), figures) == ['3.70', '98.0']
    assert typed_figures(md('Measured 2026-12-01:\n\nval loss 3.70.'), figures) == []   # a dated note
    assert typed_figures(md('A loss near 3.7, of 3.80 or of .42.'), figures) == []   # too short, or not the run's

@pytest.mark.parametrize('chapter', sorted(p.name for p in NBS.glob('*.ipynb')))
def test_no_run_figure_in_prose(chapter):
    figures = run_figures(json.loads(p.read_text()) for p in NBS.glob('*.ipynb'))
    assert typed_figures(json.loads((NBS/chapter).read_text()), figures) == NOT_RUN_FIGURES.get(chapter, [])
