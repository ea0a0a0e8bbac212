"""CSRF tokens bound to the visitor (its sign-in session, or its anonymous id) in the signed
session cookie."""

import hashlib
import hmac


def csrf_token(secret: str, subject: str) -> str:
    """The token a form or API client must send back with every POST."""
    digest = hmac.new(secret.encode(), f"csrf:{subject}".encode(), hashlib.sha256)
    return digest.hexdigest()


def csrf_valid(secret: str, subject: str, token: str | None) -> bool:
    """Whether `token` was issued to this subject."""
    return bool(token) and hmac.compare_digest(csrf_token(secret, subject), str(token))
