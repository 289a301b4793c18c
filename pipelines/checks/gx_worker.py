"""Great Expectations in a process of its own, for the raw-input gate.

Importing GX is seconds of pure Python whatever the suites use (scipy.stats, its
checkpoint actions, altair: 7 s on a slow 2-core machine). In a thread of the run's
process it held the GIL against ingestion, and the gate still waited for it. In a process
of its own it imports on the other core from the first new file on, and the run's
process only sends it frames and reads back results.

The gate sends `(expectations, frame, parameters, result_format)`; the worker answers
with GX's results reduced to what the gate reads (`GxResult`), or with the exception GX
raised. Frames travel as Polars frames (pickled as Arrow) and become pandas in the
worker. The worker's stdout carries the answers, so anything printed in it goes to
stderr.

`validate` is also called in-process (tests, and the worker itself): the same code
judges either way.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import polars as pl

from pipelines.publish.files import flat_frame


@dataclass(frozen=True)
class ExpectationConfig:
    """What the gate reads of GX's ExpectationConfiguration."""

    type: str
    kwargs: dict[str, Any]
    meta: dict[str, Any]
    severity: str  # "critical", "warning" or "info"


@dataclass(frozen=True)
class GxResult:
    """What the gate reads of GX's ExpectationValidationResult (plain, picklable)."""

    expectation_config: ExpectationConfig
    success: bool
    result: dict[str, Any]
    exception_info: dict[str, Any]


def new_batch_definition() -> Any:
    """An ephemeral GX context's batch definition for whole pandas frames."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every batch under HASH_THRESHOLD bytes (pandas' hash of each row,
    # then md5) for its batch markers, which nothing here reads: about 2 s of a province's
    # first gate. Checked by test_gx_batches_are_not_fingerprinted, should GX rename it.
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("warehouse_frames")
    return source.add_dataframe_asset("frame").add_batch_definition_whole_dataframe("whole")


def _plain(result: Any) -> GxResult:
    cfg = result.expectation_config
    return GxResult(
        ExpectationConfig(
            type=cfg.type,
            kwargs=dict(cfg.kwargs),
            meta=dict(cfg.meta or {}),
            severity=str(getattr(cfg.severity, "value", cfg.severity)),
        ),
        success=bool(result.success),
        result=dict(result.result or {}),
        exception_info=dict(result.exception_info or {}),
    )


def validate(
    batch_definition: Any,
    expectations: list[dict[str, Any]],
    frame: pl.DataFrame | Any,
    parameters: dict[str, Any],
    result_format: str,
    max_examples: int,
) -> list[GxResult]:
    """GX's results for `expectations` on one frame (Polars, or pandas as it is), not
    necessarily in their order."""
    import great_expectations as gx

    # Lists are not validated as such (multi columns are exploded first); as text they
    # cost nothing and keep the frame convertible.
    pdf = flat_frame(frame).to_pandas() if isinstance(frame, pl.DataFrame) else frame
    batch = batch_definition.get_batch(batch_parameters={"dataframe": pdf})
    result = batch.validate(
        gx.ExpectationSuite(name="warmheart", expectations=expectations),
        expectation_parameters=parameters,
        result_format={"result_format": result_format, "partial_unexpected_count": max_examples},
    )
    return [_plain(r) for r in result.results]


class GxWorkerStopped(RuntimeError):
    """The worker process ended before it answered (killed, out of memory…)."""


class GxWorker:
    """One worker process; `validate` may be called from several threads (one at a time)."""

    def __init__(self) -> None:
        env = dict(os.environ)
        # The child imports this package the way this process did, installed or not.
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.checks.gx_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self._lock = threading.Lock()

    def alive(self) -> bool:
        return self._process.poll() is None

    def validate(
        self,
        expectations: list[dict[str, Any]],
        frame: pl.DataFrame | Any,
        parameters: dict[str, Any],
        result_format: str,
        max_examples: int,
    ) -> list[GxResult]:
        request = (expectations, frame, parameters, result_format, max_examples)
        with self._lock:
            assert self._process.stdin is not None and self._process.stdout is not None
            try:
                pickle.dump(request, self._process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                self._process.stdin.flush()
                ok, answer = pickle.load(self._process.stdout)
            except (BrokenPipeError, EOFError) as exc:
                code = self._process.wait()
                raise GxWorkerStopped(
                    f"the Great Expectations worker process stopped (exit code {code})"
                ) from exc
        if not ok:
            raise answer
        return answer

    def close(self) -> None:
        if self._process.stdin is not None and not self._process.stdin.closed:
            try:
                self._process.stdin.close()  # the worker's loop ends at end of input
            except BrokenPipeError:
                pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()


def _answer(out: IO[bytes], ok: bool, value: Any) -> None:
    try:
        payload = pickle.dumps((ok, value), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # an exception GX raised that does not pickle
        payload = pickle.dumps((False, RuntimeError(f"{type(value).__name__}: {value} ({exc})")))
    out.write(payload)
    out.flush()


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """Answer requests until the end of `requests`. GX is imported before the first one;
    should that fail, every request is answered with the failure."""
    try:
        batch_definition, failure = new_batch_definition(), None
    except Exception as exc:
        batch_definition, failure = None, exc
    while True:
        try:
            expectations, frame, parameters, result_format, max_examples = pickle.load(requests)
        except EOFError:
            return
        if failure is not None:
            _answer(answers, False, failure)
            continue
        try:
            results = validate(
                batch_definition, expectations, frame, parameters, result_format, max_examples
            )
        except Exception as exc:
            _answer(answers, False, exc)
        else:
            _answer(answers, True, results)


def main() -> None:
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a print in GX must not break a reply
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    # Under its own name, not __main__: the answers' classes are unpickled by that name.
    from pipelines.checks.gx_worker import main as serve_stdin

    serve_stdin()
