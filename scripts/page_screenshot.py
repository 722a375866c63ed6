"""The demo page's picture in the README: a run, a recording, the page's answer, in headless Chromium.

    python scripts/page_screenshot.py RUN_DIR AUDIO docs/figures/demo-page.png

Serves ``python -m ser_keras.app RUN_DIR`` on 127.0.0.1, uploads AUDIO, presses Predict, waits for
the figure, and saves the page (the app, asr and browser extras, and Debian's chromium).
"""

import argparse
from pathlib import Path

from ser_keras.app.browser import browser_page, serve, upload_and_predict


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("audio", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    with serve([args.run_dir]) as url, browser_page(url, height=820) as page:
        answer = upload_and_predict(page, args.audio)
        page.wait_for_selector("#figure img", timeout=30000)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.out), full_page=True)
    print(f"{answer['status']}\nemotion: {answer['emotion']}; transcript: {answer['transcript']}\nwrote {args.out}")


if __name__ == "__main__":
    main()
