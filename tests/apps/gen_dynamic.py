"""Components an event changes, and components whose schema is empty (all versions).

- ``animal``: a Dropdown created with no choices, filled by ``/fill``.
- ``steps``: a Slider whose maximum ``/raise_limit`` raises from 10 to 1000.
- ``size``: a Radio whose choices ``/more_sizes`` extends.
- ``color`` and ``opacity``: a Dropdown and a Slider no event touches.
- ``pages``: a ``gr.Navbar`` (5.x and later), whose ``api_info`` is ``{}``; ``stars``:
  a component subclass that publishes an empty schema too, as custom components do.
"""

from typing import Any

import gradio as gr

MAJOR = int(gr.__version__.split(".")[0])
ANIMALS = ["cat", "dog", "axolotl"]


# Gradio 4 and later write a .pyi stub next to the module of every new component class;
# a test app must not write into the source tree, so the stub writer is off while Stars
# is made. (3.x has no stub writer.)
if MAJOR >= 4:
    from gradio import component_meta

    _write_stub = component_meta.create_or_modify_pyi
    component_meta.create_or_modify_pyi = lambda *args, **kwargs: None  # type: ignore[assignment]


class Stars(gr.Number):
    """A number widget that, like many custom components, publishes no schema."""

    def api_info(self) -> dict[str, Any]:
        return {}


if MAJOR >= 4:
    component_meta.create_or_modify_pyi = _write_stub


def fill() -> Any:
    return gr.update(choices=ANIMALS, value=ANIMALS[0])


def pick(animal: str) -> str:
    return f"picked {animal}"


def raise_limit() -> Any:
    return gr.update(maximum=1000)


def run(steps: float) -> str:
    return f"ran {int(steps)} steps"


def more_sizes() -> Any:
    return gr.update(choices=["S", "M", "XL"])


def order(size: str) -> str:
    return f"ordered {size}"


def paint(color: str, opacity: float) -> str:
    return f"{color} at {opacity}"


def rate(stars: float) -> tuple[float, str]:
    return stars + 1, f"{stars} stars"


def count_pages(pages: Any) -> str:
    return f"{len(pages or [])} pages: {[p[0] for p in pages or []]}"


def set_pages() -> list[tuple[str, str]]:
    return [("Docs", "docs"), ("Blog", "https://example.org/blog")]


with gr.Blocks() as demo:
    animal = gr.Dropdown(choices=[], label="animal")
    picked = gr.Textbox(label="picked")
    gr.Button("fill").click(fill, None, animal, api_name="fill")
    gr.Button("pick").click(pick, animal, picked, api_name="pick")

    steps = gr.Slider(1, 10, value=5, step=1, label="steps")
    ran = gr.Textbox(label="ran")
    gr.Button("raise").click(raise_limit, None, steps, api_name="raise_limit")
    gr.Button("run").click(run, steps, ran, api_name="run")

    size = gr.Radio(["S", "M"], value="S", label="size")
    ordered = gr.Textbox(label="ordered")
    gr.Button("more").click(more_sizes, None, size, api_name="more_sizes")
    gr.Button("order").click(order, size, ordered, api_name="order")

    color = gr.Dropdown(choices=["red", "green"], value="red", label="color")
    opacity = gr.Slider(0, 1, value=1, label="opacity")
    painted = gr.Textbox(label="painted")
    gr.Button("paint").click(paint, [color, opacity], painted, api_name="paint")

    stars = Stars(label="stars")
    more_stars = Stars(label="more stars")
    said = gr.Textbox(label="said")
    gr.Button("rate").click(rate, stars, [more_stars, said], api_name="rate")

    if MAJOR >= 5:
        pages = gr.Navbar(value=[("Home", "home")], main_page_name="Main")
        pages_said = gr.Textbox(label="pages said")
        gr.Button("count").click(count_pages, pages, pages_said, api_name="count_pages")
        gr.Button("set").click(set_pages, None, pages, api_name="set_pages")
