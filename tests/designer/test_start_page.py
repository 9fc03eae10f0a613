"""The start page as a user meets it: examples and templates with pictures of their
designs open with one click, recent projects (the missing ones left out), the
show-at-startup choice remembered; and the next-step strip on the way to training."""
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolButton

from designer.projects import example_paths
from designer.start_page import PATH_ROLE, StartPage, open_start_page, show_at_startup
from engine.project import save_project

from .test_projects import trained_project


def click_item(grid, text: str) -> None:
    item = next(grid.item(i) for i in range(grid.count()) if grid.item(i).text() == text)
    grid.scrollToItem(item)
    QTest.mouseClick(grid.viewport(), Qt.LeftButton, Qt.NoModifier,
                     grid.visualItemRect(item).center())


def test_clicking_an_example_opens_it_and_closes_the_page(qtbot, window):
    page = open_start_page(window)
    qtbot.waitExposed(page)
    assert page.examples.count() == len(example_paths())
    icon = page.examples.item(0).icon().pixmap(page.examples.iconSize()).toImage()
    assert len({icon.pixel(x, y) for x in range(0, icon.width(), 4)
                for y in range(0, icon.height(), 4)}) > 3  # a picture, not a blank tile
    with qtbot.waitSignal(page.finished):
        click_item(page.examples, "Digits MLP")
    doc = window.editor.doc
    assert [l.type for l in doc.layers][:2] == ["Input", "Dense"] and doc.project.data
    assert window.projects.path is None  # an untitled copy: Save never overwrites it


def test_a_template_opens_a_design_that_validates(qtbot, window):
    page = open_start_page(window)
    names = [page.templates.item(i).text() for i in range(page.templates.count())]
    assert {"Blank", "MLP classifier", "CNN for images"} <= set(names)
    click_item(page.templates, "CNN for images")
    doc = window.editor.doc
    doc.refresh_report()
    assert "Conv2D" in [l.type for l in doc.layers] and not doc.report.problems
    assert not page.isVisible()


def test_recent_projects_are_listed_and_missing_ones_left_out(qtbot, window, tmp_path):
    kept, gone = tmp_path / "kept.ncproj", tmp_path / "gone.ncproj"
    for path in (gone, kept):
        save_project(trained_project(), path)
        window.projects.add_recent(path)
    gone.unlink()
    page = StartPage(window, window.settings)
    qtbot.addWidget(page)
    listed = [page.recent.item(i).data(PATH_ROLE) for i in range(page.recent.count())]
    assert listed == [("recent", str(kept.resolve()))]
    assert window.projects.recent_files() == [str(kept.resolve())]
    page.show()
    click_item(page.recent, page.recent.item(0).text())
    assert window.projects.path == kept.resolve()


def test_show_at_startup_is_remembered(qtbot, window):
    assert show_at_startup(window.settings)
    page = StartPage(window, window.settings)
    qtbot.addWidget(page)
    page.show()
    page.show_at_startup.click()
    assert not show_at_startup(window.settings)


def test_the_next_step_strip_leads_from_a_blank_design_to_training(qtbot, window):
    bar = window.next_step
    assert bar.isVisible() and bar.step.verb == "add_dense"
    bar.button.click()  # adds a Dense after the Input
    doc = window.editor.doc
    qtbot.waitUntil(lambda: bar.step is not None and bar.step.verb == "data")
    assert [l.type for l in doc.layers] == ["Input", "Dense"]
    bar.button.click()
    assert window.workspaces.current == "data"
    with qtbot.waitSignal(window.data_panel.loaded, timeout=30000):
        window.data_panel.load_button.click()
    qtbot.waitUntil(lambda: bar.step is not None and bar.step.verb == "train")
    assert "Train" in bar.text.text()
    QTest.mouseClick(bar.findChild(QToolButton, "next_step_close"), Qt.LeftButton)
    assert not bar.isVisible()
