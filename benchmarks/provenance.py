"""Where a measurement was taken: the machine and the commit, recorded beside every committed figure."""
import datetime, os, platform, subprocess
from pathlib import Path

def machine() -> str:
    "The CPU model and core count (a GPU's name where torch sees one)."
    cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.machine()) \
        if Path('/proc/cpuinfo').exists() else platform.machine()
    import torch
    gpu = f', {torch.cuda.get_device_name()}' if torch.cuda.is_available() else ''
    return f'{os.cpu_count()} cores of {cpu}{gpu}, torch {torch.__version__}'

def commit() -> str:
    "The checkout's commit (`-dirty` when it has changes)."
    r = subprocess.run(['git', 'describe', '--always', '--dirty'], cwd=Path(__file__).parent, capture_output=True, text=True)
    return r.stdout.strip() or 'unknown'

def written_on(path) -> str:
    "The day a file was written (ISO), which dates a measurement read back from a run rather than taken now."
    return datetime.date.fromtimestamp(Path(path).stat().st_mtime).isoformat()
