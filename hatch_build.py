"""Hatch build hook: compile the optional extensions, pipeline/_route.c (the route search),
pipeline/extract/_crf.c (the organisation CRF's tagging) and pipeline/link/_viterbi.c (the
linker's part-of-speech HMM).

Each only speeds up its stage: pipeline.segment falls back to its pure-Python route when
`pipeline._route` cannot be imported, org_crf.CharCRF to pycrfsuite without
`pipeline.extract._crf`, pipeline.link.postag to jieba's HMM without `pipeline.link._viterbi`. So a machine without a C compiler (or without Python headers)
still installs, with a warning, and gives the same words and tags.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# module -> source, and what runs without it
EXTENSIONS = {
    "pipeline._route": ("pipeline/_route.c", "segmentation uses the pure-Python route, with the same words"),
    "pipeline.extract._crf": ("pipeline/extract/_crf.c", "the organisation model tags through pycrfsuite, with the same tags"),
    "pipeline.link._viterbi": ("pipeline/link/_viterbi.c", "the linker's part-of-speech HMM is jieba's own, with the same tags"),
}
# IEEE double arithmetic exactly as Python's and crfsuite's: no fused multiply-add, which
# would round `log(count) - log_total + score` differently from jieba's.
FLAGS = [] if sys.platform == "win32" else ["-O2", "-ffp-contract=off"]


def compile_extension(root: Path, out_dir: Path, name: str) -> Path:
    """Build the extension `name` into `out_dir` (its package folders inside); return the
    path of the built file."""
    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext

    extension = Extension(name, [EXTENSIONS[name][0]], extra_compile_args=FLAGS)
    dist = Distribution({"name": "press-extract-" + name.rpartition(".")[2].strip("_"), "ext_modules": [extension]})
    dist.src_root = str(root)
    command = build_ext(dist)
    command.build_lib = str(out_dir)
    command.build_temp = tempfile.mkdtemp(prefix="press-extract-objects-")
    command.ensure_finalized()
    command.run()
    return Path(command.get_ext_fullpath(name))


class ExtensionBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        root = Path(self.root)
        editable = version == "editable"
        # An editable install imports pipeline/ from the source tree, so an extension
        # goes next to its Python modules; a wheel carries it from a scratch folder.
        out_dir = root if editable else Path(tempfile.mkdtemp(prefix="press-extract-build-"))
        for name, (_, without) in EXTENSIONS.items():
            try:
                cwd = os.getcwd()
                os.chdir(root)  # setuptools resolves the source path from the working folder
                try:
                    built = compile_extension(root, out_dir, name)
                finally:
                    os.chdir(cwd)
            except Exception as error:  # no compiler, no headers: the Python path is used
                warnings.warn(f"press-extract: {name} was not built ({error}); {without}")
                continue
            if not editable:
                build_data["force_include"][str(built)] = str(built.relative_to(out_dir))
                build_data["pure_python"] = False
                build_data["infer_tag"] = True
