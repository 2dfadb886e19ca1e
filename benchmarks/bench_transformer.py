"""Training throughput of monosemantic's GPT against nanoGPT's model.py (vendored) on the same config, in one run,
and model FLOP/s as a fraction of the fp32 matmul peak measured in the same run.

The config is the default preset's shape (1 layer, d_model 128, 4 heads, d_mlp 512, block 128, batch 16) with the
full GPT-2 vocabulary for both models; a third row measures the restricted output layer (n_out 8192) in fp32, and
the next three the default's step, its output layer's matmuls in `TrainConfig().head_dtype` (bfloat16 on a CPU with
native bf16), against the code before issue 30 (fp32, foreach AdamW, the logits in one chunk of up to 2^27), against
the same step in fp32, and as model FLOP/s against the fp32 peak.
A step is forward, backward and an AdamW step on random ids. Rounds alternate the models and the best round of
each counts, since the machine is shared.
"""
import os, sys, time
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).parent/'vendor'))
import nanogpt_model
import monosemantic.transformer as mt
from monosemantic.transformer import GPT, GPTConfig, TrainConfig, configure_optimizer

B, T, V = 16, 128, 50257
CE_CHUNK = mt._linear_ce_chunks.__kwdefaults__['chunk_elements']
HEAD = TrainConfig().head_dtype   # the default's output-layer matmuls on this machine

def matmul_peak(n=2048, reps=5):
    "Best fp32 matmul FLOP/s of an n x n x n product."
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    best = min(_timed(lambda: a @ b) for _ in range(reps))
    return 2 * n ** 3 / best

def _timed(f):
    t = time.perf_counter(); f(); return time.perf_counter() - t

def flops_per_token(d=128, d_mlp=512, n_layer=1, n_out=V, t=T):
    "6 x matmul weights (forward and backward) + attention scores and values (nanoGPT's 12 L d T) at context t."
    return 6 * (n_layer * (4 * d * d + 2 * d * d_mlp) + d * n_out) + 12 * n_layer * d * t

def step_fn(model, opt, ours, ce_chunk=None, head='float32'):
    x, y = torch.randint(0, V, (B, T)), torch.randint(0, V, (B, T))
    def step():
        if ours: mt._linear_ce_chunks.__kwdefaults__['chunk_elements'] = ce_chunk or CE_CHUNK   # this step's chunk
        loss = model(x, y, logits=False, head_dtype=getattr(torch, head))[1] if ours else model(x, y)[1]
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step(); opt.zero_grad(set_to_none=True)
    return step

def tokens_per_s(step, n=4):
    step()  # warm-up
    return B * T * n / _timed(lambda: [step() for _ in range(n)])

def rows():
    torch.set_num_threads(os.cpu_count()); torch.manual_seed(0)
    cfg = TrainConfig(GPTConfig())   # the optimizer settings; the models below
    ours = GPT(GPTConfig(d_model=128, n_head=4, d_mlp=512, block_size=T))
    restricted = GPT(GPTConfig(d_model=128, n_head=4, d_mlp=512, block_size=T, n_out=8192))
    before = GPT(GPTConfig(d_model=128, n_head=4, d_mlp=512, block_size=T, n_out=8192))
    default = GPT(GPTConfig(d_model=128, n_head=4, d_mlp=512, block_size=T, n_out=8192))
    foreach = configure_optimizer(before, cfg)
    for g in foreach.param_groups: g['fused'] = None   # AdamW's default on CPU: foreach
    nano = nanogpt_model.GPT(nanogpt_model.GPTConfig(block_size=T, vocab_size=V, n_layer=1, n_head=4, n_embd=128, bias=True))
    steps = dict(ours=step_fn(ours, configure_optimizer(ours, cfg), True),
                 nano=step_fn(nano, nano.configure_optimizers(0.1, 2e-3, (0.9, 0.99), 'cpu'), False),
                 restricted=step_fn(restricted, configure_optimizer(restricted, cfg), True),
                 default=step_fn(default, configure_optimizer(default, cfg), True, head=HEAD),
                 before=step_fn(before, foreach, True, ce_chunk=1 << 27))
    best = {k: 0.0 for k in steps}
    peak = matmul_peak()
    for _ in range(2):
        for k, s in steps.items(): best[k] = max(best[k], tokens_per_s(s))
    mt._linear_ce_chunks.__kwdefaults__['chunk_elements'] = CE_CHUNK
    peak = max(peak, matmul_peak())
    ratio = best['ours'] / best['nano']
    frac = flops_per_token() * best['ours'] / peak
    frac_r = flops_per_token(n_out=8192) * best['restricted'] / peak
    gain, frac_d = best['default'] / best['before'], flops_per_token(n_out=8192) * best['default'] / peak
    return [('transformer: training tok/s vs nanoGPT (full vocab, CPU fp32)',
             f"{best['ours']:,.0f} tok/s vs nanoGPT {best['nano']:,.0f} tok/s = {ratio:.2f}x", '>= 1.0x', ratio >= 1.0),
            ('transformer: model FLOP/s / fp32 matmul peak',
             f"{flops_per_token() * best['ours'] / 1e9:.1f} GFLOP/s / {peak / 1e9:.1f} GFLOP/s = {frac:.2f}", '>= 0.5', frac >= 0.5),
            ('transformer: restricted output (n_out 8192) tok/s vs full vocab',
             f"{best['restricted']:,.0f} tok/s vs {best['ours']:,.0f} tok/s = {best['restricted'] / best['ours']:.1f}x "
             f"(FLOP fraction {frac_r:.2f})", '>= 3x', best['restricted'] / best['ours'] >= 3),
            ('transformer: default step (n_out 8192, output matmuls in ' + HEAD + ') tok/s vs the step before issue 30',
             f"{best['default']:,.0f} tok/s vs {best['before']:,.0f} tok/s = {gain:.2f}x", '>= 1.6x', gain >= 1.6),
            ('transformer: default step model FLOP/s / fp32 matmul peak',
             f"{flops_per_token(n_out=8192) * best['default'] / 1e9:.1f} GFLOP/s / {peak / 1e9:.1f} GFLOP/s = {frac_d:.2f} "
             f"(fp32 step {frac_r:.2f})", '>= 0.7', frac_d >= 0.7)] + (
           [('transformer: default step (output matmuls in bfloat16) tok/s vs the same step in fp32',
             f"{best['default']:,.0f} tok/s vs {best['restricted']:,.0f} tok/s = {best['default'] / best['restricted']:.2f}x",
             '>= 1.3x', best['default'] >= 1.3 * best['restricted'])] if HEAD == 'bfloat16' else [])

if __name__ == '__main__':
    for r in rows(): print(r)
