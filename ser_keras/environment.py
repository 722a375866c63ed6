"""What a run's numbers depend on besides its data and seed: package versions, processor, TensorFlow build.

TensorFlow's CPU kernels (oneDNN, Eigen) choose code paths by the processor's instruction
sets, so floating-point round-off differs between processors, and a seeded run that gives
the same bytes on one machine can give other numbers on another. Every report records
this, so that two reports can be told apart.
"""

from __future__ import annotations

import os
import platform
from importlib import metadata

PACKAGES = (
    "tensorflow",
    "keras",
    "keras-hub",
    "numpy",
    "scipy",
    "scikit-learn",
    "pandas",
    "librosa",
    "soundfile",
    "pyAudioAnalysis",
    "opensmile",
    "gensim",
)
# Instruction sets that change which kernels TensorFlow's CPU code runs.
CPU_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile")


def versions(packages):
    """Python's and each package's version (None when not installed)."""
    found = {"python": platform.python_version()}
    for package in packages:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def package_versions(packages=PACKAGES):
    """``{package: version}`` of Python, ser_keras and ``packages`` (None when not installed)."""
    from .version import __version__

    return {**versions(packages), "ser_keras": __version__}


def processor():
    """The processor: model name, architecture, cores, and the instruction sets TensorFlow's kernels use."""
    model, flags = platform.processor() or None, set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and not model:
                    model = value.strip()
                elif key.strip() == "flags" and not flags:
                    flags = set(value.split())
    except OSError:  # not Linux
        pass
    return {
        "model": model,
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "instruction_sets": [flag for flag in CPU_FLAGS if flag in flags] if flags else None,
        "system": platform.platform(),
    }


def tensorflow_build():
    """How the installed TensorFlow was built (compiler, CUDA) and whether oneDNN's kernels are on."""
    import tensorflow as tf

    info = dict(tf.sysconfig.get_build_info())
    return {
        "version": tf.__version__,
        "compiler": tf.__compiler_version__,
        "cuda_build": bool(info.get("is_cuda_build")),
        "cuda": info.get("cuda_version"),
        "cudnn": info.get("cudnn_version"),
        "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default (on for x86 CPUs)"),
        "gpus": [device.name for device in tf.config.list_physical_devices("GPU")],
    }


def describe_environment(tensorflow=True):
    """Versions, processor and (with ``tensorflow``) TensorFlow's build, as one JSON-ready dict."""
    environment = {"versions": package_versions(), "processor": processor()}
    if tensorflow:
        environment["tensorflow_build"] = tensorflow_build()
    return environment
