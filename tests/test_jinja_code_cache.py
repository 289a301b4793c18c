"""dbt's compiled Jinja templates kept between runs (pipelines/jinja_code_cache.py): a text
compiled once is loaded after, renders the same, and a changed text is never served stale."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from dbt.clients import jinja as dbt_jinja

from pipelines import jinja_code_cache


@pytest.fixture
def cache(tmp_path: Path, monkeypatch):
    """The cache installed on `tmp_path`, with a count of the compilations it did not spare."""
    compiled: list[str] = []
    original = jinja_code_cache._ORIGINAL_COMPILE

    def counting(self, source, *args, **kwargs):
        if isinstance(source, str):
            compiled.append(source)
        return original(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja_code_cache, "_ORIGINAL_COMPILE", counting)
    monkeypatch.delenv(jinja_code_cache.MACRO_DEBUGGING_ENV, raising=False)
    jinja_code_cache.install(tmp_path)
    yield tmp_path, compiled
    jinja_code_cache.uninstall()


def _render(text: str, native: bool = False, **ctx) -> object:
    return dbt_jinja.get_rendered(text, ctx, native=native)


def test_a_template_compiled_once_is_loaded_the_next_time_and_renders_the_same(cache):
    folder, compiled = cache
    text = "{% for c in cols %}{{ c | upper }}{% if not loop.last %}, {% endif %}{% endfor %}"
    first = _render(text, cols=["a", "b"])
    assert compiled == [text] and len(list(folder.rglob("*.code"))) == 1
    second = _render(text, cols=["a", "b", "c"])
    assert compiled == [text]  # loaded from the folder, not compiled again
    assert (first, second) == ("A, B", "A, B, C")


def test_a_changed_text_is_compiled_anew_not_served_from_the_cache(cache):
    _folder, compiled = cache
    assert _render("select {{ x }}", x=1) == "select 1"
    assert _render("select {{ x }} + 1", x=1) == "select 1 + 1"
    assert compiled == ["select {{ x }}", "select {{ x }} + 1"]


def test_the_native_environment_has_its_own_entries(cache):
    """dbt renders some values with a native environment, whose code generator emits other
    code for the same text: each environment gets its own entry."""
    folder, compiled = cache
    text = "{{ [1, 2] }}"
    assert _render(text) == "[1, 2]"
    assert _render(text, native=True) == "[1, 2]"
    assert _render(text, native=True) == "[1, 2]"
    assert len(compiled) == 2 and len(list(folder.rglob("*.code"))) == 2


def test_a_damaged_entry_is_compiled_again_and_rewritten(cache):
    folder, compiled = cache
    _render("{{ 6 * 7 }}")
    (entry,) = folder.rglob("*.code")
    entry.write_bytes(b"not marshal data")
    assert _render("{{ 6 * 7 }}") == "42"
    assert len(compiled) == 2
    assert _render("{{ 6 * 7 }}") == "42" and len(compiled) == 2  # rewritten, loaded again


def test_macro_debugging_compiles_as_dbt_would(cache, monkeypatch):
    folder, compiled = cache
    monkeypatch.setenv(jinja_code_cache.MACRO_DEBUGGING_ENV, "1")
    _render("{{ 1 }}")
    _render("{{ 1 }}")
    assert len(compiled) == 2 and not list(folder.rglob("*.code"))


def test_a_template_error_still_names_the_template_line(cache):
    with pytest.raises(jinja2.TemplateSyntaxError) as error:
        jinja2.Environment().from_string("ok\n{% if %}")
    assert error.value.lineno == 2


def test_environment_settings_that_change_the_code_change_the_key():
    plain = jinja2.Environment()
    trimmed = jinja2.Environment(trim_blocks=True)
    with_ext = jinja2.Environment(extensions=["jinja2.ext.do"])
    keys = {
        jinja_code_cache.template_key(env, "{% if x %}\n{{ x }}{% endif %}", None, None, False)
        for env in (plain, trimmed, with_ext)
    }
    assert len(keys) == 3
    assert jinja_code_cache.template_key(
        plain, "t", None, None, False
    ) == jinja_code_cache.template_key(jinja2.Environment(), "t", None, None, False)


def test_a_full_disk_stores_nothing_and_leaves_no_temporary_file(cache, monkeypatch):
    """A full disk: nothing is stored, no temporary file is left, the template renders."""
    folder, compiled = cache

    def full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jinja_code_cache.os, "replace", full)
    assert _render("{{ 'ok' }}") == "ok"
    assert _render("{{ 'ok' }}") == "ok"
    assert len(compiled) == 2 and not [p for p in folder.rglob("*") if p.is_file()]
