"""Hatch build hook: compile the optional route search, pipeline/_route.c.

The extension only speeds up segmentation; pipeline.segment falls back to its pure-Python
route when `pipeline._route` cannot be imported. So a machine without a C compiler (or
without Python headers) still installs, with a warning, and runs the same words.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = "pipeline/_route.c"
# IEEE double arithmetic exactly as Python's: no fused multiply-add, which would round
# `log(count) - log_total + score` differently from jieba's.
FLAGS = [] if sys.platform == "win32" else ["-O2", "-ffp-contract=off"]


def compile_route(root: Path, out_dir: Path) -> Path:
    """Build the extension into `out_dir` (its package folder pipeline/ inside); return
    the path of the built file."""
    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext

    extension = Extension("pipeline._route", [SOURCE], extra_compile_args=FLAGS)
    dist = Distribution({"name": "press-extract-route", "ext_modules": [extension]})
    dist.src_root = str(root)
    command = build_ext(dist)
    command.build_lib = str(out_dir)
    command.build_temp = tempfile.mkdtemp(prefix="press-extract-objects-")
    command.ensure_finalized()
    command.run()
    return Path(command.get_ext_fullpath("pipeline._route"))


class RouteBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        root = Path(self.root)
        editable = version == "editable"
        # An editable install imports pipeline/ from the source tree, so the extension
        # goes next to segment.py; a wheel carries it from a scratch folder.
        out_dir = root if editable else Path(tempfile.mkdtemp(prefix="press-extract-build-"))
        try:
            cwd = os.getcwd()
            os.chdir(root)  # setuptools resolves the source path from the working folder
            try:
                built = compile_route(root, out_dir)
            finally:
                os.chdir(cwd)
        except Exception as error:  # no compiler, no headers: the pure-Python route is used
            warnings.warn(f"press-extract: the compiled route search was not built ({error}); "
                          "segmentation uses the pure-Python route, with the same words")
            return
        if not editable:
            build_data["force_include"][str(built)] = f"pipeline/{built.name}"
            build_data["pure_python"] = False
            build_data["infer_tag"] = True
