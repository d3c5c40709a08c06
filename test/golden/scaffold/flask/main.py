"""Service webhooks: a Flask app with a health route and the generated webhook routes. Yours to edit.

Serve it with any WSGI server, e.g. `gunicorn main:app`; `python main.py` runs Werkzeug's server on $PORT.
"""

# first: the project's .env layers in development, before anything reads the environment
from webhooks._generated.env import load_project_env

ENV_FILES = load_project_env()

import os  # noqa: E402

from flask import Flask  # noqa: E402

from webhooks._generated.routes import blueprint as webhooks_blueprint  # noqa: E402


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok", "service": "webhooks"}

    app.register_blueprint(webhooks_blueprint)
    return app


app = create_app()


if __name__ == "__main__":
    # the env layers above are the only .env files read: Flask's own loader would add the nearest .env
    # even in production
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "3001")), load_dotenv=False)
