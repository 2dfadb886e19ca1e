"""The paper preset's time on one GPU, estimated from the benchmarks' FLOP counts: the transformer's training FLOPs
(bench_transformer.flops_per_token at the preset's context, over its tokens), the activation collection's forward
FLOPs, and the SAE's (bench_sae's 6N per sample, over its samples), at a share of a GPU's dense peak. A model this
narrow (d_model 128) keeps a GPU far from its peak, so the share is an assumption, given on the command line and
printed with the estimate; a measurement (a few hundred steps of each stage on a GPU machine) replaces it.

    python benchmarks/gpu_estimate.py                        # an H100's 989 TFLOP/s dense bf16, at 30% of it
    python benchmarks/gpu_estimate.py --peak-tflops 495 --mfu 0.2
"""
import argparse

from bench_sae import MODEL_FLOP_PER_SAMPLE
from bench_transformer import flops_per_token
from monosemantic.activations import ActivationConfig
from monosemantic.sae import SAEConfig
from monosemantic.transformer import GPTConfig, TrainConfig

def stage_flops() -> dict:
    "Each stage of the paper preset: (what it processes, how many, FLOPs in all)."
    t, a, s = TrainConfig.preset('paper'), ActivationConfig.preset('paper'), SAEConfig.preset('paper')
    m = t.model
    tokens = t.max_iters * t.batch_size * t.grad_accum * m.block_size
    n_out, d_mlp = m.n_out or GPTConfig().vocab_size, m.d_mlp or 4 * m.d_model
    # collection: forward through attention for every context token, the MLP's first layer at the sampled ones
    collect = a.n_contexts * (m.block_size * 2 * (4 * m.d_model ** 2 + 2 * m.d_model * m.block_size)
                              + a.tokens_per_context * 2 * m.d_model * d_mlp)
    assert (s.d_in, s.n_features) == (512, 4096), 'bench_sae counts the 512 x 4,096 dictionary'
    return dict(transformer=('tokens', tokens, tokens * flops_per_token(m.d_model, d_mlp, m.n_layer, n_out, m.block_size)),
                activations=('vectors', a.n_contexts * a.tokens_per_context, collect),
                sae=('samples', s.n_steps * s.batch_size, s.n_steps * s.batch_size * MODEL_FLOP_PER_SAMPLE))

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--peak-tflops', type=float, default=989.0, help="the GPU's dense peak (default: H100 SXM bf16, 989)")
    p.add_argument('--mfu', type=float, default=0.3, help='the share of that peak the stages reach (default 0.3)')
    a = p.parse_args()
    rate, total = a.peak_tflops * 1e12 * a.mfu, 0.0
    for name, (what, n, flops) in stage_flops().items():
        total += flops / rate
        print(f'{name:12} {n / 1e9:8.2f}B {what:8} {flops:9.2e} FLOP  {flops / rate / 3600:6.2f} h')
    print(f'{"in all":12} {total / 3600:6.1f} h at {a.mfu:.0%} of {a.peak_tflops:g} TFLOP/s (an estimate, not a measurement)')

if __name__ == '__main__':
    main()
