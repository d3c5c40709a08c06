"""Service webhooks: a Flask app with a health route and the generated webhook routes. Yours to edit.

Serve it with any WSGI server, e.g. `gunicorn main:app`; `python main.py` runs Werkzeug's server on $PORT.
"""

import os

from flask import Flask

from webhooks._generated.routes import blueprint as webhooks_blueprint


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok", "service": "webhooks"}

    app.register_blueprint(webhooks_blueprint)
    return app


app = create_app()


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "3001")))
