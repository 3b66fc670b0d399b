"""Sweep on a Dask cluster the course runs: ``sweep --scheduler ADDRESS``.

The grid is cut into chunks, a few per worker thread; each chunk is one Dask task that starts
one sandbox on its worker (`trainers.Trainer`, as ``sweep -j`` does here), runs its
configurations one after the other and sends back their `Run`\\ s as data. The training split
travels once to every worker (``scatter``); the submission's sources go with each task, so no
file system needs to be shared. The cluster is checked as for ``grade --scheduler``
(`autograder.grading.distributed.check_workers`): every worker has this kit and the same
sandbox, or the sweep stops in one line before it starts.

The table does not depend on where a configuration ran: the same grid and seeds give the same
θ and history (only ``wall_time`` differs).
"""

from __future__ import annotations

import sys

import numpy as np

from autograder.experiments.grid import Config
from autograder.experiments.trainers import Run, Trainer, costliest_first, preflight, toy_paths_of
from autograder.sandbox.limits import Limits

CHUNKS_PER_THREAD = 2  # more chunks than threads balance uneven configurations; each costs a child start


def train_chunk(sources: dict[str, bytes], module: str, kind: str, limits: Limits, X: np.ndarray, y: np.ndarray,
                configs: list[Config], record: bool) -> list[Run]:
    """Runs on a worker: one sandbox for the whole chunk."""
    with Trainer(sources, module, kind, limits) as trainer:
        return [trainer.train(X, y, config, record=record) for config in configs]


def preflight_on_worker(sources: dict[str, bytes], module: str, kind: str, limits: Limits, X: np.ndarray,
                        y: np.ndarray, configs: list[Config], where: str) -> None:
    """Runs on a worker: `trainers.preflight`; its `UserError` comes back to the caller as raised."""
    with Trainer(sources, module, kind, limits) as trainer:
        preflight(trainer, X, y, configs, where)


def toy_paths_on_worker(sources: dict[str, bytes], limits: Limits, steps: int) -> dict[str, np.ndarray | str]:
    with Trainer(sources, "optimizers", "classification", limits) as worker:
        return toy_paths_of(worker, steps)


class ClusterPool:
    """`workers.LocalPool`'s interface, on a Dask cluster."""

    def __init__(self, client, sources: dict[str, bytes], module: str, kind: str, limits: Limits,
                 progress: bool = True) -> None:
        self.client = client
        self.sources, self.module, self.kind, self.limits = sources, module, kind, limits
        self.progress = progress
        self.threads = max(1, sum(client.nthreads().values()))
        self._scattered: tuple[np.ndarray, np.ndarray, list] | None = None

    @classmethod
    def connect(cls, address: str, sources: dict[str, bytes], module: str, kind: str, limits: Limits,
                progress: bool = True) -> ClusterPool:
        """Connect to the scheduler at ``address`` and check its workers (one-line `UserError`s)."""
        from autograder.grading.distributed import check_workers, connect

        client = connect(address)
        try:
            print(check_workers(client), file=sys.stderr)
        except BaseException:
            client.close()
            raise
        return cls(client, sources, module, kind, limits, progress)

    def preflight(self, X: np.ndarray, y: np.ndarray, configs: list[Config], where: str) -> None:
        self.client.submit(preflight_on_worker, self.sources, self.module, self.kind, self.limits, X, y, configs,
                           where, pure=False).result()

    def train(self, X: np.ndarray, y: np.ndarray, configs: list[Config], record: bool, label: str) -> list[Run]:
        """Every configuration's `Run`, in the order of ``configs``."""
        from distributed import as_completed

        from autograder.experiments.progress import progress_bar

        if not configs:
            return []
        data_X, data_y = self._on_workers(X, y)
        count = min(len(configs), CHUNKS_PER_THREAD * self.threads)
        chunks: list[list[int]] = [[] for _ in range(count)]
        # Dealt out longest first, back and forth (0..k-1, then k-1..0), so the chunks' costs even out.
        for position, index in enumerate(costliest_first(configs, len(X))):
            lap, seat = divmod(position, count)
            chunks[seat if lap % 2 == 0 else count - 1 - seat].append(index)
        futures = {self.client.submit(train_chunk, self.sources, self.module, self.kind, self.limits, data_X,
                                      data_y, [configs[i] for i in chunk], record, pure=False): chunk
                   for chunk in chunks}
        runs: list[Run | None] = [None] * len(configs)
        with progress_bar(total=len(configs), desc=label, unit="config", disable=not self.progress) as bar:
            for future in as_completed(list(futures), loop=self.client.loop):  # the pool's client, not a default one
                chunk = futures[future]
                try:
                    chunk_runs = future.result()
                except Exception as error:  # noqa: BLE001  (a worker lost repeatedly: those rows fail, the rest go on)
                    chunk_runs = [Run(error=f"failed on the cluster ({type(error).__name__}: {error})"[:300])
                                  for _ in chunk]
                for index, run in zip(chunk, chunk_runs, strict=True):
                    runs[index] = run
                bar.update(len(chunk))
        return runs

    def _on_workers(self, X: np.ndarray, y: np.ndarray) -> list:
        """``X`` and ``y`` on every worker, sent once for all the pool's `train` calls.

        The futures live as long as the pool. Scattered under random keys (``hash=False``): with
        content keys, scattering the same split again while the previous futures were being
        released let the scheduler forget the data under the new tasks ("lost dependencies").
        """
        if self._scattered is None or self._scattered[0] is not X or self._scattered[1] is not y:
            self._scattered = (X, y, self.client.scatter([X, y], broadcast=True, hash=False))
        return self._scattered[2]

    def toy_paths(self, steps: int) -> dict[str, np.ndarray | str]:
        return self.client.submit(toy_paths_on_worker, self.sources, self.limits, steps, pure=False).result()

    def close(self) -> None:
        self._scattered = None
        self.client.close()
