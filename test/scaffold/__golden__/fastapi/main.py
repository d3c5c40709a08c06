"""Service webhooks: a FastAPI app with a health route and the generated webhook routes. Yours to edit."""

import os

from fastapi import FastAPI

from webhooks._generated.routes import router as webhooks_router

app = FastAPI(title="webhooks")


@app.get("/health")
def health() -> dict:
    return {"status": "ok", "service": "webhooks"}


app.include_router(webhooks_router)


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="0.0.0.0", port=int(os.environ.get("PORT", "3001")))
