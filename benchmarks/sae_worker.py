"""Time one SAE trainer and print its figures as JSON (used by bench_sae.py).

usage: python sae_worker.py WHICH STEPS BATCH DATA [FEATURES L0 [ACTIVATION]]
WHICH: 'sparse' or 'dense' (this trainer, `train_sae` with sparse_step 'always' or 'never'), 'steps' (the two steps
alone, alternating on one SAE), 'sae-lens' or 'dictionary-learning'. DATA: a torch file of activations [n, 512].
FEATURES and L0 ('steps' only): another width, and the L0 the steps are timed at (default 4,096 and 40); ACTIVATION
'topk' times TopK steps with k = L0 (default 'relu', its encoder bias set so that L0 features fire).

Same data, 4096 features, Adam lr 3e-4, one resampling at half time where the trainer has it (ours,
dictionary-learning; sae-lens has none). Every trainer is timed alike: from the moment it draws its first batch to
its return, so its setup (building the SAE, initialising it: for ours the geometric median) is left out and
everything after (logging, resampling, checkpoints, the final export) is in. Ours starts near the default run's L0
(each feature's encoder bias set so that it fires on L0_START of 4,096 inputs; its L0 falls while it trains), which
the peers' dense steps do not care about. The peers' branches import only torch and the peer, so that their environment needs nothing of ours.
"""
import copy, dataclasses, json, sys, tempfile, time
import torch

D, F, LR, L1 = 512, 4096, 3e-4, 1.4e-4
L0_STEPS, L0_START = 40, 60   # the steps alone at the paper width's L0; training from 60 (its L0 falls as it trains)
which, steps, B, data = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
if len(sys.argv) > 5: F, L0_STEPS = int(sys.argv[5]), int(sys.argv[6])
ACTIVATION = sys.argv[7] if len(sys.argv) > 7 else 'relu'
x = torch.load(data, weights_only=True)
first = None

def endless(seed=0):
    "Shuffled batches [B, D], noting when the first is drawn: the start of every trainer's timing window."
    global first
    for epoch in range(1_000_000):
        perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed * 100_003 + epoch))
        for i in range(0, len(x) - B + 1, B):
            if first is None: first = time.perf_counter()
            yield x[perm[i:i + B]]

def matmul_peak(repeat=5):
    "Best fp32 matmul FLOP/s over the SAE's own shapes and a square one."
    best = 0.0
    for m, k, n in [(2048, 2048, 2048), (B, D, F), (B, F, D), (D, B, F)]:
        a, b = torch.randn(m, k), torch.randn(k, n)
        for _ in range(repeat):
            t = time.perf_counter(); a @ b; best = max(best, 2 * m * k * n / (time.perf_counter() - t))
    return best

out = {}
if which in ('sparse', 'dense', 'steps'):
    from monosemantic.artifacts import save_torch
    from monosemantic.runs import read_metrics
    from monosemantic.sae import SAEConfig, TensorSource, _adam, init_sae, sae_step, train_sae

    class Source(TensorSource):
        def batches(self, batch_size, seed=0, rank=0, world_size=1): return endless(seed)

    src = Source(x)
    log = max(1, steps // 4)
    cfg = SAEConfig(d_in=D, n_features=F, lr=LR, l1_coeff=L1, batch_size=B, n_steps=steps, resample_at=(steps // 2,),
                    dead_window=max(1, steps // 4), resample_inputs=B, log_every=log, ckpt_every=log * 2,   # checkpoints at 1/2 and the end
                    sparse_step='never' if which == 'dense' else 'auto')
    if ACTIVATION == 'topk': cfg = dataclasses.replace(cfg, activation='topk', k=L0_STEPS, l1_coeff=0.0)
    sae = init_sae(src, cfg)
    with torch.no_grad():
        pre = sae.pre_activations(src.sample(8192, seed=3))
        if ACTIVATION == 'relu': sae.b_enc -= pre.quantile(1 - (L0_STEPS if which == 'steps' else L0_START) / F, dim=0)
    opt = _adam(sae, LR)
    if which == 'steps':   # the two steps alternating, each timed alone; the best of each
        peak, t = matmul_peak(), {'never': [], 'always': []}
        cfgs = {k: dataclasses.replace(cfg, sparse_step=k) for k in t}
        start = {k: v.clone() for k, v in sae.state_dict().items()}
        sae_step(sae, opt, x[:B], cfg, 0)   # Adam's moments exist from here on
        opt_start = copy.deepcopy(opt.state_dict())
        for i in range(2 + 2 * steps):   # every step from the same SAE, moments and batch: at L0_STEPS
            kind = ('never', 'always')[i % 2]
            sae.load_state_dict(start); opt.load_state_dict(opt_start)
            t0 = time.perf_counter(); m, _ = sae_step(sae, opt, x[:B], cfgs[kind], 1)
            if i >= 2: t[kind].append(time.perf_counter() - t0)
        out = dict(dense=B / min(t['never']), sparse=B / min(t['always']), l0=(m.l0 / m.tokens).item(), matmul_peak=max(peak, matmul_peak()))
    else:
        with tempfile.TemporaryDirectory() as d:   # start from a checkpoint at step 0 holding the SAE at L0_START
            save_torch(f'{d}/checkpoint.pt', dict(sae=sae.state_dict(), opt=opt.state_dict(), step=0,
                                                  last_fired=torch.zeros(F, dtype=torch.long), window_fires=torch.zeros(F)))
            peak = matmul_peak()
            train_sae(src, d, cfg, progress=False)
            dt = time.perf_counter() - first
            l0 = [r['l0'] for r in read_metrics(f'{d}/metrics.jsonl') if 'l0' in r]
        out = dict(samples_per_s=steps * B / dt, seconds=dt, l0=sum(l0) / len(l0), matmul_peak=max(peak, matmul_peak()))
elif which == 'dictionary-learning':
    from dictionary_learning.trainers import StandardTrainer
    from dictionary_learning.training import trainSAE
    tc = dict(trainer=StandardTrainer, steps=steps, activation_dim=D, dict_size=F, layer=0, lm_name='bench', lr=LR,
              l1_penalty=L1 * D, warmup_steps=1, sparsity_warmup_steps=None, resample_steps=steps // 2, device='cpu', wandb_name=None)
    trainSAE(endless(), [tc], steps=steps, device='cpu')
elif which == 'sae-lens':
    from sae_lens.config import LoggingConfig, SAETrainerConfig
    from sae_lens.saes.standard_sae import StandardTrainingSAE, StandardTrainingSAEConfig
    from sae_lens.training.sae_trainer import SAETrainer
    sae = StandardTrainingSAE(StandardTrainingSAEConfig(d_in=D, d_sae=F, l1_coefficient=L1 * D, device='cpu'))
    SAETrainer(SAETrainerConfig(total_training_samples=steps * B, train_batch_size_samples=B, lr=LR, lr_end=LR, device='cpu',
                                logger=LoggingConfig(log_to_wandb=False)), sae, endless()).fit()
else:
    raise SystemExit(f'unknown trainer {which!r}')
if which in ('sae-lens', 'dictionary-learning'):
    dt = time.perf_counter() - first
    out = dict(samples_per_s=steps * B / dt, seconds=dt)
print(json.dumps(dict(out, torch=torch.__version__, threads=torch.get_num_threads())))
