"""Tests of the trigger user_created route, through the generated router and FastAPI's TestClient.

This file is yours: nself-hooks scaffold wrote it once and never overwrites it.
Run every test with `python3 -m unittest` in the service folder.
"""

import json
import os
import unittest

from fastapi import FastAPI
from fastapi.testclient import TestClient

from webhooks._generated.routes import router

PATH = "/webhooks/user-created"
SECRET = "test-secret"
# a delivery as Hasura sends it
BODY = {
    "id": "00000000-0000-4000-8000-000000000001",
    "created_at": "2026-01-01T09:00:00.000000",
    "table": {
        "schema": "public",
        "name": "users",
    },
    "trigger": {
        "name": "user_created",
    },
    "event": {
        "op": "INSERT",
        "data": {
            "old": None,
            "new": {
                "id": 1,
                "email": "text",
                "name": "text",
                "created_at": "text",
            },
        },
        "session_variables": {
            "x-hasura-role": "admin",
        },
        "trace_context": None,
    },
    "delivery_info": {
        "current_retry": 0,
        "max_retries": 0,
    },
}


class UserCreatedRouteTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        os.environ["WEBHOOK_SECRET"] = SECRET
        app = FastAPI()
        app.include_router(router)
        cls.client = TestClient(app)

    def post(self, headers: dict):
        return self.client.post(PATH, content=json.dumps(BODY), headers={"content-type": "application/json", **headers})

    def test_valid_delivery_is_answered_200(self) -> None:
        res = self.post({ "X-Webhook-Secret": SECRET })
        self.assertEqual(res.status_code, 200, res.text)
        self.assertEqual(res.json(), {"ok": True})

    def test_wrong_secret_is_answered_401(self) -> None:
        res = self.post({ "X-Webhook-Secret": "not-the-secret" })
        self.assertEqual(res.status_code, 401, res.text)


if __name__ == "__main__":
    unittest.main()
