"""The dbt project as Dagster sees it, and `dbt parse` for the entry points that need its manifest."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from dagster_dbt import DbtProject

from pipelines import settings
from pipelines.dbt_parse_key import parse_key
from pipelines.memo_terms import KEPT_MODEL, TEST_REMEMBERED

dbt_project = DbtProject(
    project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR
)
# Under `dagster dev` this re-parses, so an edited model shows at once; everywhere else the
# entry points parse first (`python -m pipelines run|ui|parse`, `make test`).
dbt_project.prepare_if_dev()


def dbt_executable() -> str:
    """The venv's dbt (no activation needed), through `warmheart-dbt` so it dies with its run."""
    for name in ("warmheart-dbt", "dbt"):
        candidate = Path(sys.executable).with_name(name)
        if candidate.exists():
            return str(candidate)
    return "dbt"


def dbt_env() -> dict[str, str]:
    """dbt's environment: the paths profiles.yml reads, made absolute, and the engine."""
    env = dict(os.environ)
    env["WARMHEART_WAREHOUSE"] = str(settings.warehouse_path())
    env["WARMHEART_ENGINE"] = settings.engine()
    env["WARMHEART_RAW_LAYER"] = str(settings.raw_layer_dir())
    env["WARMHEART_SPARK_DIR"] = str(settings.spark_dir())
    return env


PARSE_STAMP = "parse_key.json"
PARTIAL_PARSE = "partial_parse.msgpack"


def _file_id(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def _parse_outputs(manifest: Path) -> dict[str, list[int] | None]:
    """What our parse leaves in target/ for the runs: the manifest, and dbt's partial-parse
    file, which every run's build copies and starts from. sqlfluff's dbt templater
    (`make lint`) writes that file in target/ too, with its own profile: a build starting
    from it parsed the whole project again, ≈ 10 s of every run until the parse key changed."""
    partial = manifest.with_name(PARTIAL_PARSE)
    return {
        "manifest": _file_id(manifest),
        "partial_parse": _file_id(partial) if partial.exists() else None,
    }


def parse_is_current(project_dir: Path, manifest: Path, env: Mapping[str, str]) -> bool:
    """True when `manifest` and the partial-parse file beside it are those our last parse
    wrote from the same key (either replaced since, by a parse by hand with other settings
    or by sqlfluff, does not count)."""
    stamp = manifest.with_name(PARSE_STAMP)
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
        return recorded == {"key": parse_key(project_dir, env), **_parse_outputs(manifest)}
    except (OSError, ValueError):
        return False


def parse_dbt_project(quiet: bool = True) -> Path:
    """Run `dbt parse` to produce target/manifest.json (prepare_if_dev only does so under
    `dagster dev`), unless the manifest was parsed from the very same files and settings:
    a parse costs ≈ 8 CPU s of every run's start-up."""
    project_dir, manifest, env = Path(dbt_project.project_dir), dbt_project.manifest_path, dbt_env()
    if parse_is_current(project_dir, manifest, env):
        return manifest
    key = parse_key(
        project_dir, env
    )  # before the parse: a file edited meanwhile reparses next time
    manifest.parent.mkdir(parents=True, exist_ok=True)
    # dbt writes manifest.json in place, and another process (a run under other settings,
    # a parallel test) may be reading it: the parse writes into a folder of its own and
    # the finished manifest replaces the old one in one rename.
    with tempfile.TemporaryDirectory(dir=manifest.parent, prefix=".parse-") as tmp:
        partial = manifest.with_name(PARTIAL_PARSE)
        if partial.exists():  # dbt's partial parse: seconds saved when few files changed
            shutil.copy2(partial, Path(tmp) / PARTIAL_PARSE)
        cmd = [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(dbt_project.profiles_dir),
            "--target-path",
            tmp,
        ]
        if quiet:
            cmd.insert(1, "--quiet")
        result = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
        for name in (PARTIAL_PARSE, "semantic_manifest.json"):
            if (Path(tmp) / name).exists():
                os.replace(Path(tmp) / name, manifest.with_name(name))
        os.replace(Path(tmp) / manifest.name, manifest)
    stamp = manifest.with_name(PARSE_STAMP)
    write_stamp = stamp.with_suffix(f".tmp{os.getpid()}")
    write_stamp.write_text(json.dumps({"key": key, **_parse_outputs(manifest)}), encoding="utf-8")
    os.replace(write_stamp, stamp)
    return manifest


def manifest_path() -> Path:
    """target/manifest.json, which the Dagster definitions are built from."""
    path = dbt_project.manifest_path
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: run `python -m pipelines parse` "
            "(make run, make ui and make test do it first)"
        )
    return path


RUN_DIR_PREFIX = "warehouse_models-"  # dagster-dbt's target folder per build: <step>-<run>-<hash>
KEEP_RUN_DIRS = 3


def prune_run_dirs(target: Path, keep: int = KEEP_RUN_DIRS) -> list[Path]:
    """Remove all but the `keep` newest build folders under `target`; the removed ones.

    dagster-dbt writes one per build (compiled SQL, run_results.json, dbt.log) and never
    removes them: a schedule twice a month and a sensor on every upload would fill the
    disk. The newest stay, since a failed run's message points at its dbt.log.
    """
    runs = sorted(
        (p for p in target.glob(f"{RUN_DIR_PREFIX}*") if p.is_dir()),
        key=lambda p: (p.stat().st_mtime, p.name),
        reverse=True,
    )
    for old in runs[keep:]:
        shutil.rmtree(old, ignore_errors=True)
    return runs[keep:]


def kept_models(dbt_log: Path) -> set[str]:
    """The models a DuckDB build kept because their inputs had not changed: the debug line
    the build memo or the node memo logs for each (memo_terms.KEPT_MODEL), in its dbt.log
    and the older parts dbt rotated it into, dbt.log.1…, once it passed 10 MB."""
    kept: set[str] = set()
    for part in [dbt_log, *dbt_log.parent.glob(f"{dbt_log.name}.[0-9]*")]:
        try:
            kept.update(KEPT_MODEL.findall(part.read_text(encoding="utf-8", errors="replace")))
        except OSError:
            continue
    return kept


def build_summary(target_path: Path) -> str:
    """How many models the dbt build whose folder is `target_path` built and kept, and how
    many data tests it ran and remembered, as the line the dbt step logs (the progress
    display shows it: pipelines/console.py DBT_DONE)."""
    kept = kept_models(target_path / "dbt.log")
    try:
        results = json.loads((target_path / "run_results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        results = {}
    models, tests, remembered = set(), 0, 0
    for r in results.get("results", []):
        if r["unique_id"].startswith("model.") and r.get("status") == "success":
            models.add(r["unique_id"].split(".")[-1])
        elif r["unique_id"].startswith("test.") and r.get("status") != "skipped":
            tests += 1
            response = r.get("adapter_response") or {}
            remembered += response.get("_message") == TEST_REMEMBERED
    return (
        f"dbt: {len(models - kept)} models built, {len(models & kept)} kept (inputs unchanged); "
        f"{tests - remembered} tests run, {remembered} remembered"
    )
