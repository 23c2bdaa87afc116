"""The service as `make bench-load` serves it: production settings (config/settings/production.py),
with one change. E-mail goes nowhere: there is no mail server on a bench machine, and the receipt
e-mails a bid sends are not what is measured. Everything else (keys, cookies, static files,
database) comes from the environment that bench/load/servers.py gives it, as in production."""

from config.settings.production import *  # noqa: F403

MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
