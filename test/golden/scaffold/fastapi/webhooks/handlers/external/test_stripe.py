"""Tests of the stripe webhook stripe route, through the generated router and FastAPI's TestClient.

This file is yours: nself-hooks scaffold wrote it once and never overwrites it.
Run every test with `python3 -m unittest` in the service folder.
"""

import json
import os
import unittest

from fastapi import FastAPI
from fastapi.testclient import TestClient

from webhooks._generated.signatures import sign_for_test
from webhooks._generated.routes import router

PATH = "/webhooks/external/stripe"
SECRET = "whsec_dGVzdC1zaWduaW5nLXNlY3JldA=="
# a delivery as the provider sends it
BODY = {
    "id": "evt_test_1",
    "object": "event",
    "type": "test.event",
    "created": 1767258000,
    "livemode": False,
    "data": {
        "object": {},
    },
}


class StripeWebhookRouteTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        os.environ["STRIPE_WEBHOOK_SECRET"] = SECRET
        app = FastAPI()
        app.include_router(router)
        cls.client = TestClient(app)

    def post(self, headers: dict):
        return self.client.post(PATH, content=json.dumps(BODY), headers={"content-type": "application/json", **headers})

    def test_signed_delivery_is_answered_200(self) -> None:
        res = self.post(sign_for_test("stripe", json.dumps(BODY), SECRET, "stripe-signature"))
        self.assertEqual(res.status_code, 200, res.text)

    def test_signature_with_another_secret_is_answered_401(self) -> None:
        res = self.post(sign_for_test("stripe", json.dumps(BODY), "whsec_b3RoZXItc2VjcmV0", "stripe-signature"))
        self.assertEqual(res.status_code, 401, res.text)


if __name__ == "__main__":
    unittest.main()
