"""Many component types in one app, for the generator's type mapping across versions.

Every function is deterministic, so the generated SDK and gradio_client can be compared
call by call. Endpoint names are deliberately awkward (dashes, spaces, non-ASCII,
keywords, leading digits, a taken name) to exercise the identifier sanitizer.
"""

import json

import gradio as gr

MAJOR = int(gr.__version__.split(".")[0])


def basics(text, count, ratio, flag, choice, custom, many, boxes, level):
    return json.dumps(
        [text, count, ratio, flag, choice, custom, many, boxes, level], sort_keys=True
    )


def stats(text):
    return len(text), text.upper(), {"words": len(text.split()), "chars": len(text)}


def echo_files(single, several):
    names = [single] + list(several or [])
    return single, names


def table(frame):
    return frame


def chat(message, history):
    return f"echo: {message}"


def label_it(text):
    return {"positive": 0.75, "negative": 0.25} if text else {"neutral": 1.0}


def highlight(text):
    return [(word, "W" if i % 2 == 0 else None) for i, word in enumerate(text.split())]


def multimodal(value):
    files = value.get("files") or [] if isinstance(value, dict) else []
    return f"{value.get('text', '')} ({len(files)} files)"


def gallery(count):
    return []


def countdown(n):
    for i in range(int(n), -1, -1):
        yield i


def nothing_in():
    return "constant"


def keyword_fn(value):
    return value


with gr.Blocks() as demo:
    text = gr.Textbox(label="Text", info="Free text; \"quotes\" and \\ survive")
    count = gr.Number(label="Count", precision=0, value=3)
    ratio = gr.Slider(0, 10, value=2.5, step=0.5, label="Ratio")
    flag = gr.Checkbox(label="Flag", value=True)
    choice = gr.Dropdown(["red", "green", "blue"], value="red", label="Colour")
    custom = gr.Dropdown(["small", "large"], value="small", allow_custom_value=True, label="Size")
    many = gr.Dropdown(["a", "b", "c"], value=["a"], multiselect=True, label="Letters")
    boxes = gr.CheckboxGroup(["x", "y", "z"], value=["x"], label="Axes")
    level = gr.Radio([("Low", 1), ("Mid", 2), ("High", 3)], value=2, label="Level")
    out_text = gr.Textbox(label="Result")
    btn = gr.Button()
    btn.click(
        basics, [text, count, ratio, flag, choice, custom, many, boxes, level], out_text,
        api_name="basics",
    )

    n_out = gr.Number(label="Length", precision=0)
    up_out = gr.Textbox(label="Upper")
    json_out = gr.JSON(label="Summary")
    gr.Button().click(stats, text, [n_out, up_out, json_out], api_name="text-stats")

    single = gr.File(label="Single file")
    several = gr.File(label="Several files", file_count="multiple")
    f_out = gr.File(label="Same file")
    fs_out = gr.File(label="All files", file_count="multiple")
    gr.Button().click(echo_files, [single, several], [f_out, fs_out], api_name="echo files")

    frame = gr.Dataframe(headers=["a", "b"], datatype=["number", "str"], label="Frame")
    frame_out = gr.Dataframe(label="Frame out")
    gr.Button().click(table, frame, frame_out, api_name="table")

    lab_out = gr.Label(label="Sentiment")
    gr.Button().click(label_it, text, lab_out, api_name="classify")

    hl_out = gr.HighlightedText(label="Highlighted")
    gr.Button().click(highlight, text, hl_out, api_name="highlight")

    mm = gr.MultimodalTextbox(label="Message")
    mm_out = gr.Textbox(label="Summary")
    gr.Button().click(multimodal, mm, mm_out, api_name="multimodal")

    num = gr.Number(label="N", value=3, precision=0)
    gal_out = gr.Gallery(label="Pictures")
    gr.Button().click(gallery, num, gal_out, api_name="gallery")

    cd_out = gr.Number(label="Tick", precision=0)
    gr.Button().click(countdown, num, cd_out, api_name="count-down")

    const_out = gr.Textbox(label="Constant")
    gr.Button().click(nothing_in, None, const_out, api_name="größe")
    gr.Button().click(keyword_fn, text, const_out, api_name="class")
    gr.Button().click(keyword_fn, text, const_out, api_name="2nd step")
    gr.Button().click(keyword_fn, text, const_out, api_name="text_stats")

    if MAJOR >= 5:
        bot = gr.Chatbot(type="messages", label="Chat") if MAJOR == 5 else gr.Chatbot(label="Chat")
    else:
        bot = gr.Chatbot(type="messages", label="Chat")
    msg = gr.Textbox(label="Message")

    def respond(message, history):
        return history + [{"role": "user", "content": message}]

    gr.Button().click(respond, [msg, bot], bot, api_name="respond")

    editor = gr.ImageEditor(label="Sketch")
    editor_out = gr.Textbox(label="Layers")
    gr.Button().click(
        lambda v: str(len((v or {}).get("layers") or [])), editor, editor_out, api_name="sketch"
    )
