"""Every prompt and Jinja template is read here, from the installed ``prompts`` package via ``importlib.resources``.

A ``Path(__file__).parents[...] / "prompts"`` lookup finds the folder only in a source checkout or an editable
install; in a wheel install ``prompts`` is its own package in site-packages, so it is located by import name.
The folder stays at the repository's top level; ``pyproject.toml`` ships its files as package data.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, Environment, TemplateNotFound
from jinja2.loaders import split_template_path

PACKAGE = "prompts"


def prompt_resource(path: str) -> Traversable:
    """The resource at ``path`` (slash-separated, relative to ``prompts/``), found or not."""
    node = files(PACKAGE)
    for part in split_template_path(path) if path else ():
        node = node.joinpath(part)
    return node


def prompt_text(path: str) -> str:
    """The text of ``prompts/<path>``, e.g. ``prompt_text("system.md")``."""
    node = prompt_resource(path)
    if not node.is_file():
        raise FileNotFoundError(f"prompts/{path} is not in the installed prompts package")
    return node.read_text(encoding="utf-8")


class PromptLoader(BaseLoader):
    """Jinja loader over ``prompts/<subdir>``; template names are slash-separated paths below it."""

    def __init__(self, subdir: str = "") -> None:
        self.subdir = subdir.strip("/")

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Callable[[], bool]]:
        node = prompt_resource(f"{self.subdir}/{template}" if self.subdir else template)
        if not node.is_file():
            raise TemplateNotFound(template)
        source = node.read_text(encoding="utf-8")
        if not isinstance(node, Path):  # a zipped install cannot change under us
            return source, None, lambda: True
        # On disk (checkout or wheel install) an edited template reloads, as with Jinja's FileSystemLoader.
        mtime = node.stat().st_mtime
        return source, str(node), lambda: os.path.exists(node) and node.stat().st_mtime == mtime


def jinja_env(subdir: str = "", *, autoescape: bool, **options: Any) -> Environment:
    """A Jinja environment loading from ``prompts/<subdir>``. ``autoescape`` is required so each caller states it
    (the report HTML and the chat answers differ); other ``Environment`` options pass through."""
    return Environment(loader=PromptLoader(subdir), autoescape=autoescape, **options)
