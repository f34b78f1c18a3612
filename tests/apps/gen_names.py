"""Endpoints, parameters and outputs named in Chinese, Japanese and German (all versions).

The SDK must keep these words as its names (``生成图片(提示词, 步数)``), or transliterate
them meaningfully with ``--ascii-names``.
"""

import gradio as gr


def 生成图片(提示词: str, 步数: int) -> tuple[str, int]:
    return f"{提示词}×{int(步数)}", len(提示词) * int(步数)


def 画像を生成(プロンプト: str, 枚数: float) -> tuple[str, float]:
    return プロンプト.upper(), float(枚数) * 2


def größe(breite: float, höhe: float) -> tuple[float, float]:
    return breite * höhe, 2 * (breite + höhe)


with gr.Blocks() as demo:
    with gr.Row():
        prompt_zh = gr.Textbox(label="提示词")
        steps_zh = gr.Slider(1, 50, value=20, step=1, label="步数")
        desc_zh = gr.Textbox(label="图片描述")
        length_zh = gr.Number(label="长度", precision=0)
    gr.Button("生成").click(
        生成图片, [prompt_zh, steps_zh], [desc_zh, length_zh], api_name="生成图片"
    )
    with gr.Row():
        prompt_ja = gr.Textbox(label="プロンプト")
        count_ja = gr.Number(label="枚数", value=1)
        out_ja = gr.Textbox(label="出力テキスト")
        total_ja = gr.Number(label="合計")
    gr.Button("生成する").click(
        画像を生成, [prompt_ja, count_ja], [out_ja, total_ja], api_name="画像を生成"
    )
    with gr.Row():
        width = gr.Number(label="Breite")
        height = gr.Number(label="Höhe")
        area = gr.Number(label="Fläche")
        perimeter = gr.Number(label="Umfang")
    gr.Button("Größe").click(größe, [width, height], [area, perimeter], api_name="größe")
