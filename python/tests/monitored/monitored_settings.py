"""The Django test app's settings: Flowrra's guide setup (test/flowrra/apps), with this app's URLs."""

from django_settings import *  # noqa: F401,F403

ROOT_URLCONF = "django_app"
