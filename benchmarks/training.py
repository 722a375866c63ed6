"""Benchmark: training speed of the fused model, padded, trimmed and --fast, side by side in one run.

For each bundle, training speed (after a warm-up that traces the graphs) of:

1. the faithful model on the padded arrays (200 frames, 128 words);
2. the faithful model on arrays cut to the longest real utterance of the data;
3. the faithful model with ``tf.data-by-length``: batches of similar length, each
   padded only to its own longest utterance;
4. ``--fast`` (recurrent dropout 0, input dropout 0.2) with the same pipeline as 3.

Bundles: the demo bundle (``data/features/demo``; written if missing) and a synthetic
IEMOCAP-sized one, 4290 training utterances of (200, 34) and (128, 50) whose real
lengths follow IEMOCAP's spread (median about 3.5 s, a long tail cut at 20 s,
about 2.5 words per second). Prints utterances per second and the ratios; the
targets are trimming at least 2x on the demo bundle and ``--fast`` at least 2x
faster than the faithful model on the IEMOCAP-sized bundle. Padded and trimmed
batches all have one shape, so those variants are timed on 1024 random utterances;
batches by length differ, so those are timed over the whole epoch. Each variant is timed
``--repeats`` times (default 3), the variants taking turns; the speeds are the medians, with
their range, and each ratio is printed with its range over the rounds.

Last, one line for CA-MSER: training segments per second of the co-attention model at the
paper's size (AlexNet on 256 x 384 images, Bi-LSTM 256, wav2vec 2.0's 149 x 768 frames) and
at the demo scale of the README's results, on random 3 s segments (the median of 3 epochs).

    python benchmarks/training.py [--rows 4290] [--repeats 3] [--skip-demo] [--skip-camser | --camser-only]
"""

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from ser_keras.systems import get_system  # noqa: E402
from ser_keras.systems.krishna_reddy.settings import KrishnaReddySettings, fast_settings  # noqa: E402
from ser_keras.tasks import Output  # noqa: E402

SYSTEM = get_system("multimodal")

VARIANTS = (
    ("faithful, padded", "faithful", "padded"),
    ("faithful, trimmed to the longest", "faithful", "trimmed"),
    ("faithful, by length (tf.data)", "faithful", "by-length"),
    ("--fast, by length (tf.data)", "fast", "by-length"),
)


def synthetic_bundle(rows=4290, dim=50, seed=0):
    """Arrays shaped like IEMOCAP's training split, with realistic real lengths.

    Returns
    -------
    dict
        ``acoustic`` (rows, 200, 34), ``acoustic_lengths``, ``speech_embeddings``
        (rows, 128, dim), ``labels``; zero past each length.
    """
    rng = np.random.default_rng(seed)
    frames = np.clip(rng.lognormal(np.log(35), 0.6, rows), 5, 200).astype(np.int32)
    frames[rng.choice(rows, size=max(1, rows // 200), replace=False)] = 200  # IEMOCAP has turns over 20 s
    words = np.clip(np.round(frames * 0.25 + rng.normal(0, 2, rows)), 1, 128).astype(np.int32)
    acoustic = np.zeros((rows, 200, 34), np.float32)
    speech = np.zeros((rows, 128, dim), np.float32)
    for row in range(rows):
        acoustic[row, : frames[row]] = rng.normal(size=(frames[row], 34))
        speech[row, : words[row]] = rng.normal(size=(words[row], dim))
    return {
        "acoustic": acoustic,
        "acoustic_lengths": frames,
        "speech_embeddings": speech,
        "labels": rng.integers(0, 4, rows).astype(np.int32),
    }


def demo_bundle(path):
    """The training rows (sessions 1-4) of the demo bundle, written first if missing."""
    from ser_keras.features.bundle import read_bundle
    from ser_keras.protocols.paper import paper_split

    if not (path / "manifest.json").is_file():
        from ser_keras.corpora.loading import load_corpus
        from ser_keras.features.extraction import extract_bundle

        utterances, info = load_corpus("demo", None, progress=False)
        extract_bundle(utterances, path, corpus_info=info, progress=False)
    bundle = read_bundle(path)
    train, _ = paper_split(bundle.meta["session"].to_numpy())
    names = ("acoustic", "acoustic_lengths", "speech_embeddings", "labels")
    return {name: np.asarray(bundle.array(name))[train] for name in names}


def prepare(arrays, model_config, data, batch_size=32, warmup_rows=256, sample=1024):
    """A compiled model, warmed up on a few rows, and a function that times one epoch of it.

    Padded and trimmed batches all have one shape, so they are timed on ``sample``
    random utterances; batches by length differ, so they are timed on every row.
    """
    import keras

    from ser_keras.pipeline import make_dataset

    keras.utils.set_random_seed(0)
    rows = np.arange(len(arrays["labels"]))
    dim = arrays["speech_embeddings"].shape[2]
    arrays = {**arrays, "embedding_matrix": np.zeros((2, dim), np.float32)}
    model = SYSTEM.build(arrays, rows, [Output("emotion", 4, "softmax")], model_config)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="categorical_crossentropy")
    targets = np.eye(4, dtype=np.float32)[arrays["labels"]]
    # Trimmed to the longest real utterance of the whole training set, as training does.
    inputs = SYSTEM.inputs(arrays, rows, model_config, trim=data == "trimmed")

    def batches(chosen):
        chosen_inputs = {name: array[chosen] for name, array in inputs.items()}
        if data == "by-length":
            return {"x": make_dataset(chosen_inputs, targets[chosen], batch_size, seed=0, by_length=True)}
        return {"x": chosen_inputs, "y": targets[chosen], "batch_size": batch_size}

    rng = np.random.default_rng(0)
    model.fit(**batches(rng.choice(rows, size=min(warmup_rows, len(rows)), replace=False)), epochs=1, verbose=0)
    timed = rows if data == "by-length" else rng.choice(rows, size=min(sample, len(rows)), replace=False)
    timed_batches = batches(timed)

    def epoch():
        started = time.perf_counter()
        model.fit(**timed_batches, epochs=1, verbose=0)
        return len(timed) / (time.perf_counter() - started)

    return epoch


def run(name, arrays, repeats=3):
    """Each variant's utterances per second: the median of ``repeats`` epochs, the variants taking turns."""
    lengths = arrays["acoustic_lengths"]
    words = np.any(arrays["speech_embeddings"] != 0, axis=-1).sum(axis=1)
    print(
        f"\n{name}: {len(lengths)} training utterances, frames median {np.median(lengths):.0f} max {lengths.max()}, "
        f"words median {np.median(words):.0f} max {words.max()}"
    )
    epochs = {}
    for label, model_kind, data in VARIANTS:
        # The fused model as built by ser_keras.systems.krishna_reddy.graphs; the padded arrays disable the
        # trim only: a variable-length model on 200 steps does the same work as a fixed one.
        model_config = fast_settings() if model_kind == "fast" else KrishnaReddySettings()
        epochs[label] = prepare({k: arrays[k] for k in arrays}, model_config, data)
    # Round-robin, so that a burst of load elsewhere on the machine falls on every variant alike.
    timings = {label: [] for label in epochs}
    for _ in range(repeats):
        for label, epoch in epochs.items():
            timings[label].append(epoch())
    speeds = {label: float(np.median(values)) for label, values in timings.items()}
    for label, values in timings.items():
        print(
            f"  {label:36} {speeds[label]:8.1f} utterances/s"
            f"  (median of {repeats}; {min(values):.1f}-{max(values):.1f})"
        )
    ratios = {
        "trimmed / padded": (VARIANTS[1][0], VARIANTS[0][0]),
        "by length / padded": (VARIANTS[2][0], VARIANTS[0][0]),
        "--fast / faithful (both by length)": (VARIANTS[3][0], VARIANTS[2][0]),
        "--fast by length / faithful padded": (VARIANTS[3][0], VARIANTS[0][0]),
    }
    for text, (faster, slower) in ratios.items():
        each = [a / b for a, b in zip(timings[faster], timings[slower])]
        print(
            f"  {text + ':':37} {speeds[faster] / speeds[slower]:5.2f}x  (per round {min(each):.2f}-{max(each):.2f}x)"
        )
    return speeds


CAMSER_SCALES = (
    ("paper size", {}, 149, 768),
    ("demo scale", {"image_height": 0, "alexnet_width": 0.25, "lstm_units": 32}, 150, 384),
)


def camser_speed(overrides, frames, dim, segments=128, batch_size=64, repeats=3):
    """Training segments per second of CA-MSER on random segments: the median of ``repeats`` epochs after a warm-up."""
    import keras

    system = get_system("camser")
    settings = system.make_settings(overrides)
    rng = np.random.default_rng(0)
    arrays = {
        "segment_counts": np.ones(segments, np.int32),
        "segment_spectrogram": rng.uniform(-80, 0, (segments, 200, 300)).astype(np.float32),
        "segment_mfcc": rng.normal(size=(segments, 300, 40)).astype(np.float32),
        "encoder_frames": rng.normal(size=(segments, frames, dim)).astype(np.float32),
    }
    rows = np.arange(segments)
    keras.utils.set_random_seed(0)
    model = system.build(arrays, rows, [Output("emotion", 4, "softmax")], settings)
    model.compile(optimizer=keras.optimizers.AdamW(learning_rate=1e-5), loss="categorical_crossentropy")
    inputs = system.inputs(arrays, rows, settings)
    targets = np.eye(4, dtype=np.float32)[rng.integers(0, 4, segments)]
    model.fit(inputs, targets, batch_size=batch_size, epochs=1, verbose=0)
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        model.fit(inputs, targets, batch_size=batch_size, epochs=1, verbose=0)
        seconds.append(time.perf_counter() - started)
    return segments / float(np.median(seconds))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=4290, help="utterances of the synthetic bundle (default: 4290)")
    parser.add_argument("--demo", type=Path, default=Path("data/features/demo"), help="demo bundle folder")
    parser.add_argument("--skip-demo", action="store_true", help="only the IEMOCAP-sized bundle")
    parser.add_argument("--skip-camser", action="store_true", help="leave out the CA-MSER line")
    parser.add_argument("--camser-only", action="store_true", help="only the CA-MSER line")
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs of each variant (default 3; the median)")
    args = parser.parse_args()

    import tensorflow as tf

    devices = ", ".join(d.device_type for d in tf.config.list_logical_devices()) or "CPU"
    print(f"devices: {devices}; {os.cpu_count()} cores; batch 32, fused model")
    results = {}
    if args.camser_only:
        print_camser_line()
        return
    if not args.skip_demo:
        results["demo"] = run("demo bundle (sessions 1-4)", demo_bundle(args.demo), args.repeats)
    results["iemocap"] = run("synthetic IEMOCAP-sized bundle", synthetic_bundle(args.rows), args.repeats)
    print("\ntargets:")
    if "demo" in results:
        demo = results["demo"]
        ratio = demo[VARIANTS[1][0]] / demo[VARIANTS[0][0]]
        print(f"  trimming on the demo bundle >= 2x: {ratio:.2f}x {'met' if ratio >= 2 else 'NOT met'}")
    iemocap = results["iemocap"]
    ratio = iemocap[VARIANTS[3][0]] / iemocap[VARIANTS[2][0]]
    print(f"  --fast on the IEMOCAP-sized bundle >= 2x: {ratio:.2f}x {'met' if ratio >= 2 else 'NOT met'}")
    if not args.skip_camser:
        print_camser_line()


def print_camser_line():
    speeds = {label: camser_speed(overrides, frames, dim) for label, overrides, frames, dim in CAMSER_SCALES}
    rates = "; ".join(f"{label} {speed:.1f} training segments/s" for label, speed in speeds.items())
    print(f"\nCA-MSER, batch 64: {rates}")


if __name__ == "__main__":
    main()
