import pytest

from cakap.competence.tests.helpers import digcomp, literacy, quiz, scored, shipped

__all__ = ["digcomp", "literacy", "quiz", "scored", "shipped"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The personas' passwords need not resist cracking in tests; Argon2 would dominate.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
