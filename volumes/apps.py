from django.apps import AppConfig


class VolumesConfig(AppConfig):
    name = "volumes"
    verbose_name = "Volumes and value"

    def ready(self) -> None:
        from accounts.home import register_home_section
        from volumes.views import home_section

        # The account page (accounts) sits below this app and cannot ask it: commissioners and
        # providers see their contracts' flags there through this registration.
        register_home_section(home_section)
