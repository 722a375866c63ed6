"""Late fusion of finished runs: fusion methods registered by name, each fusing the runs fold by fold.

Here: ``mean`` and ``svm``, the runs' class probabilities averaged or stacked under an SVM
(:mod:`ser_keras.fusion.probabilities`). A paper's fusion lives with its systems and
registers here the same way: Atmaja and Akagi's two-stage SVR, ``svr``, is in
:mod:`ser_keras.systems.atmaja.two_stage`. A method is found in this package, in the
systems' packages, in the ``ser_keras.fusions`` entry-point group and in the modules
named by ``SER_KERAS_FUSIONS``.

The runs must come from the same bundle, protocol and seeds; the trained fusions need
runs that selected on a validation split, so that they share every fold's validation
part (``classification.py --selection validation`` for systems that train fixed epochs).
"""

from __future__ import annotations

from ..registry import Registry
from .base import FusionError, FusionMethod, FusionSettings, aligned, fused_fold, read_folds

FUSIONS = Registry(
    "fusion method",
    (__name__, "ser_keras.systems"),
    skip=("base",),
    entry_points="ser_keras.fusions",
    environment="SER_KERAS_FUSIONS",
)


def register(method):
    """Add a :class:`FusionMethod` to the registry and return it."""
    return FUSIONS.register(method)


def get_fusion(name):
    """The fusion method called ``name``.

    Raises
    ------
    ValueError
        With the names available, when there is none.
    """
    return FUSIONS.get(name)


def fuse(bundle, run_dirs, method="svr", changes=None):
    """Fuse the finished runs ``run_dirs`` (their folders) with ``method``.

    Parameters
    ----------
    bundle : Bundle
        The bundle the runs read (for the labels or ratings of the rows).
    run_dirs : sequence of path
    method : str
        A registered fusion method (``svr``, ``mean``, ``svm``).
    changes : dict of str -> str, optional
        Settings of the method changed from its defaults (``--set NAME=VALUE``).

    Returns
    -------
    ser_keras.runner.Run
        One fold result per fold and seed, as the runner's, for the same reports.
    """
    chosen = get_fusion(method)
    return chosen.fuse(bundle, run_dirs, chosen.make_settings(run_dirs, changes))


__all__ = [
    "FUSIONS",
    "FusionError",
    "FusionMethod",
    "FusionSettings",
    "aligned",
    "fuse",
    "fused_fold",
    "get_fusion",
    "read_folds",
    "register",
]
