"""Signs who the signed-in customer is, for Accueil's widget (PROTOCOL.md, "Signed identity").

Usage: ACCUEIL_IDENTITY_SECRET=... python3 sign.py SITE CUSTOMER_ID [NAME] [EMAIL]
Run it on the brand's server, never in a browser: the secret must not reach the page.
"""
import hashlib
import hmac
import json
import os
import sys
import time


def sign_identity(secret, site, customer_id, name="", email=""):
    issued_at = int(time.time())
    text = "\n".join(["accueil-identity-v1", site, customer_id, name, email, str(issued_at)])
    signature = hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()
    return {"id": customer_id, "name": name, "email": email, "issued_at": issued_at, "signature": signature}


if __name__ == "__main__":
    args = sys.argv[1:] + ["", ""]
    print(json.dumps(sign_identity(os.environ["ACCUEIL_IDENTITY_SECRET"], *args[:4]), ensure_ascii=False))
