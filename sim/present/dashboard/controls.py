"""The dashboard's own controls: run buttons and parameter inputs, in the page's language.

Every word comes from :mod:`sim.present.i18n` (``dashboard.control.*`` and the input labels
of :func:`~sim.present.dashboard.model.model_params`). A slider shows its current value and
its range as text (``Overleveringstap (handover_loss): 0,2`` over ``område 0–1``), so the
value is readable without touching the slider.
"""

from __future__ import annotations

from collections.abc import Callable

import solara

from sim.present.dashboard.panels import value_text
from sim.present.i18n import t

SLIDERS = {"SliderInt": solara.SliderInt, "SliderFloat": solara.SliderFloat}
SMALL = {"font-size": "0.8em", "color": "#555555"}


def shown_value(spec: dict, value: object, lang: str) -> str:
    """An input's value as the page shows it (numbers in the language's format)."""
    if spec["type"] == "Checkbox":
        return t(lang, "dashboard.control.on" if value else "dashboard.control.off")
    if spec["type"] in SLIDERS:
        return value_text(float(value), lang)
    return str(value)


def range_text(spec: dict, lang: str) -> str:
    """A slider's range: ``område 0–1`` (nb), ``range 0–1`` (en)."""
    lo, hi = (value_text(float(spec[end]), lang) for end in ("min", "max"))
    return t(lang, "dashboard.control.range", lo=lo, hi=hi)


@solara.component
def ParamInput(spec: dict, value: object, on_value: Callable, lang: str):  # noqa: N802 (a Solara component)
    """One input of ``model_params``: a text box, a check box, or a slider with value and range."""
    label = spec["label"]
    if spec["type"] == "InputText":
        solara.InputText(label, value=str(value), on_value=on_value, continuous_update=False)
        return
    if spec["type"] == "Checkbox":
        solara.Checkbox(label=label, value=bool(value), on_value=on_value)
        return
    shown = t(lang, "dashboard.control.value", label=label, value=shown_value(spec, value, lang))
    with solara.Column(gap="0px", classes=["sim-slider"]):
        solara.Text(shown, classes=["sim-slider-value"])
        SLIDERS[spec["type"]](
            "",
            value=value,
            min=spec["min"],
            max=spec["max"],
            step=spec["step"],
            on_value=on_value,
            thumb_label=False,
        )
        solara.Text(range_text(spec, lang), classes=["sim-slider-range"], style=SMALL)


@solara.component
def ParamCard(  # noqa: N802 (a Solara component)
    specs: dict[str, dict],
    values: solara.Reactive[dict],
    pending: bool,
    lang: str,
):
    """The parameters card: one input per spec; a note while the values wait for a reset."""

    def setter(key: str) -> Callable[[object], None]:
        return lambda value: values.set({**values.value, key: value})

    with solara.Card(t(lang, "dashboard.control.parameters")):
        for key, spec in specs.items():
            ParamInput(spec, values.value[key], setter(key), lang)
        if pending:
            solara.Info(t(lang, "dashboard.control.pending"), dense=True)


@solara.component
def RunCard(  # noqa: N802 (a Solara component)
    playing: bool,
    on_play: Callable[[], None],
    on_step: Callable[[], None],
    on_reset: Callable[[], None],
    error: str | None,
    lang: str,
):
    """Play/pause, one month forward, and reset (re-create the model with the inputs' values)."""
    with solara.Card(t(lang, "dashboard.control.run")):
        with solara.Row(justify="space-between"):
            play = "dashboard.control.pause" if playing else "dashboard.control.play"
            solara.Button(t(lang, play), color="primary", on_click=on_play)
            solara.Button(
                t(lang, "dashboard.control.step"),
                color="primary",
                on_click=on_step,
                disabled=playing,
            )
            solara.Button(t(lang, "dashboard.control.reset"), color="primary", on_click=on_reset)
        if error:
            solara.Error(t(lang, "dashboard.control.error", problem=error), dense=True)
