"""Settings of the Django + Channels test app: the least Flowrra's guide setup needs."""

from pathlib import Path

import flowrra

SECRET_KEY = "test-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "django_urls"
INSTALLED_APPS = ["channels"]
# No CSRF middleware: on Django 3.2, @csrf_exempt breaks an async view (the test-only submit route).
MIDDLEWARE = []
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Flowrra's HTML views render its own templates.
        "DIRS": [Path(flowrra.__file__).parent / "ui" / "templates"],
    }
]
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Django sets the process's TZ from this; Flowrra stamps naive local times.
TIME_ZONE = "UTC"
USE_TZ = False
