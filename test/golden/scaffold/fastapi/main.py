"""Service webhooks: a FastAPI app with a health route and the generated webhook routes. Yours to edit."""

# first: the project's .env layers in development, before anything reads the environment
from webhooks._generated.env import is_production, load_project_env

ENV_FILES = load_project_env()

import os  # noqa: E402

from fastapi import FastAPI  # noqa: E402

from webhooks._generated.routes import router as webhooks_router  # noqa: E402

app = FastAPI(title="webhooks")


@app.get("/health")
def health() -> dict:
    return {"status": "ok", "service": "webhooks"}


app.include_router(webhooks_router)


if __name__ == "__main__":
    import uvicorn

    # python3 main.py: restarts on every change in development (uvicorn --reload)
    uvicorn.run(
        "main:app",
        host="0.0.0.0",
        port=int(os.environ.get("PORT", "3001")),
        reload=not is_production(),
    )
