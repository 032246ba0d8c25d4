"""USWDS markup for every Django form, through Django's own form renderer."""

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting

_WIDGET_CLASSES = {
    "Select": "usa-select",
    "SelectMultiple": "usa-select",
    "Textarea": "usa-textarea",
    "CheckboxInput": "usa-checkbox__input",
    "RadioSelect": "usa-radio__input",
    "CheckboxSelectMultiple": "usa-checkbox__input",
    "FileInput": "qm-file-input",  # not usa-file-input: see _portal.scss
}


class USWDSBoundField(forms.BoundField):
    """Adds USWDS classes; Django itself sets aria-invalid and aria-describedby."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        name = type(widget or self.field.widget).__name__
        base = _WIDGET_CLASSES.get(name, "usa-input")
        error = f"{base}--error" if self.errors and base in {"usa-input", "usa-select"} else ""
        attrs["class"] = " ".join(filter(None, [str(attrs.get("class") or ""), base, error]))
        return attrs


class USWDSRenderer(TemplatesSetting):
    field_template_name = "uswds/field.html"
    form_template_name = "uswds/form.html"
    bound_field_class = USWDSBoundField
