"""Take ``inside-attention.png`` (the Inside panel, floated) and
``inside-attention-window.png`` (the Train workspace): Inside › Attention showing the
character transformer's four heads after a short run.

    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb \
        python docs/screenshots/take_attention_screenshot.py
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shots import HERE, close_window, open_window, shot, wait_for  # noqa: E402


def main() -> None:
    app, window = open_window("char_transformer.ncproj")
    window.editor.set_training_setting("epochs", 40)
    window.show()
    panel = window.inside_dock.widget()
    done = []
    window.training.runner.finished.connect(lambda _r: done.append(True))
    window.training.action_train.trigger()
    # Until a snapshot of the weights after ~12 epochs (its maps have found structure)
    attention = panel.attention
    wait_for(lambda: bool(done) or (attention.snapshot is not None
                                    and attention.snapshot.step >= 500), 240)
    window.workspaces.switch("train")
    window.editor.set_selection(["attention"])
    panel.show_view(panel.attention)
    panel.attention.throttle.flush()
    wait_for(lambda: bool(panel.attention.maps), 10)
    shot(HERE / "inside-attention-window.png")
    dock = window.inside_dock  # floated and enlarged: the four heads side by side
    dock.setFloating(True)
    dock.resize(980, 520)
    wait_for(lambda: False, 1.5)
    dock.grab().save(str(HERE / "inside-attention.png"))
    print("wrote", HERE / "inside-attention.png")
    window.training.stop()
    wait_for(lambda: bool(done), 30)
    window.training.shutdown()
    window.inside.shutdown()
    window.data_panel.shutdown()
    close_window(window)
    app.quit()


if __name__ == "__main__":
    main()
