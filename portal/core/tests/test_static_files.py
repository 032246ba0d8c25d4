"""The static files collect as production serves them: a file one of them names (a source map,
a font) missing from the build fails here, not at deployment."""

from django.core.management import call_command

MANIFEST = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"


def test_the_static_files_collect_with_every_file_they_name(settings, tmp_path) -> None:
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").is_file()
    assert list(tmp_path.glob("js/chart.umd.min.*.js"))
