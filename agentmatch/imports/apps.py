from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "agentmatch.imports"
    label = "imports"

    def ready(self) -> None:
        from agentmatch.core.jobs import register
        from agentmatch.imports.uploads import run_one_upload

        # Files uploaded on /ops/imports/. An import can take minutes, during which this
        # worker does nothing else: after the quick jobs, before delivery sends their texts.
        # A whole file per item: minutes for a big roster, so beside the offer clock.
        register("import uploaded files", run_one_upload, order=80, rest=2.0, lane="imports")
