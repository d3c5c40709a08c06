"""Tests of the external route for handler external/github, through Flask's test client (no server).

This file is yours: nself-hooks scaffold wrote it once and never overwrites it. Run every handler test
from the service folder with `python -m unittest discover -s webhooks/handlers -t .`; add a test that
posts a real delivery.
"""

import json
import os
import unittest

from main import create_app

PATH = "/webhooks/external/github"
# a delivery as the provider sends it
BODY = {
    "test": True,
}


class GithubWebhookRouteTest(unittest.TestCase):
    def setUp(self) -> None:
        os.environ.setdefault("GITHUB_WEBHOOK_SECRET", "test-signing-secret")
        self.client = create_app().test_client()

    def test_refuses_an_unsigned_delivery_with_401(self) -> None:
        res = self.client.post(PATH, data=json.dumps(BODY), content_type="application/json")
        self.assertEqual(res.status_code, 401)


if __name__ == "__main__":
    unittest.main()
