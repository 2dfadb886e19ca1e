"""The single-stage commands on the tiny run: `monosemantic collect` rebuilds the run's activation store bit for bit,
`monosemantic sae` (`sae_cli`) trains on a store as its flags say, `monosemantic report` renders a finished run."""
import dataclasses, hashlib, json, shutil

from monosemantic.artifacts import config_dict, read_json
from monosemantic.pipeline import main, stage_configs
from monosemantic.dictionary import load_sae
from monosemantic.sae import SAEConfig

def cli(*args, capsys):
    "Run `monosemantic ARGS` in this process; return (exit code, stdout, stderr)."
    try: main([*map(str, args)]); code = 0
    except SystemExit as e: code = e.code
    out, err = capsys.readouterr()
    return code, out, err

def test_collect_rebuilds_the_runs_store(tiny_run, tmp_path, capsys):
    run, a = tiny_run[0], stage_configs('tiny')['activations']
    flags = [x for f in dataclasses.fields(a) for x in (f'--{f.name.replace("_", "-")}', getattr(a, f.name))]
    code, out, err = cli('collect', '--model', run/'transformer', '--data', run/'data', '--out', tmp_path/'acts', *flags, capsys=capsys)
    assert code == 0, err
    assert out.strip() == f"wrote {a.n_contexts * a.tokens_per_context:,} vectors of 128 to {tmp_path/'acts'}/ (manifest.json)"
    digest = lambda d: {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.glob('*.npy'))}
    assert digest(tmp_path/'acts') == digest(run/'activations') and digest(run/'activations')
    drop = lambda m: {k: v for k, v in m.items() if k not in ('timing', 'seconds', 'elapsed_s')}
    assert drop(read_json(tmp_path/'acts'/'manifest.json')) == drop(read_json(run/'activations'/'manifest.json'))
    code, _, err = cli('collect', '--model', run/'transformer', '--data', run/'data', '--out', tmp_path/'bad', '--n-contexts', '0',
                       capsys=capsys)
    assert code == 2 and 'n_contexts' in err and not (tmp_path/'bad').exists()

def test_sae_cli_trains_as_its_flags_say(tiny_run, tmp_path, capsys):
    run = tiny_run[0]
    args = ['sae', '--acts', run/'activations', '--out', tmp_path/'sae', '--preset', 'tiny', '--steps', 40,
            '--model', run/'transformer', '--data', run/'data', '--eval-batches', 2]
    code, _, err = cli(*args, capsys=capsys)
    assert code == 0, err
    want = SAEConfig.preset('tiny', d_in=128).with_steps(40)   # d_in from the store, the schedule rescaled to 40 steps
    assert read_json(tmp_path/'sae'/'config.json') == config_dict(want) and want.resample_at == (5, 10, 15, 20)
    recs = [json.loads(l) for l in (tmp_path/'sae'/'metrics.jsonl').read_text().splitlines()]
    evals = [r for r in recs if 'loss_recovered' in r]   # loss recovered at every checkpoint, from --model and --data
    assert [r['step'] for r in evals] == list(range(want.ckpt_every, 41, want.ckpt_every))
    assert all(r['loss_zero'] > 0 and r['loss_orig'] > 0 for r in evals)
    assert [r['step'] for r in recs if 'resampled' in r] == list(want.resample_at)
    sae = load_sae(tmp_path/'sae')
    assert (sae.d_in, sae.n_features) == (128, 64)
    code, _, err = cli(*args, capsys=capsys)   # a finished run resumes to the same dictionary
    assert code == 0, err
    assert all((load_sae(tmp_path/'sae').state_dict()[k] == v).all() for k, v in sae.state_dict().items())
    code, _, err = cli('sae', '--acts', run/'activations', '--out', tmp_path/'april', '--preset', 'tiny', '--recipe', 'april2024',
                       '--steps', 20, capsys=capsys)
    assert code == 0, err
    c = read_json(tmp_path/'april'/'config.json')
    assert (c['decoder_norm'], c['l1_warmup'], c['lr_decay'], c['n_steps'], c['resample_at']) == ('penalty', 0.05, 0.2, 20, [])
    code, _, err = cli('sae', '--acts', run/'activations', '--out', tmp_path/'x', '--preset', 'huge', capsys=capsys)
    assert code == 2 and "invalid choice: 'huge'" in err

def test_report_renders_a_finished_run(tiny_run, tmp_path, capsys):
    run = tmp_path/'run'
    shutil.copytree(tiny_run[0], run)
    code, out, err = cli('report', run, capsys=capsys)
    assert code == 0, err
    assert out.strip() == f"wrote {run/'report'/'index.html'}"
    m = read_json(run/'metrics.json')
    assert f"{100 * m['loss_recovered']:.1f}%" in (run/'report'/'index.html').read_text()   # the run's own figure
    assert {'03_sae.html', '04_analysis.html'} <= {p.name for p in (run/'report').glob('*.html')}
    code, _, err = cli('report', tmp_path/'missing', capsys=capsys)
    assert code == 1 and 'metrics.json: missing' in err and len(err.strip().splitlines()) == 1
