"""Tests of the trigger route for handler user-updated, through Flask's test client (no server).

This file is yours: nself-hooks scaffold wrote it once and never overwrites it. Run every handler test
from the service folder with `python -m unittest discover -s webhooks/handlers -t .`; add a test that
posts a real delivery.
"""

import json
import os
import unittest

from main import create_app

PATH = "/webhooks/user-updated"
# a delivery as Hasura sends it
BODY = {
    "id": "00000000-0000-4000-8000-000000000001",
    "created_at": "2026-01-01T09:00:00.000000",
    "table": {
        "schema": "public",
        "name": "users",
    },
    "trigger": {
        "name": "user_updated",
    },
    "event": {
        "op": "UPDATE",
        "data": {
            "old": {
                "id": 1,
                "email": "text",
                "name": "text",
                "created_at": "text",
            },
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
SECRETS = [("X-Webhook-Secret", "WEBHOOK_SECRET")]


class UserUpdatedRouteTest(unittest.TestCase):
    def setUp(self) -> None:
        for _, env in SECRETS:
            os.environ.setdefault(env, "test-secret")
        self.headers = {header: os.environ[env] for header, env in SECRETS}
        self.client = create_app().test_client()

    def test_answers_a_delivery_with_200(self) -> None:
        res = self.client.post(PATH, data=json.dumps(BODY), content_type="application/json", headers=self.headers)
        self.assertEqual(res.status_code, 200, res.get_data(as_text=True))

    def test_refuses_a_request_with_a_wrong_secret_with_401(self) -> None:
        wrong = {header: "wrong" for header in self.headers}
        res = self.client.post(PATH, data=b"{}", content_type="application/json", headers=wrong)
        self.assertEqual(res.status_code, 401)

    def test_answers_a_body_that_is_not_json_with_400(self) -> None:
        res = self.client.post(PATH, data=b'{"id": ', content_type="application/json", headers=self.headers)
        self.assertEqual(res.status_code, 400)
        self.assertEqual(res.get_json(), {"ok": False, "error": "body is not valid JSON"})

    def test_answers_a_body_of_another_shape_with_400_and_the_problems(self) -> None:
        res = self.client.post(PATH, data=b'{"id": 1}', content_type="application/json", headers=self.headers)
        self.assertEqual(res.status_code, 400)
        self.assertTrue(res.get_json()["issues"])


if __name__ == "__main__":
    unittest.main()
