// The run's transformer up to the SAE's hook site and the SAE's encoder, in the browser tab: no server, no kernel.
// Reads window.MS_BPE (the run's GPT-2 BPE: ranks and pattern) and window.MS_MODEL (the weights and the WebAssembly
// kernel), classic scripts written by monosemantic.in_browser, and defines window.monosemantic:
//   activations(text) -> {tokens, indptr, index, value}: the layout of the .npz that `monosemantic activations` writes
//     (Int32Array token ids; Int32Array CSR row pointers; Int32Array feature ids, increasing within a token;
//     Float32Array activations, all > 0)
//   tokenize(text) -> token ids (tiktoken's encode_ordinary); tokenBytes(id) -> a token's bytes (Uint8Array)
//   simd: whether the matrix products run in WebAssembly (settable to false: plain JavaScript)
"use strict";
(function () {
  const bytesOf = b64 => {   // base64 -> Uint8Array
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(b64);
    const s = atob(b64), out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  };

  // GPT-2 BPE as tiktoken's encode_ordinary: split by the pattern, then merge each piece's bytes pairwise, the pair
  // whose merged bytes have the lowest rank first (the leftmost of equals).
  const B = window.MS_BPE, pattern = new RegExp(B.pattern, 'gu'), ranks = new Map(), tokenBytes = [];
  {
    const all = bytesOf(B.bytes), lengths = bytesOf(B.lengths);
    for (let t = 0, o = 0; t < lengths.length; o += lengths[t], t++) {
      const b = all.subarray(o, o + lengths[t]);
      tokenBytes.push(b);
      if (b.length) ranks.set(String.fromCharCode(...b), t);   // a byte string as a string of char codes 0..255
    }
  }
  const utf8 = new TextEncoder(), cache = new Map();
  const latin1 = bytes => {
    let s = '';
    for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
    return s;
  };
  function merge(piece) {   // piece: bytes as char codes -> token ids
    const whole = ranks.get(piece);
    if (whole !== undefined) return [whole];
    const cuts = Array.from({length: piece.length + 1}, (_, i) => i);
    for (;;) {
      let best = Infinity, at = -1;
      for (let i = 0; i + 2 < cuts.length; i++) {
        const r = ranks.get(piece.slice(cuts[i], cuts[i + 2]));
        if (r !== undefined && r < best) { best = r; at = i; }
      }
      if (at < 0) break;
      cuts.splice(at + 1, 1);
    }
    return cuts.slice(1).map((c, i) => ranks.get(piece.slice(cuts[i], c)));
  }
  function tokenize(text) {
    const ids = [];
    for (const m of text.matchAll(pattern)) {
      const piece = latin1(utf8.encode(m[0]));
      let got = cache.get(piece);
      if (got === undefined) { got = merge(piece); if (cache.size < 1e5) cache.set(piece, got); }
      for (const t of got) ids.push(t);
    }
    return ids;
  }

  // The weights: float32, the token embedding int16 with a float32 scale per row (see the chapter for why).
  const M = window.MS_MODEL, C = M.config, raw = bytesOf(M.data), W = {};
  for (const [name, [dtype, offset, length]] of Object.entries(M.tensors))
    W[name] = new (dtype === 'i16' ? Int16Array : Float32Array)(raw.buffer, offset, length);

  // The matrix products: WebAssembly with SIMD (M.kernel, assembled by monosemantic.in_browser) where the browser
  // runs it and the widths are multiples of 4, else plain JavaScript. The kernel's memory holds the weight matrices,
  // then room for one context's input and output.
  const MATRICES = ['attn_w', 'proj_w', 'fc_w', 'enc_w'], api = {simd: false};
  let kernel = null, at = {}, room = 0, f32 = null;
  try {
    kernel = new WebAssembly.Instance(new WebAssembly.Module(bytesOf(M.kernel))).exports;
    const rows = Math.ceil(C.block_size / 4) * 4, wide = Math.max(3 * C.d_model, C.d_mlp, C.n_features),
      deep = Math.max(C.d_model, C.d_mlp);
    let end = 0;
    for (const k of MATRICES) { at[k] = end; end += W[k].length * 4; }
    room = end; end += rows * (deep + wide) * 4;
    kernel.mem.grow(Math.max(0, Math.ceil((end - kernel.mem.buffer.byteLength) / 65536)));
    f32 = new Float32Array(kernel.mem.buffer);
    for (const k of MATRICES) f32.set(W[k], at[k] / 4);
    api.simd = true;
  } catch (e) { }   // no WebAssembly SIMD here: JavaScript computes alone

  // y[t, o] = b[o] + sum_i x[t, i] w[o, i] for T rows of x [T, n] and the matrix `name` [m, n].
  function linear(x, T, n, name, b, m) {
    const y = new Float64Array(T * m), w = W[name];
    if (api.simd && n % 4 === 0) {
      const rows = Math.ceil(T / 4) * 4, out = room + rows * n * 4;
      f32.set(x, room / 4); f32.fill(0, room / 4 + T * n, room / 4 + rows * n);   // rows past T: zeros, unread
      kernel.matmul(room, at[name], out, rows, n, m);
      for (let t = 0; t < T; t++) for (let o = 0; o < m; o++) y[t * m + o] = f32[out / 4 + t * m + o] + b[o];
      return y;
    }
    for (let t = 0; t < T; t++)
      for (let o = 0; o < m; o++) {
        let s = b[o];
        for (let i = 0, r = o * n; i < n; i++, r++) s += x[t * n + i] * w[r];
        y[t * m + o] = s;
      }
    return y;
  }
  function layerNorm(x, T, d, g, b) {   // torch's: biased variance, eps 1e-5
    const y = new Float64Array(T * d);
    for (let t = 0; t < T; t++) {
      let mean = 0, v = 0;
      for (let i = 0; i < d; i++) mean += x[t * d + i];
      mean /= d;
      for (let i = 0; i < d; i++) { const e = x[t * d + i] - mean; v += e * e; }
      const r = 1 / Math.sqrt(v / d + 1e-5);
      for (let i = 0; i < d; i++) y[t * d + i] = (x[t * d + i] - mean) * r * g[i] + b[i];
    }
    return y;
  }
  function erf(x) {   // Numerical Recipes' erfc, relative error below 1.2e-7
    const z = Math.abs(x), t = 1 / (1 + 0.5 * z);
    const c = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
      t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? 1 - c : c - 1;
  }
  function attention(qkv, T) {   // causal self-attention of all heads: [T, 3d] -> [T, d] before the projection
    const d = C.d_model, H = C.n_head, dh = d / H, y = new Float64Array(T * d), p = new Float64Array(T),
      scale = 1 / Math.sqrt(dh);
    for (let h = 0; h < H; h++)
      for (let t = 0; t < T; t++) {
        const q = t * 3 * d + h * dh;
        let mx = -Infinity, sum = 0;
        for (let s = 0; s <= t; s++) {
          const k = s * 3 * d + d + h * dh;
          let dot = 0;
          for (let i = 0; i < dh; i++) dot += qkv[q + i] * qkv[k + i];
          p[s] = dot * scale; if (p[s] > mx) mx = p[s];
        }
        for (let s = 0; s <= t; s++) { p[s] = Math.exp(p[s] - mx); sum += p[s]; }
        for (let s = 0; s <= t; s++) {
          const v = s * 3 * d + 2 * d + h * dh, a = p[s] / sum;
          for (let i = 0; i < dh; i++) y[t * d + h * dh + i] += a * qkv[v + i];
        }
      }
    return y;
  }
  function mlpHidden(ids) {   // one context (at most block_size tokens) -> the MLP's hidden activations [T, d_mlp]
    const T = ids.length, d = C.d_model, x = new Float64Array(T * d);
    for (let t = 0; t < T; t++) {
      const s = W.wte_scale[ids[t]];
      for (let i = 0; i < d; i++) x[t * d + i] = W.wte[ids[t] * d + i] * s + W.wpe[t * d + i];
    }
    const y = attention(linear(layerNorm(x, T, d, W.ln1_w, W.ln1_b), T, d, 'attn_w', W.attn_b, 3 * d), T);
    const a = linear(y, T, d, 'proj_w', W.proj_b, d);
    for (let i = 0; i < T * d; i++) x[i] += a[i];
    const h = linear(layerNorm(x, T, d, W.ln2_w, W.ln2_b), T, d, 'fc_w', W.fc_b, C.d_mlp);
    for (let i = 0; i < h.length; i++)
      h[i] = C.activation === 'gelu' ? 0.5 * h[i] * (1 + erf(h[i] / Math.SQRT2)) : Math.max(0, h[i]);
    return h;
  }
  function encode(h, T, out) {   // the SAE's encoder on [T, d_mlp]: each token's firing features pushed onto out
    const m = C.d_mlp, F = C.n_features, xs = new Float64Array(T * m);
    for (let i = 0; i < xs.length; i++) xs[i] = h[i] * C.input_scale - (C.pre_bias ? W.b_dec[i % m] : 0);
    const pre = linear(xs, T, m, 'enc_w', W.b_enc, F), topValue = new Float64Array(C.k),
      topFeature = new Int32Array(C.k);
    for (let t = 0; t < T; t++) {
      const row = pre.subarray(t * F, (t + 1) * F), fire = [];
      if (C.sae_activation === 'topk') {   // the k largest (kept sorted, largest first), then ReLU
        let n = 0;
        for (let f = 0; f < F; f++) {
          const v = row[f];
          if (n === C.k && v <= topValue[C.k - 1]) continue;
          let j = n < C.k ? n++ : C.k - 1;
          for (; j > 0 && topValue[j - 1] < v; j--) { topValue[j] = topValue[j - 1]; topFeature[j] = topFeature[j - 1]; }
          topValue[j] = v; topFeature[j] = f;
        }
        for (let j = 0; j < n; j++) if (topValue[j] > 0) fire.push(topFeature[j]);
        fire.sort((a, b) => a - b);
      } else {   // relu, or batchtopk after training: pre above its calibrated threshold (0 for relu)
        for (let f = 0; f < F; f++) if (row[f] > C.threshold && row[f] > 0) fire.push(f);
      }
      for (const f of fire) { out.index.push(f); out.value.push(row[f]); }
      out.indptr.push(out.index.length);
    }
  }
  function activations(text) {
    const tokens = tokenize(text), out = {index: [], value: [], indptr: [0]};
    for (let s = 0; s < tokens.length; s += C.block_size) {   // contexts restart every block_size tokens, as in Python
      const ids = tokens.slice(s, s + C.block_size);
      encode(mlpHidden(ids), ids.length, out);
    }
    return {tokens: Int32Array.from(tokens), indptr: Int32Array.from(out.indptr), index: Int32Array.from(out.index),
            value: Float32Array.from(out.value)};
  }
  window.monosemantic = Object.assign(api, {activations, tokenize, tokenBytes: t => tokenBytes[t]});
})();
