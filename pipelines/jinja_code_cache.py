"""dbt's Jinja templates compiled once, kept on disk, for every later dbt run.

dbt renders every macro and every node's SQL through `Environment.from_string`, which
parses the template text, generates Python source from it and compiles that: about 2 s of
a corrected ledger's dbt step on a slow 2-core machine, for the same few hundred texts
run after run (dbt keeps them for one process only). Jinja's own bytecode cache does the
same for templates read through a loader; dbt's are strings, so this does it at
`Environment.compile`: the code object of a text is stored under a key made of
everything its compilation reads — the text, its name and file name, the environment's
class, code generator, parser settings and extensions, and the versions of Python, Jinja
and dbt — and loaded instead of compiled when the key comes again. A text that changes
has another key: nothing stale is ever used; old entries are only unused files
(`dbt clean` or deleting the folder removes them).

The cache is the project's own folder (`dbt_project/target/jinja_code/`), trusted as the
project's `.pyc` files are. A file that cannot be read or loaded is compiled again and
rewritten; writes are atomic (a temporary file, then a rename), so concurrent runs share
the folder safely.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import marshal
import os
import sys
import tempfile
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2

from pipelines import settings

CACHE_DIR = settings.DBT_PROJECT_DIR / "target" / "jinja_code"
# dbt's switch for writing rendered macros to linecache/disk for debugging: its
# `_compile` then names the code after a generated file, so such runs compile as before.
MACRO_DEBUGGING_ENV = "DBT_MACRO_DEBUGGING"

_ORIGINAL_COMPILE = jinja2.Environment.compile


@functools.cache
def _versions() -> str:
    from dbt.version import __version__ as dbt_version

    return "|".join(
        [
            sys.implementation.cache_tag or sys.version,
            importlib.util.MAGIC_NUMBER.hex(),
            jinja2.__version__,
            dbt_version,
        ]
    )


def _class_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def environment_key(env: jinja2.Environment) -> str:
    """What of `env` decides the code a text compiles to: its class (dbt's parser and
    `_compile`), code generator, lexer and parser settings, and extensions."""
    settings_read = (
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        env.is_async,
        repr(env.autoescape),
        repr(env.finalize),
    )
    return repr(
        (
            _class_name(type(env)),
            _class_name(env.code_generator_class),
            _class_name(env.context_class),
            settings_read,
            sorted(env.extensions),
            sorted(_class_name(type(ext)) for ext in env.extensions.values()),
        )
    )


def template_key(
    env: jinja2.Environment, source: str, name: str | None, filename: str | None, defer_init: bool
) -> str:
    h = hashlib.sha256()
    for part in (_versions(), environment_key(env), repr((name, filename, defer_init)), source):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def _load(path: Path) -> CodeType | None:
    try:
        code = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def _store(path: Path, code: CodeType) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    except OSError:  # a read-only folder: the run goes on, compiling
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(marshal.dumps(code))
        os.replace(tmp, path)
    except OSError:  # a full disk: no entry, and no half-written file left behind
        Path(tmp).unlink(missing_ok=True)


def install(folder: Path = CACHE_DIR) -> None:
    """Compile dbt's templates through the cache in `folder` (this process)."""

    def compile(  # noqa: A001 - jinja2.Environment.compile's own name
        self: jinja2.Environment,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if raw or not isinstance(source, str) or os.environ.get(MACRO_DEBUGGING_ENV):
            return _ORIGINAL_COMPILE(self, source, name, filename, raw, defer_init)
        key = template_key(self, source, name, filename, defer_init)
        path = folder / key[:2] / f"{key}.code"
        code = _load(path)
        if code is None:
            code = _ORIGINAL_COMPILE(self, source, name, filename, raw, defer_init)
            _store(path, code)
        return code

    # As jinja's own compile: left out of the tracebacks of template errors.
    jinja2.utils.internal_code.add(compile.__code__)
    jinja2.Environment.compile = compile  # type: ignore[method-assign]


def uninstall() -> None:
    jinja2.Environment.compile = _ORIGINAL_COMPILE  # type: ignore[method-assign]
