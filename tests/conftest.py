"""Shared fixtures: the real framework loaded once, and named personas.

Personas, as in the style guide:
- ``procurer``: Pia, procurer at Rijkswaterstaat (a procuring participant)
- ``coordinator``: Coco, admin of the Dutch ministry that coordinates the NL buyer group
- ``supplier``: Sid, of GreenRefurb (a supporter)
- ``outsider``: Louise, procurer at Ville de Lyon, unrelated to Rijkswaterstaat
- ``secretary``: Sam, of the pact secretariat, who maintains the framework
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache, caches
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from cfit import apilimits
from cfit.accounts.models import Membership, Organisation
from cfit.criteria import content
from cfit.criteria.actions import load_framework
from cfit.criteria.models import FrameworkVersion

# No time limit per example: the suites run side by side on a shared two-core machine, where one slow
# example (the first call that fills a cache, a busy moment) outlasted hypothesis's default 200 ms and
# failed a property that holds. Failures print the blob that reproduces them.
hypothesis_settings.register_profile("cfit", deadline=None, print_blob=True)
hypothesis_settings.load_profile("cfit")

PASSWORD = "persona-password-2026"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Personas sign in with a real password; PBKDF2's deliberate slowness only slows the suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _each_test_starts_with_an_empty_cache() -> None:
    """Pages cache what never changes (a published version's library list); a test's database is new,
    and what an earlier test's pages kept must not show in it. Nor do an earlier test's API calls
    count against a rate limit."""
    cache.clear()
    caches[apilimits.CACHE].clear()


@pytest.fixture(autouse=True)
def _no_api_rate_limit(settings: Any) -> None:
    """Tests call the API far faster than any integrator may (the fuzzing, the properties): the rate
    limit is off but where a test switches it on (tests/test_api_rate_limit.py)."""
    settings.API_RATE_LIMIT = 0
    settings.API_RATE_LIMIT_ANONYMOUS = 0


@pytest.fixture(autouse=True)
def _each_test_starts_in_english() -> Iterator[None]:
    """A request through the test client leaves its language active in the thread (Django's
    LocaleMiddleware activates and never deactivates): each test starts in the default language,
    whatever the test before it asked for."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """On SQLite, the test database is a file in WAL mode, as in production, not Django's in-memory
    default: there every connection shares one cache whose table locks fail at once ("database table
    is locked") instead of waiting, so a page read while a job thread wrote failed in the browser
    tests, which no user of the file can meet. The file lies in memory (/dev/shm) where there is one."""
    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("sqlite3"):
        return
    shm = Path("/dev/shm")
    folder = shm if shm.is_dir() and os.access(shm, os.W_OK) else tmp_path_factory.getbasetemp()
    database.setdefault("TEST", {})["NAME"] = str(folder / f"cfit-test-{os.getpid()}.sqlite3")


@pytest.fixture(scope="session")
def framework_content() -> content.Framework:
    return content.load_framework_dir()


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: Any, django_db_blocker: Any, framework_content: content.Framework
) -> None:
    """Load the real framework once per session into the test database."""
    with django_db_blocker.unblock():
        load_framework(framework_content)


@pytest.fixture
def framework(db: Any, framework_content: content.Framework) -> FrameworkVersion:
    """The published framework version (reloaded if a transactional test flushed it)."""
    version = FrameworkVersion.objects.filter(code=framework_content.version).first()
    if version is None:
        version, _ = load_framework(framework_content)
    return version


@dataclass
class Persona:
    user: Any
    organisation: Organisation
    membership: Membership


def make_persona(username: str, org_slug: str, org_type: str, role: str, country: str = "NL") -> Persona:
    organisation, _ = Organisation.objects.get_or_create(
        slug=org_slug,
        defaults={"name": org_slug.replace("-", " ").title(), "country": country, "type": org_type},
    )
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    return Persona(user, organisation, membership)


@pytest.fixture
def procurer(db: Any) -> Persona:
    return make_persona(
        "pia", "rijkswaterstaat", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.PROCURER
    )


@pytest.fixture
def coordinator(db: Any) -> Persona:
    return make_persona(
        "coco", "nl-ministry", Organisation.Type.COORDINATING_PARTICIPANT, Membership.Role.ADMIN
    )


@pytest.fixture
def supplier(db: Any) -> Persona:
    return make_persona("sid", "green-refurb", Organisation.Type.SUPPORTER, Membership.Role.ADMIN)


@pytest.fixture
def outsider(db: Any) -> Persona:
    return make_persona(
        "louise", "ville-de-lyon", Organisation.Type.PROCURING_PARTICIPANT, Membership.Role.PROCURER, "FR"
    )


@pytest.fixture
def secretary(db: Any) -> Persona:
    return make_persona("sam", "pact-secretariat", Organisation.Type.SECRETARIAT, Membership.Role.ADMIN)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(path):
        pytest.fail(f"Chromium not found at {path}: install Debian's chromium package (see .ci/run)")
    return path
