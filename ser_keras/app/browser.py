"""The page driven in a real browser: serve it, open it in headless Chromium, upload, predict, read.

Used by the browser test, the screenshot in the README (``scripts/page_screenshot.py``) and
anyone checking a deployment. Playwright's Python API drives Debian's ``chromium`` package
through ``executable_path``: Playwright's own browser builds are a download this project
cannot rely on, and its locators wait for the page by themselves.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

# Chromium as root in a container, with nothing reaching out to the network on its own.
CHROMIUM_ARGUMENTS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                      "--disable-sync", "--no-first-run")  # fmt: skip


def chromium_path():
    """Debian's Chromium (or ``SER_KERAS_CHROMIUM``), or None when no browser is installed."""
    return os.environ.get("SER_KERAS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def free_port():
    """A port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serve(run_dirs, arguments=(), timeout=180):
    """``python -m ser_keras.app`` in a child process on 127.0.0.1; yields its address, stops it at the end.

    Raises
    ------
    RuntimeError
        When the page does not answer within ``timeout`` seconds (with what the child printed).
    """
    port = free_port()
    command = [sys.executable, "-m", "ser_keras.app", *map(str, run_dirs), "--port", str(port), *arguments]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_for(url, child, timeout)
        yield url
    finally:
        child.terminate()
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()


def _wait_for(url, child, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"the page stopped before it answered:\n{child.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    child.terminate()
    raise RuntimeError(f"the page did not answer at {url} within {timeout} s:\n{child.communicate()[0]}")


@contextlib.contextmanager
def browser_page(url, width=1280, height=1100):
    """A headless Chromium page opened at ``url`` (Playwright), closed at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGUMENTS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(url)
            page.wait_for_selector("#audio")
            yield page
        finally:
            browser.close()


def upload_and_predict(page, audio_path, timeout=120):
    """Upload a file, press Predict, and read what the page shows once it has answered.

    Returns
    -------
    dict
        ``status`` (the status line), ``emotion`` (the label's top class, or ""), ``transcript``.
    """
    page.click("#audio button[aria-label='Upload file']")
    page.locator("#audio input[type=file]").set_input_files(str(audio_path))
    page.wait_for_selector("#audio audio, #audio [data-testid='waveform-Audio']", state="attached", timeout=30000)
    return _press(page, "#predict", timeout)


def predict_again(page, transcript, timeout=120):
    """Type a transcript, press "Predict with this transcript", and read the answer (as :func:`upload_and_predict`)."""
    page.fill("#transcript textarea", transcript)
    return _press(page, "#again", timeout)


STATUS = "#status [data-testid='markdown']"


def _press(page, button, timeout):
    before = page.inner_text(STATUS) if page.locator(STATUS).count() else ""
    page.click(button)
    # The status line changes with every answer: it is numbered ("Answer 3: ...").
    page.wait_for_function(
        "([selector, previous]) => { const s = document.querySelector(selector); "
        "return s && s.innerText.startsWith('Answer') && s.innerText !== previous; }",
        arg=[STATUS, before],
        timeout=timeout * 1000,
    )
    heading = page.locator("#emotion [data-testid='label-output-value']")
    return {
        "status": page.inner_text(STATUS).strip(),
        "emotion": heading.first.inner_text().strip() if heading.count() else "",
        "transcript": page.input_value("#transcript textarea"),
    }
