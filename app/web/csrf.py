"""CSRF tokens bound to the learner in the signed session cookie."""

import hashlib
import hmac


def csrf_token(secret: str, learner_id: str) -> str:
    """The token a form or API client must send back with every POST."""
    digest = hmac.new(secret.encode(), f"csrf:{learner_id}".encode(), hashlib.sha256)
    return digest.hexdigest()


def csrf_valid(secret: str, learner_id: str, token: str | None) -> bool:
    """Whether `token` was issued to this learner."""
    return bool(token) and hmac.compare_digest(csrf_token(secret, learner_id), str(token))
