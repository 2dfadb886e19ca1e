"""Kill anywhere: `monosemantic run --preset tiny` killed with SIGKILL at a moment drawn uniformly over the whole run's
wall time (the report included), then the same command again; the resumed run must equal an uninterrupted one.

    python tests/kill_harness.py --trials 30      # the full harness: one line a trial, then a summary by stage

Each trial draws its moment from `random.Random(seed)`, kills the run's process group (the tokenizer's workers too),
checks that the process died by SIGKILL and where it was (from the `[stage] N s` lines it had printed), that every
file that looks complete is whole, and that the rerun ends with the uninterrupted run's fingerprint (`helpers.py`:
artifacts, metric logs, report pages and metrics.json, wall times aside) and no temporary left. Stages too short for
the uniform draws to hit are then covered by top-up trials: each waits for that stage to begin, then kills a uniform
share of the stage's reference length later.
CI kills a few stages halfway through each (tests/test_faults.py, FAULT_STAGES) and checks the stage it hit.
"""
import argparse, os, random, signal, subprocess, sys, tempfile, threading, time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from helpers import RUN_FULL, fingerprint
from monosemantic.artifacts import TEMPORARY, load_torch, read_json

# Where a kill can land, in run order: before the run directory is claimed, each stage, and after the report.
TIMELINE = ('startup', 'data', 'transformer', 'activations', 'sae', 'families', 'second_models', 'analysis', 'universality',
            'study', 'evaluation', 'report', 'finish')

class Watched:
    "A started `monosemantic run`, in its own process group, with the stage lines it printed and when."
    def __init__(self, out):
        self.out, self.t0, self.ends = Path(out), time.time(), {}
        self.p = subprocess.Popen(RUN_FULL + ['--out', str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, start_new_session=True)
        self.err = []
        threading.Thread(target=lambda: self.err.extend(self.p.stderr), daemon=True).start()   # a full pipe would stall it
        self.reader = threading.Thread(target=self._read, daemon=True); self.reader.start()

    def _read(self):
        for line in self.p.stdout:
            if line.startswith('[') and (name := line[1:].split(']')[0]) in TIMELINE: self.ends[name] = time.time() - self.t0
        self.ended = time.time() - self.t0   # its output closed: it has exited

    def kill(self):
        "SIGKILL the process group; where the run was when it died ('missed' if it had already ended)."
        if self.p.poll() is None: os.killpg(self.p.pid, signal.SIGKILL)
        self.p.wait(); self.reader.join()
        if self.p.returncode != -signal.SIGKILL: return 'missed'
        if not (self.out/'run.json').exists(): return 'startup'
        return next((s for s in TIMELINE[1:-1] if s not in self.ends), 'finish')

    def finish(self):
        self.p.wait(); self.reader.join()
        assert self.p.returncode == 0, ''.join(self.err)[-3000:]
        return time.time() - self.t0

@dataclass
class Reference:
    run_dir: Path
    fingerprint: dict
    seconds: float   # wall time of the whole command
    spans: dict      # stage -> (start, end) in seconds from the start of the command

def reference(out) -> Reference:
    "An uninterrupted tiny run with its report: its fingerprint and when each stage ran."
    w = Watched(out); total = w.finish()
    secs = read_json(Path(out)/'stages.json')
    spans = {s: (w.ends[s] - secs[s], w.ends[s]) for s in TIMELINE if s in w.ends}
    spans['startup'] = (0, min(a for a, _ in spans.values())); spans['finish'] = (spans['report'][1], total)
    return Reference(Path(out), fingerprint(out), total, spans)

def check_no_partial(run_dir):
    "Every file that looks complete is whole: manifests, checkpoints and weights load and verify (hidden temporaries aside)."
    from monosemantic.data import TokenShards
    from monosemantic.transformer import load_model
    from monosemantic.activations import ActivationStore
    from monosemantic.dictionary import load_sae
    run_dir = Path(run_dir)
    for p in run_dir.rglob('*.json'):
        if not any(TEMPORARY in q for q in p.relative_to(run_dir).parts): read_json(p)
    if (run_dir/'data'/'manifest.json').exists():
        for split in ('train', 'val'): TokenShards(run_dir/'data', split)
    for p in run_dir.rglob('*.pt'):
        if TEMPORARY not in p.name: load_torch(p)
    if (run_dir/'transformer'/'ckpt.pt').exists(): load_model(run_dir/'transformer')
    if (run_dir/'activations'/'manifest.json').exists(): ActivationStore(run_dir/'activations')
    for p in run_dir.rglob('sae.safetensors'): load_sae(p)   # the SAE and the smaller dictionaries

def resume_and_compare(ref: Reference, out):
    "Rerun the same command on a killed run's directory; raise AssertionError unless it ends as the uninterrupted run."
    check_no_partial(out)
    Watched(out).finish()
    left = list(Path(out).rglob(f'*{TEMPORARY}*'))
    assert not left, f'temporaries left behind: {left}'
    fp = fingerprint(out)
    diff = sorted(k for k in set(fp) | set(ref.fingerprint) if fp.get(k) != ref.fingerprint.get(k))
    assert not diff, f'differs from the uninterrupted run in {diff}'

def kill_at(ref: Reference, out, moment: float) -> str:
    "Start the run and SIGKILL it `moment` seconds in; the stage it died in."
    for _ in range(3):   # a run faster than the reference can end first: then the same share of its own wall time
        w = Watched(out); time.sleep(max(0., moment - (time.time() - w.t0)))
        if (stage := w.kill()) != 'missed': return stage
        moment *= 0.98 * w.ended / ref.seconds; subprocess.run(['rm', '-rf', str(out)])
    raise AssertionError(f'the run ended before the kill at {moment:.2f} s three times: nothing was killed')

def uniform_moment(ref: Reference, seed: int) -> float:
    "A kill moment drawn uniformly over the whole run."
    return random.Random(seed).uniform(0, ref.seconds)

def kill_in_stage(ref: Reference, out, stage: str, share: float) -> str:
    """Start the run, wait until `stage` begins (the stage before it has printed its line), SIGKILL it `share` of the
    stage's reference length later; where it died. A top-up for a stage too short to be hit by chance (activations: 0.2 s)."""
    w, before = Watched(out), TIMELINE[TIMELINE.index(stage) - 1] if stage != 'startup' else None
    begun = lambda: before is None or (before in w.ends if before != 'startup' else (Path(out)/'run.json').exists())
    while not begun() and w.p.poll() is None: time.sleep(0.002)
    a, b = ref.spans[stage]; time.sleep(share * (b - a))
    return w.kill()

def kill_mid_stage(ref: Reference, out, stage: str) -> str:
    "Kill the run halfway through `stage`, sooner on a retry when that run's stage ended earlier; where it last died."
    for share in (0.5, 0.25, 0.05):
        if (hit := kill_in_stage(ref, out, stage, share)) == stage: break
        subprocess.run(['rm', '-rf', str(out)])
    return hit

def harness(trials: int, workdir: Path, top_up=True):
    ref = reference(workdir/'reference')
    print(f'reference: {ref.seconds:.1f} s; stages ' + ', '.join(f'{s} {b - a:.1f} s' for s, (a, b) in ref.spans.items()), flush=True)
    results = []   # (kind, seed, stage, outcome)
    def trial(kind, seed, kill):
        out, t, stage = workdir/f'{len(results):02d}_{kind}_{seed}', time.time(), '?'   # a failed trial's run stays for a look
        try: stage = kill(out); assert stage != 'missed', 'the run ended before the kill'; resume_and_compare(ref, out); outcome = 'pass'
        except AssertionError as e: outcome = f'FAIL: {str(e)[:300]}'
        results.append((kind, seed, stage, outcome))
        print(f'{kind:8} seed {seed:4}: killed in {stage:12} {outcome} ({time.time() - t:.0f} s)', flush=True)
        if outcome == 'pass': subprocess.run(['rm', '-rf', str(out)])
    for seed in range(trials):
        trial('uniform', seed, lambda out: kill_at(ref, out, uniform_moment(ref, seed)))
    if top_up:
        for stage in TIMELINE:
            for seed in range(1000, 1003):   # a few tries: the kill can still fall just after a short stage
                if any(r[2] == stage for r in results): break
                trial('top-up', seed, lambda out: kill_in_stage(ref, out, stage, random.Random(seed).random()))
    print('\nstage          uniform  top-up  passed')
    for stage in TIMELINE + ('?',):
        rows = [r for r in results if r[2] == stage]
        if rows or stage != '?':
            n = Counter(r[0] for r in rows)
            print(f"{stage:12} {n['uniform']:8} {n['top-up']:7} {sum(r[3] == 'pass' for r in rows):7}")
    failed = [r for r in results if r[3] != 'pass']
    missing = [s for s in TIMELINE if not any(r[2] == s for r in results)]
    print(f"{len(results)} trials ({trials} uniform over {ref.seconds:.1f} s, {len(results) - trials} top-up), "
          f"{len(failed)} failed; stages never hit: {', '.join(missing) or 'none'}")
    return not failed and not missing

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--trials', type=int, default=30, help='kills drawn uniformly over the whole run (seeds 0..N-1)')
    ap.add_argument('--no-top-up', action='store_true', help='no extra trials for stages the uniform draws missed')
    ap.add_argument('--workdir', type=Path, help='where the runs go (default: a new temporary directory)')
    a = ap.parse_args()
    workdir = a.workdir or Path(tempfile.mkdtemp(prefix='kill-harness-'))
    t = time.time()
    ok = harness(a.trials, workdir, top_up=not a.no_top_up)
    print(f'{time.time() - t:.0f} s; runs in {workdir}')
    sys.exit(0 if ok else 1)
