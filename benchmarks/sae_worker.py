"""Time one SAE trainer on synthetic activations and print {"samples_per_s": ...} as JSON (used by bench_sae.py).

usage: python sae_worker.py {ours,sae-lens,dictionary-learning} STEPS BATCH
Same data (monosemantic.sae.synthetic_activations, d=512), 4096 features, Adam lr 3e-4, one resampling at half
time where the trainer has it (ours, dictionary-learning; sae-lens has none). Every trainer is timed alike: from the
moment it draws its first batch to its return, so its setup (building the SAE, initialising it: for ours the
geometric median) is left out and everything after (logging, resampling, checkpoints, the final export) is in.
"""
import json, sys, tempfile, time
import torch
from monosemantic.sae import SAEConfig, TensorSource, synthetic_activations, train_sae

D, F, LR, L1 = 512, 4096, 3e-4, 1.4e-4
which, steps, B = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

class FirstBatchClock(TensorSource):
    "A source that notes when training draws its first batch: the start of every trainer's timing window."
    first = None
    def batches(self, *a, **kw):
        for b in super().batches(*a, **kw):
            if self.first is None: self.first = time.perf_counter()
            yield b

x, _ = synthetic_activations(max(65_536, 4 * B), d=D, seed=0)
src = FirstBatchClock(x)

def endless():
    for b in src.batches(B, seed=0): yield b

def matmul_peak(repeat=5):
    "Best fp32 matmul FLOP/s over the SAE's own shapes and a square one, measured before and after training."
    best = 0.0
    for m, k, n in [(2048, 2048, 2048), (B, D, F), (B, F, D), (D, B, F)]:
        a, b = torch.randn(m, k), torch.randn(k, n)
        for _ in range(repeat):
            t = time.perf_counter(); a @ b; best = max(best, 2 * m * k * n / (time.perf_counter() - t))
    return best

peak = matmul_peak() if which == 'ours' else None
if which == 'ours':
    log = max(1, steps // 4)
    cfg = SAEConfig(d_in=D, n_features=F, lr=LR, l1_coeff=L1, batch_size=B, n_steps=steps, resample_at=(steps // 2,),
                    dead_window=max(1, steps // 4), resample_inputs=B, log_every=log, ckpt_every=log * 2)  # checkpoints at 1/2 and the end
    with tempfile.TemporaryDirectory() as d: train_sae(src, d, cfg, progress=False)
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
dt = time.perf_counter() - src.first
if which == 'ours': peak = max(peak, matmul_peak())  # before and after: the higher (conservative) on a shared machine
print(json.dumps(dict(samples_per_s=steps * B / dt, seconds=dt, matmul_peak=peak, torch=torch.__version__, threads=torch.get_num_threads())))
