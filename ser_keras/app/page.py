"""The demo page, in Gradio: record or upload, pick a run, see the words, the emotion and the features.

Lays the components out and hands every request to :class:`~ser_keras.app.service.DemoService`;
a request the service refuses shows its message in the status line, and the page stays up.
"""

from __future__ import annotations

import itertools

from .figures import recording_figure
from .service import RequestError

INTRODUCTION = (
    "# Speech emotion recognition\n"
    "Record from the microphone or upload a recording, pick a trained run, and press **Predict**. "
    "Runs that read words hear them through a speech recogniser; edit the transcript and press "
    "**Predict with this transcript** to see what the words change."
)


def build_page(service):
    """The Gradio Blocks of the page for a loaded :class:`~ser_keras.app.service.DemoService`.

    Returns
    -------
    gradio.Blocks
    """
    import gradio as gr

    with gr.Blocks(title="ser_keras: speech emotion recognition") as page:
        gr.Markdown(INTRODUCTION)
        with gr.Row():
            with gr.Column():
                run = gr.Dropdown(service.names, value=service.names[0], label="trained run", elem_id="run")
                about = gr.Markdown(service.describe(service.names[0]), elem_id="about")
                audio = gr.Audio(sources=["microphone", "upload"], type="filepath", label="recording",
                                 elem_id="audio")  # fmt: skip
                predict = gr.Button("Predict", variant="primary", elem_id="predict")
                transcript = gr.Textbox(label="transcript (editable)", lines=2, elem_id="transcript")
                again = gr.Button("Predict with this transcript", elem_id="again")
            with gr.Column():
                status = gr.Markdown("", elem_id="status")
                emotion = gr.Label(label="class probabilities", elem_id="emotion")
                ratings = gr.Markdown("", elem_id="ratings")
                figure = gr.Plot(label="waveform and features", elem_id="figure")
        outputs = [status, emotion, ratings, transcript, figure]
        run.change(service.describe, run, about)
        answers = itertools.count(1)  # numbered, so that two answers in a row always read differently

        def answer(name, path, words=None):
            number = next(answers)
            try:
                result = service.analyse(name, path, words)
            except RequestError as error:
                return f"Answer {number}: **not predicted**: {error}", None, "", words or "", None
            shown = _shown(result)
            return (f"Answer {number}: {shown[0]}", *shown[1:])

        # Named endpoints: what gradio_client (and the load benchmark) call.
        predict.click(lambda name, path: answer(name, path), [run, audio], outputs, api_name="predict")
        again.click(answer, [run, audio, transcript], outputs, api_name="predict_with_transcript")
    return page


def _shown(result):
    """The components' values for one answer."""
    timing = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in result.seconds.items())
    ratings = " · ".join(f"{name} **{value:.2f}**" for name, value in result.ratings.items())
    status = f"predicted ({timing})." + ("" if result.transcript is None else " Words read: the transcript below.")
    transcript = result.transcript if result.transcript is not None else "(this run reads no words)"
    return status, result.probabilities or None, ratings, transcript, recording_figure(result.samples, result.features)
