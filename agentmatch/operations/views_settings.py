"""The operator's own settings: the time zone the support pages show times in."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from agentmatch.core import time_zones
from agentmatch.operations import actions
from agentmatch.operations.permissions import operator_required, operator_time_zone
from agentmatch.operations.services import OperationError


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), required=False)

    def __init__(self, *args: object, default_label: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["time_zone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", default_label), *time_zones.ZONES]


@require_http_methods(["GET", "POST"])
@operator_required
def settings_page(request: HttpRequest) -> HttpResponse:
    default = time_zones.label_of(settings.OPERATOR_TIME_ZONE)
    default_label = _("The service's time zone: %(zone)s") % {"zone": default}
    data = request.POST if request.method == "POST" else None
    initial = {"time_zone": getattr(request.user, "time_zone", "")}
    form = TimeZoneForm(data, initial=initial, default_label=default_label)
    if form.is_bound and form.is_valid():
        try:
            actions.choose_time_zone(
                operator=request.user,  # type: ignore[arg-type]
                zone=form.cleaned_data["time_zone"],
            )
        except OperationError as exc:
            form.add_error("time_zone", exc.message)
        else:
            messages.success(request, _("Saved. Times on these pages are now in this zone."))
            return redirect("operations:settings")
    status = 400 if form.is_bound else 200
    context = {
        "form": form,
        "zone_name": time_zones.label_of(operator_time_zone(request.user)),
        "now": timezone.now(),
    }
    return render(request, "operations/settings.html", context, status=status)
