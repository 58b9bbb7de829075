"""A bare Flask app, the yardstick of benchmarks/serve.py: `gunicorn hello:app` (run from benchmarks/)."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    """The cheapest answer Flask can give: a short text."""
    return "Hello", 200, {"Content-Type": "text/plain; charset=utf-8"}
