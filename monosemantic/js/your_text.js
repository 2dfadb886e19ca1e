// The "Your text" page of the feature browser: a text box, and on input (debounced) the features of the text,
// computed in this tab by window.monosemantic.activations (in_browser.js). Feature labels come from the browser's
// data/meta.js; each feature links to its page in the browser (index.html#feature=N).
"use strict";
(function () {
  const M = window.MS_META, E = window.monosemantic, $ = id => document.getElementById(id);
  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text != null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  };
  const fmt = x => Number(x).toPrecision(3);
  function named(f) {   // a feature's link and label
    const s = el('span', null, 'ms-named'), a = el('a', M.label + ' ' + f);
    a.href = 'index.html#feature=' + f;
    s.append(a, ' ', el('span', M.labels[f], 'ms-label ms-text'));
    return s;
  }
  // Each token's part of the text, readable as the Python side shows it (analysis.text_pieces and readable): a split
  // character on the token that completes it; · a space, ⏎ a newline, ⇥ a tab, ⍽ a no-break space.
  const HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u, NAMED = {'\n': '⏎', '\t': '⇥', '\xa0': '⍽'};
  const escape = c => {
    const n = c.codePointAt(0), hex = (w) => n.toString(16).padStart(w, '0');
    return c === '\r' ? '\\r' : n < 0x100 ? '\\x' + hex(2) : n < 0x10000 ? '\\u' + hex(4) : '\\U' + hex(8);
  };
  const readable = s => Array.from(s.replace(/ {4,}/g, m => '·×' + m.length).replace(/ /g, '·'),
                                   c => HIDDEN.test(c) ? NAMED[c] ?? escape(c) : c).join('');
  function pieces(tokens) {
    const dec = new TextDecoder('utf-8');
    return Array.from(tokens, t => {
      const raw = dec.decode(E.tokenBytes(t), {stream: true});
      return {text: readable(raw), newline: raw.endsWith('\n')};
    });
  }
  function rows(r, t) {   // token t's features, strongest first: [[feature, activation]]
    const out = [];
    for (let j = r.indptr[t]; j < r.indptr[t + 1]; j++) out.push([r.index[j], r.value[j]]);
    return out.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  }
  let result = null, shown = 200;
  function shaded(r, ps, by) {   // the text, each token shaded by its strongest feature (or by feature `by`)
    const box = el('div', null, 'ms-text ms-yours'), top = Array.from(ps, (_, t) => rows(r, t));
    const act = t => by == null ? (top[t][0] || [0, 0])[1] : (top[t].find(([f]) => f === by) || [0, 0])[1];
    let amax = 0;
    ps.forEach((_, t) => { amax = Math.max(amax, act(t)); });
    ps.forEach((p, t) => {
      const s = el('span', p.text, 'ms-tok' + (p.text ? '' : ' ms-part')), a = act(t);
      s.style.background = 'rgba(255,140,0,' + (amax > 0 ? a / amax : 0).toFixed(2) + ')';
      const f = by ?? (top[t][0] || [null])[0];
      s.title = f == null ? 'no feature fires' : M.label + ' ' + f + ' ' + fmt(a) + ': ' + M.labels[f];
      box.appendChild(s);
      if (p.newline) box.appendChild(el('br'));
    });
    return box;
  }
  function table(head, body) {
    const t = el('table'), tr = el('tr');
    for (const h of head) tr.appendChild(el('th', h));
    t.appendChild(tr);
    for (const cells of body) {
      const r = el('tr');
      for (const c of cells) { const td = el('td'); td.append(c); r.appendChild(td); }
      t.appendChild(r);
    }
    return t;
  }
  function show() {
    const {r, ps, ms} = result, n = r.tokens.length, by = $('shade').value === '' ? null : Number($('shade').value);
    const mx = new Map(), count = new Map();
    r.index.forEach((f, j) => { mx.set(f, Math.max(mx.get(f) || 0, r.value[j])); count.set(f, (count.get(f) || 0) + 1); });
    const best = [...mx.keys()].sort((a, b) => mx.get(b) - mx.get(a) || a - b).slice(0, 10);
    $('status').textContent = n + ' tokens, ' + (r.index.length / Math.max(n, 1)).toFixed(1) +
      ' active features a token; computed in ' + Math.round(ms) + ' ms in this tab' +
      (result.cut ? ', of the first ' + LONGEST.toLocaleString('en') + ' characters.' : '.');
    const pick = $('shade'), keep = pick.value;
    pick.replaceChildren(new Option("each token's strongest feature", ''),
                         ...best.map(f => new Option(M.label + ' ' + f + ': ' + M.labels[f], String(f))));
    pick.value = best.includes(Number(keep)) ? keep : '';
    const per = Array.from({length: Math.min(n, shown)}, (_, t) => {
      const fs = el('span');
      for (const [f, a] of rows(r, t).slice(0, 3)) { const d = el('div'); d.append(fmt(a) + ' ', named(f)); fs.append(d); }
      return [String(t), el('span', ps[t].text, 'ms-text'), fs];
    });
    const more = el('button', 'show all ' + n + ' tokens');
    more.hidden = n <= shown; more.onclick = () => { shown = Infinity; show(); };
    $('out').replaceChildren(
      shaded(r, ps, by == null || !mx.has(by) ? null : by),
      el('h2', 'Most active in the text'),
      table(['feature', 'max activation', 'tokens'], best.map(f => [named(f), fmt(mx.get(f)), String(count.get(f))])),
      el('h2', 'Strongest features per token'), table(['pos', 'token', 'features: activation, id, label'], per), more);
  }
  const LONGEST = 100000;   // characters computed on input (about 25,000 tokens, a few seconds); the API takes any
  function run() {
    const whole = $('text').value, text = whole.slice(0, LONGEST), t0 = performance.now(), r = E.activations(text);
    result = {r, ps: pieces(r.tokens), ms: performance.now() - t0, cut: whole.length > LONGEST};
    shown = 200;
    show();
  }
  let timer = null;
  $('text').addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(run, 300); });
  $('shade').addEventListener('change', show);
  run();
})();
