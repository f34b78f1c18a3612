"""Calculator: Number, Radio of operations, Number -> Number (the first vertical slice)."""

import gradio as gr


def calculate(num1: float, operation: str, num2: float) -> float:
    if operation == "add":
        return num1 + num2
    if operation == "subtract":
        return num1 - num2
    if operation == "multiply":
        return num1 * num2
    if num2 == 0:
        raise gr.Error("Cannot divide by zero!")
    return num1 / num2


demo = gr.Interface(
    fn=calculate,
    inputs=[
        gr.Number(label="num1"),
        gr.Radio(["add", "subtract", "multiply", "divide"], label="operation"),
        gr.Number(label="num2"),
    ],
    outputs=gr.Number(label="result"),
    api_name="predict",
)
