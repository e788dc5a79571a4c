"""`tfaip-train-cluster --workers N SCENARIO [flags]`: one multi-worker training in N processes on this machine.

For development and tests of multi-worker training without a cluster: the workers talk over
127.0.0.1 on free ports, each with its own `TF_CONFIG`, each running `tfaip-train ...
--trainer.dist_strategy multi_worker` (or `tfaip-resume-training OUTPUT_DIR` with `--resume`).
The chief's (worker 0's) output appears as it is; the others' lines are prefixed with
`[worker K]`. When a worker fails, the others are stopped and the exit code is the failed
worker's; Ctrl-C stops all of them (code 130).
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import IO, Dict, List, Optional, Sequence, Tuple

from tfaip.data import ConfigError
from tfaip.data.cli import run_console_script
from tfaip.data.util.files import TRAINER_PARAMS_FILE
from tfaip.train.cli.command_line import sigterm_as_ctrl_c

PROG = "tfaip-train-cluster"
STRATEGY_FLAG = "--trainer.dist_strategy"
# After a Ctrl-C of the terminal (or the experimenter's SIGINT to the process group), which reaches every worker,
# the workers get this long to stop by themselves before the launcher sends them one: a second Ctrl-C could cut
# the export of best/ short, and a worker waiting for a stopped peer notices only after the heartbeat timeout (~20 s).
FORWARD_AFTER = 60.0
KILL_AFTER = 60.0  # seconds a worker sent a Ctrl-C has to exit (notice a lost peer, export best/) before SIGKILL
EXAMPLE = f"{PROG} --workers 2 tutorial.min --trainer.epochs 5"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        raise ConfigError(message)  # one line, exit code 2, as the other console scripts


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Start the workers, relay their output, and return the training's exit code."""
    parser = _Parser(
        prog=PROG,
        description="Run one multi-worker training (--trainer.dist_strategy multi_worker) in N local processes.",
        usage=f"{PROG} --workers N SCENARIO [tfaip-train flags ...] | {PROG} --workers N --resume OUTPUT_DIR",
        epilog="Every other argument goes to tfaip-train (see tfaip-train SCENARIO --help). The workers talk over "
        "127.0.0.1; on several machines, start tfaip-train with TF_CONFIG or Slurm instead (docs/distributed.md).",
        allow_abbrev=False,
    )
    parser.add_argument("--workers", type=int, metavar="N", help="The number of worker processes.")
    parser.add_argument("--resume", metavar="OUTPUT_DIR", help="Continue the multi-worker run in OUTPUT_DIR.")
    args, rest = parser.parse_known_args(argv)
    if args.workers is None:
        raise ConfigError(f"--workers N is required: the number of worker processes, e.g. {EXAMPLE}.")
    if args.workers < 1:
        raise ConfigError(f"--workers {args.workers}: start at least one worker.")
    commands = [_worker_command(args.resume, rest)] * args.workers
    return LocalWorkers(commands).run()


def _worker_command(resume: Optional[str], rest: List[str]) -> List[str]:
    if resume is not None:
        if rest:
            raise ConfigError(f"--resume {resume} continues the run with its own params; leave out {' '.join(rest)}.")
        params = os.path.join(resume, TRAINER_PARAMS_FILE)
        if not os.path.isfile(params):
            raise ConfigError(f"--resume {resume}: there is no {TRAINER_PARAMS_FILE}, so no run to continue there.")
        with open(params, encoding="utf-8") as f:
            trainer_params = json.load(f)
        strategy = trainer_params.get("dist_strategy") or trainer_params.get("device", {}).get("dist_strategy")
        if strategy != "multi_worker":
            raise ConfigError(
                f"{resume} holds a run with --trainer.dist_strategy {strategy}, not multi_worker: continue it with "
                f"tfaip-resume-training {resume}."
            )
        return [sys.executable, "-m", "tfaip.train.cli.resume", resume]
    if not rest or rest[0].startswith("-"):
        raise ConfigError(f"name the SCENARIO to train, e.g. {EXAMPLE}.")
    if STRATEGY_FLAG in rest:
        value = rest[rest.index(STRATEGY_FLAG) + 1 : rest.index(STRATEGY_FLAG) + 2]
        if value != ["multi_worker"]:
            raise ConfigError(f"{STRATEGY_FLAG} {' '.join(value)}: the workers of {PROG} train with multi_worker.")
    else:
        rest = [*rest, STRATEGY_FLAG, "multi_worker"]
    return [sys.executable, "-m", "tfaip.train.cli.train", *rest]


def thread_pools(workers: int) -> Dict[str, str]:
    """The environment that gives each of `workers` local workers its share of the cores for TensorFlow's threads.

    Oversubscribed thread pools cost ~10 % here; variables the user set win.
    """
    threads = str(max(1, (os.cpu_count() or 1) // workers))
    return {"TF_NUM_INTRAOP_THREADS": threads, "TF_NUM_INTEROP_THREADS": threads}


def free_ports(n: int) -> List[int]:
    """`n` distinct TCP ports on 127.0.0.1 that were free a moment ago."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class LocalWorkers:
    """The worker processes of one training on this machine: start, relay output, stop together."""

    def __init__(self, commands: List[List[str]]):
        self.commands = commands
        self.workers: List[subprocess.Popen] = []
        self._relays: List[threading.Thread] = []
        self._print_lock = threading.Lock()

    def run(self) -> int:
        """Run the workers to their end; returns 0, the failed worker's code (128 + N for signal N) or 130 (Ctrl-C)."""
        try:
            self._start()
            failed = self._wait_for_failure()
            if failed is not None:
                index, code = failed
                how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"
                print(f"{PROG}: worker {index} {how}; stopping the other workers.", file=sys.stderr)
                self._stop(forward_after=0)
                return code if code > 0 else 128 - code  # as a shell reports a killed process
            return 0
        except KeyboardInterrupt:
            self._stop(forward_after=FORWARD_AFTER)  # a Ctrl-C in the terminal reached the workers too
            print(f"{PROG}: interrupted; continue with {PROG} --workers {len(self.commands)} --resume OUTPUT_DIR",
                  file=sys.stderr)  # fmt: skip
            return 130
        finally:
            self._stop(forward_after=0)
            for relay in self._relays:
                relay.join(timeout=5)

    def _start(self) -> None:
        addresses = [f"127.0.0.1:{port}" for port in free_ports(len(self.commands))]
        for index, command in enumerate(self.commands):
            config = {"cluster": {"worker": addresses}, "task": {"type": "worker", "index": index}}
            threads = thread_pools(len(self.commands))
            env = {**threads, **os.environ, "TF_CONFIG": json.dumps(config), "PYTHONUNBUFFERED": "1"}
            if index == 0:  # the chief writes to this terminal directly (its progress bar included)
                self.workers.append(subprocess.Popen(command, env=env))
                continue
            worker = subprocess.Popen(
                command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
            )
            self.workers.append(worker)
            relay = threading.Thread(target=self._relay, args=(worker.stdout, f"[worker {index}] "), daemon=True)
            relay.start()
            self._relays.append(relay)

    def _relay(self, stream: IO[str], prefix: str) -> None:
        for line in stream:
            with self._print_lock:
                sys.stdout.write(prefix + line)
                sys.stdout.flush()

    def _wait_for_failure(self) -> Optional[Tuple[int, int]]:
        """Wait until all workers succeeded (None) or one failed: (its index, its exit code)."""
        while True:
            codes = [worker.poll() for worker in self.workers]
            for index, code in enumerate(codes):
                if code not in (None, 0):
                    return index, code
            if all(code == 0 for code in codes):
                return None
            time.sleep(0.2)

    def _stop(self, forward_after: float) -> None:
        """Stop the running workers: a Ctrl-C (SIGINT) after `forward_after` s, SIGKILL after KILL_AFTER more."""
        self._wait(forward_after)
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGINT)
        if not self._wait(KILL_AFTER):
            for worker in self.workers:
                if worker.poll() is None:
                    worker.kill()
            self._wait(KILL_AFTER)

    def _wait(self, seconds: float) -> bool:
        """Wait up to `seconds` for all workers to exit; returns whether they did."""
        deadline = time.monotonic() + seconds
        while any(worker.poll() is None for worker in self.workers):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        return True


def run() -> None:
    """Console script entry point."""
    with sigterm_as_ctrl_c():
        run_console_script(PROG, main)
