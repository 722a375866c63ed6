"""Atmaja and Akagi's systems in one place: their networks, the tutorial's classic classifiers, their fusion.

* :mod:`.networks`: ``atmaja-acoustic``, ``atmaja-text``, ``atmaja-bimodal`` (APSIPA Trans.
  SIP 2020), dimensional emotion trained on a CCC loss;
* :mod:`.classifiers`: ``svm``, ``mlp``, ``random-forest``, ``logistic-regression``, ``knn``
  on statistics of frames (Atmaja's tutorial);
* :mod:`.two_stage`: the fusion method ``svr`` (Speech Communication 2021), one SVR per
  dimension over the networks' predictions.
"""

from . import classifiers, networks, two_stage

__all__ = ["classifiers", "networks", "two_stage"]
