"Tokenization throughput of `build_token_shards` (worker processes) against one process's `encode_ordinary_batch`."
import os, tempfile, time
from pathlib import Path
from monosemantic.data import DataConfig, build_token_shards, embedded_documents, gpt2_encoding

def rows():
    docs = [t for t, _ in embedded_documents()]
    enc = gpt2_encoding()
    t = time.perf_counter(); n = sum(len(x) for x in enc.encode_ordinary_batch(docs)); single = n / (time.perf_counter() - t)
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        m = build_token_shards(Path(d)/'shards', DataConfig(), progress=False)
        total = sum(s['n_tokens'] for s in m['splits'].values())
        built = total / (time.perf_counter() - t)
    return [('data: tokenize embedded corpus to shards',
             f'{built/1e6:.2f}M tok/s ({os.cpu_count()} procs, incl. reading and writing) vs encode_ordinary_batch {single/1e6:.2f}M tok/s '
             f'= {built/single:.2f}x', '>= 0.8x (sharding costs little)', built / single >= 0.8)]
