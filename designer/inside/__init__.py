"""Seeing inside the network: live per-layer views, health badges on the canvas,
results after training, decision maps, one-sample inspection, edit-time previews and
time/memory estimates. Each view is a standalone widget fed through a small API
(``show_snapshot``, ``show_report`` ...); ``dock.InsideDock`` wires them to the window.
"""
