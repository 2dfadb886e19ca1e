"""The house rules that keep the package readable as chapters: each module imports only from the chapters before it
(notebook filenames sort in reading order) and no private name; no module over 900 lines, no function over 50; in
every notebook at most a quarter of the exports come without a sentence of prose right before them."""
import ast, json, re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PKG, NBS = ROOT/'monosemantic', ROOT/'nbs'
MODULES = sorted(p for p in PKG.glob('*.py') if not p.name.startswith('_'))
NOTEBOOKS = sorted(NBS.glob('*.ipynb'))

def chapter_of(module: Path) -> str:
    "The notebook a module is exported from, from nbdev's `# %% ../nbs/X.ipynb` cell markers."
    return re.search(r'^# %% \.\./nbs/(\S+\.ipynb)', module.read_text(), re.M).group(1)

def package_imports(src: str) -> list:
    "(module, name) of every `from .module import name` in `src`."
    return [(n.module, a.name) for n in ast.walk(ast.parse(src))
            if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module for a in n.names]

def backward_only(chapters: dict, imports: dict) -> list:
    """The imports that break the reading order: `chapters` maps module -> notebook name, `imports` module -> its
    (module, name) imports. A module may import from modules of earlier notebooks, never a private name."""
    return [f'{m} imports {n} from {src}' for m, imps in imports.items() for src, n in imps
            if src in chapters and (chapters[src] >= chapters[m] or n.startswith('_'))]

def long_functions(src: str, limit: int = 50) -> list:
    return [f'{n.name}: {n.end_lineno - n.lineno + 1} lines' for n in ast.walk(ast.parse(src))
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.end_lineno - n.lineno + 1 > limit]

def exports_without_prose(cells: list) -> tuple:
    "(exports, those without a markdown cell right before them) of a notebook's cells."
    src = lambda c: ''.join(c['source'])
    exports = [i for i, c in enumerate(cells) if c['cell_type'] == 'code' and re.search(r'^#\|\s*export\b', src(c), re.M)]
    bare = [i for i in exports if not (i and cells[i - 1]['cell_type'] == 'markdown' and src(cells[i - 1]).strip())]
    return exports, bare

def test_planted():
    "Each rule finds what it is there to find."
    chapters = {'a': '01_a.ipynb', 'b': '02_b.ipynb'}
    assert backward_only(chapters, {'b': [('a', 'f')], 'a': []}) == []
    assert backward_only(chapters, {'a': [('b', 'g')], 'b': [('a', '_h')]}) == ['a imports g from b', 'b imports _h from a']
    assert long_functions('def f():\n' + '    x = 1\n' * 50) == ['f: 51 lines']
    md, code = ({'cell_type': 'markdown', 'source': 'Why.'}, {'cell_type': 'code', 'source': '#| export\ndef f(): pass'})
    assert exports_without_prose([md, code, code]) == ([1, 2], [2])

def test_imports_follow_the_reading_order():
    chapters = {p.stem: chapter_of(p) for p in MODULES}
    assert backward_only(chapters, {p.stem: package_imports(p.read_text()) for p in MODULES}) == []

@pytest.mark.parametrize('module', [p.name for p in MODULES])
def test_module_size(module):
    src = (PKG/module).read_text()
    assert len(src.splitlines()) <= 900, f'{module}: split it by concern into chapters'
    assert long_functions(src) == []

@pytest.mark.parametrize('notebook', [p.name for p in NOTEBOOKS])
def test_exports_have_prose(notebook):
    exports, bare = exports_without_prose(json.loads((NBS/notebook).read_text())['cells'])
    assert len(bare) <= len(exports) / 4, f'{notebook}: cells {bare} export code with no sentence before them'
