"""The Explain view's equations as Qt rich text (HTML with sub- and superscripts):
what ``engine.insights.explain`` computed, laid out as a person writes it. Only
formatting here; every number comes from the explanation given."""
from __future__ import annotations

import re
from html import escape

from engine.insights.explain import LossExplanation, UnitExplanation, Update
from engine.insights.explain_recurrent import RecurrentExplanation

STYLE = ("<style>td{padding:1px 6px;} .eq{font-size:13pt;} .k{color:#8ab4f8;} "
         ".g{color:#f6ae2d;} .u{color:#7bd389;} .note{color:#9aa0a6;}</style>")


def num(v: float | None) -> str:
    """Four significant digits, a real minus sign."""
    return "—" if v is None else f"{v + 0.0:.4g}".replace("-", "\u2212")  # no −0


def _signed(v: float) -> str:
    return f"\u2212 {num(-v)}" if v < 0 else f"+ {num(v)}"


def unit_html(e: UnitExplanation, sample: int) -> str:
    parts = [STYLE, f"<p class='eq'><b>{escape(e.layer_type)} {escape(e.unit)}</b>, "
             f"sample {sample}</p>", _sum_html(e), _activation_html(e)]
    if e.dl_dz is not None:
        parts.append(_backward_html(e))
    if any(t.update is not None for t in e.terms):
        parts.append(_updates_html(e))
    return "".join(parts)


def _sum_html(e: UnitExplanation) -> str:
    conv = e.layer_type in ("Conv2D", "Conv1D")
    what = "patch ⊙ kernel, summed" if conv else "Σ w<sub>i</sub>x<sub>i</sub>"
    terms = [f"({num(t.weight)}·{num(t.input)})" for t in e.terms]
    line = " + ".join(terms)
    if e.rest_count:
        line += f" {_signed(e.rest)} <span class='note'>(the other {e.rest_count} terms)</span>"
    if e.bias is not None:
        line += f" {_signed(e.bias)}<sub>b</sub>"
    rows = "".join(f"<tr><td>{escape(t.label)}</td><td>w = {num(t.weight)}</td>"
                   f"<td>x = {num(t.input)}</td><td>w·x = {num(t.product)}</td></tr>"
                   for t in e.terms)
    return (f"<p class='eq'>z = {what} + b = {line}<br>&nbsp;&nbsp;= <b>{num(e.z)}</b></p>"
            f"<table><tr class='note'><td>input</td><td>weight</td><td>value</td>"
            f"<td>product (largest |w·x| first)</td></tr>{rows}</table>")


def _activation_html(e: UnitExplanation) -> str:
    phi = f"{escape(e.activation)}"
    if e.fused:
        return (f"<p class='eq'>a = {phi}(z)<sub>unit</sub> = <b>{num(e.a)}</b> "
                f"<span class='note'>(the loss computes {phi} itself, from the logits)</span></p>")
    return f"<p class='eq'>a = φ(z) = {phi}({num(e.z)}) = <b>{num(e.a)}</b></p>"


def _backward_html(e: UnitExplanation) -> str:
    lines = []
    if e.dl_da is not None:
        lines.append(f"∂L/∂a = <b>{num(e.dl_da)}</b>")
    if e.dphi is not None:
        lines.append(f"∂L/∂z = ∂L/∂a · φ′(z) = {num(e.dl_da)} · {num(e.dphi)} = "
                     f"<b>{num(e.dl_dz)}</b>")
    else:
        lines.append(f"∂L/∂z = <b>{num(e.dl_dz)}</b>" + (
            " <span class='note'>(softmax + cross-entropy: p − y)</span>" if e.fused else
            " <span class='note'>(softmax mixes the units: the full Jacobian)</span>"))
    share = " <span class='note'>(this position's share)</span>" \
        if e.layer_type in ("Conv2D", "Conv1D") else ""
    grads = "".join(f"<tr><td>∂L/∂w<sub>{escape(t.label.removeprefix('x'))}</sub> = ∂L/∂z · x = "
                    f"{num(e.dl_dz)} · {num(t.input)}</td><td>= <b>{num(t.grad)}</b>"
                    f"</td></tr>" for t in e.terms)
    loss = f"L = {num(e.loss)} on this sample. " if e.loss is not None else ""
    return (f"<p class='eq g'>Backward: {loss}<br>" + "<br>".join(lines) + f"{share}</p>"
            f"<table class='g'>{grads}</table>")


def _rule(name: str) -> str:
    """An optimizer rule's name as rich text: exponents raised, and the hats of the
    bias-corrected moments as overlines (a combining hat lands on the wrong letter in
    common fonts)."""
    text = re.sub(r"\^(\d+)", r"<sup>\1</sup>", escape(name))
    for letter in "mv":
        text = text.replace(f"{letter}\u0302", f"<span style='text-decoration:overline'>"
                                                f"{letter}</span>")
    return text


def _update_cell(u: Update) -> str:
    steps = "; ".join(f"{_rule(name)} = {num(v)}" for name, v in u.steps)
    return (f"g = {num(u.grad)}; {steps}</td><td>w: {num(u.before)} → <b>{num(u.after)}</b>")


def _updates_html(e: UnitExplanation) -> str:
    first = next(t.update for t in e.terms if t.update is not None)
    assert first is not None
    note = ("the whole sample's gradient (every position)"
            if e.layer_type in ("Conv2D", "Conv1D")
            else "this sample's gradient")
    rows = "".join(f"<tr><td>{escape(t.label)}</td><td>{_update_cell(t.update)}</td></tr>"
                   for t in e.terms if t.update is not None)
    if e.bias_update is not None:
        rows += f"<tr><td>b</td><td>{_update_cell(e.bias_update)}</td></tr>"
    return (f"<p class='eq u'>Update ({escape(first.optimizer)}, α = {num(first.lr)}, "
            f"at the optimizer's current state, for {note}):</p>"
            f"<table class='u'>{rows}</table>")


def recurrent_html(e: RecurrentExplanation, sample: int) -> str:
    rows = "".join(
        f"<tr><td><b>{g.symbol}</b> ({escape(g.name)})</td><td>{num(g.x_part)} "
        f"{_signed(g.h_part)} {_signed(g.bias)} = {num(g.pre)}</td>"
        f"<td>{escape(g.function)}(·) = <b>{num(g.value)}</b></td>"
        f"<td class='g'>{num(g.grad)}</td></tr>" for g in e.gates)
    head = ("<tr class='note'><td>gate</td><td>x<sub>t</sub>·W + h<sub>t−1</sub>·U + b = "
            "pre-activation</td><td>activation</td><td>∂L/∂pre</td></tr>")
    way = ("" if e.direction == "forward" else
           "<p class='note'>The backward direction: it reads the sequence from the last "
           "step, so h<sub>t−1</sub> here is its state after step t + 1.</p>")
    return (STYLE + f"<p class='eq'><b>{escape(e.layer_type)} unit {e.unit}</b>, step "
            f"t = {e.step}, sample {sample}</p>{way}<table>{head}{rows}</table>"
            f"<p class='eq'>{_state_html(e)}</p>" + _gate_weights_html(e))


def _gate_weights_html(e: RecurrentExplanation) -> str:
    """Each gate's largest products, this step's share of ∂L/∂W and ∂L/∂U, and the
    optimizer's step on those weights and the gate's bias."""
    if not any(g.terms for g in e.gates):
        return ""
    rows, updates = [], []
    for g in e.gates:
        for t in g.terms:
            matrix = "W" if t.label.startswith("x") else "U"
            name = f"{matrix}<sub>{t.index[0]},{g.symbol}</sub>"
            rows.append(f"<tr><td><b>{g.symbol}</b></td><td>{escape(t.label)}</td>"
                        f"<td>{name} = {num(t.weight)}</td><td>· {num(t.input)} = "
                        f"{num(t.product)}</td><td class='g'>∂L/∂{name} at t: "
                        f"{num(g.grad)} · {num(t.input)} = <b>{num(t.grad)}</b></td></tr>")
            if t.update is not None:
                updates.append(f"<tr><td>{name}</td><td>{_update_cell(t.update)}</td></tr>")
        if g.bias_update is not None:
            updates.append(f"<tr><td>b<sub>{g.symbol}</sub></td>"
                           f"<td>{_update_cell(g.bias_update)}</td></tr>")
    html = ("<p class='eq g'>Backward: each weight's share from this step is "
            "∂L/∂pre · input (the layer's ∂L/∂W sums the shares over every step). "
            "The largest products of each gate:</p>"
            "<table><tr class='note'><td>gate</td><td>input</td><td>weight</td>"
            "<td>product</td><td>this step's share of the gradient</td></tr>"
            + "".join(rows) + "</table>")
    if updates:
        first = next(t.update for g in e.gates for t in g.terms if t.update is not None)
        assert first is not None
        html += (f"<p class='eq u'>Update ({escape(first.optimizer)}, α = {num(first.lr)}, "
                 f"at the optimizer's current state, for the whole sample's gradient, "
                 f"every step):</p><table class='u'>{''.join(updates)}</table>")
    return html


def _state_html(e: RecurrentExplanation) -> str:
    g = {q.symbol: q.value for q in e.gates}
    if e.layer_type == "LSTM":
        return (f"c<sub>t</sub> = f·c<sub>t−1</sub> + i·g = {num(g['f'])}·{num(e.c_prev)} + "
                f"{num(g['i'])}·{num(g['g'])} = <b>{num(e.c)}</b><br>h<sub>t</sub> = "
                f"o·tanh(c<sub>t</sub>) = {num(g['o'])}·tanh({num(e.c)}) = <b>{num(e.h)}</b>")
    if e.layer_type == "GRU":
        r, hu = e.reset_part or (0.0, 0.0)
        return (f"n's recurrent part = r·(h<sub>t−1</sub>·U<sub>n</sub> + b<sub>hn</sub>) = "
                f"{num(r)}·{num(hu)}<br>h<sub>t</sub> = (1 − z)·n + z·h<sub>t−1</sub> = "
                f"(1 − {num(g['z'])})·{num(g['n'])} + {num(g['z'])}·{num(e.h_prev)} = "
                f"<b>{num(e.h)}</b>")
    return f"h<sub>t</sub> = <b>{num(e.h)}</b> (h<sub>t−1</sub> = {num(e.h_prev)})"


def loss_html(e: LossExplanation) -> str:
    if e.probabilities and e.target_class is not None:
        rows = "".join(f"<tr><td>{c}</td><td>{num(z)}</td><td>{num(p)}</td></tr>"
                       for c, (z, p) in enumerate(zip(e.outputs, e.probabilities)))
        p = e.probabilities[e.target_class]
        return (f"<p class='eq'><b>Loss</b>: softmax p<sub>c</sub> = e<sup>z<sub>c</sub></sup>"
                f" / Σ<sub>k</sub> e<sup>z<sub>k</sub></sup>; L = −log p<sub>y</sub> = "
                f"−log {num(p)} = <b>{num(e.value)}</b> (y = {e.target_class})</p>"
                f"<table><tr class='note'><td>class</td><td>logit z</td><td>p</td></tr>"
                f"{rows}</table>")
    if e.probabilities:
        return (f"<p class='eq'><b>Loss</b> (binary cross-entropy): p = σ(z) = "
                f"{', '.join(num(p) for p in e.probabilities)}; L = <b>{num(e.value)}</b></p>")
    form = "({} − {})²" if e.name == "mse" else "|{} − {}|"
    terms = " + ".join(form.format(num(p), num(t)) for p, t in zip(e.outputs, e.targets))
    mean = "MSE" if e.name == "mse" else "MAE"
    return (f"<p class='eq'><b>Loss</b> ({mean}): L = (1/{len(e.outputs)}) · [{terms}] "
            f"= <b>{num(e.value)}</b></p>")
