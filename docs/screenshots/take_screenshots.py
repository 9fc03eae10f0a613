"""Take the README's workspace screenshots from the real window.

    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb \
        python docs/screenshots/take_screenshots.py 1366 [--dark]

opens the digits MLP example, shows Design and Data, trains it for 150 epochs (the Train
workspace comes forward, shot paused mid-run), waits for the Evaluate workspace, and saves
``workspace-<name>-<width>.png`` (``dark-<name>-<width>.png`` with --dark, a dark palette
like a desktop's dark theme), plus the start page over a blank design. The screen size
given to Xvfb is the window's size; the number names the files.

With --learn it takes the Learn screenshots instead (``learn_shots.py``): a lesson beside
the canvas at that size, and at 1366 the Explain, Step through, saliency and "What it
sees" views after short real runs.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # shots, learn_shots

from shots import close_window, open_window, shot, wait_for  # noqa: E402

from designer.start_page import open_start_page  # noqa: E402


def learn(width: str) -> None:
    import learn_shots

    app, window = open_window("xor.ncproj")
    window.show()
    wait_for(lambda: False, 1.0)  # the workspace's default sizes are applied once shown
    learn_shots.main(window, width)
    close_window(window)
    del app


def main(width: str, dark: bool) -> None:
    prefix = "dark" if dark else "workspace"
    app, window = open_window("digits_mlp.ncproj", dark)
    window.editor.set_training_setting("epochs", 150)
    window.show()
    preview = window.inside_dock.widget().preview
    for key in ("design", "data"):
        window.workspaces.switch(key)
        if key == "design":  # the Preview tab shows: let its first preview come
            wait_for(lambda: preview.runs > 0, 20)
        shot(HERE / f"{prefix}-{key}-{width}.png")
    window.training.action_train.trigger()
    wait_for(lambda: window.training_panel.progress.value() > 150, 60)  # a few epochs in
    window.training.action_pause.trigger()  # held mid-run for the picture (it is fast)
    wait_for(lambda: window.training.state == "paused", 10)
    shot(HERE / f"{prefix}-train-{width}.png")
    window.training.action_resume.trigger()
    wait_for(lambda: window.workspaces.current == "evaluate", 180)
    shot(HERE / f"{prefix}-evaluate-{width}.png", wait_ms=2700)
    window.editor.stack.setClean()  # no "save changes?" question in a script
    if not dark:
        window.projects.new_from_template("blank")
        window.workspaces.switch("design")
        open_start_page(window)
        shot(HERE / f"start-page-{width}.png")
    close_window(window)


if __name__ == "__main__":
    size = sys.argv[1] if len(sys.argv) > 1 else "1366"
    if "--learn" in sys.argv:
        learn(size)
    else:
        main(size, "--dark" in sys.argv)
