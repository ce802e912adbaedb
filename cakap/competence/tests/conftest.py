import pytest

from cakap.competence.tests.helpers import literacy, quiz, scored

__all__ = ["literacy", "quiz", "scored"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The personas' passwords need not resist cracking in tests; Argon2 would dominate.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
