"""A live demo page for the classroom (the app extra): ``python -m ser_keras.app RUN_DIR [RUN_DIR ...]``.

:mod:`.service` checks and answers requests (no web code), :mod:`.figures` draws, :mod:`.page`
lays out the Gradio page, :mod:`ser_keras.cli.app` parses the command line.
"""
