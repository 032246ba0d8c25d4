"""USWDS markup for every Django form, through Django's own form renderer."""

from pathlib import Path
from typing import Any

import django.forms
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property

_WIDGET_CLASSES = {
    "Select": "usa-select",
    "SelectMultiple": "usa-select",
    "Textarea": "usa-textarea",
    "CheckboxInput": "usa-checkbox__input",
    "RadioSelect": "usa-radio__input",
    "CheckboxSelectMultiple": "usa-checkbox__input",
    "FileInput": "qm-file-input",  # not usa-file-input: see _portal.scss
}


# Inputs that hold free text: the browser cuts what is typed or pasted at their maxlength.
_TEXT_INPUT_TYPES = {"text", "email", "url", "tel", "search"}


class USWDSBoundField(forms.BoundField):
    """Adds USWDS classes and the length hint; Django itself sets aria-invalid and
    aria-describedby, to which the hint's id is added."""

    @property
    def length_limit(self) -> int | None:
        """The most characters a free-text field takes, for a hint beside it: the browser cuts
        longer text off without a word (a pasted site name, a phone number with extensions).
        None for other fields, and for a fixed length (a code), which its label names."""
        widget = self.field.widget
        text = isinstance(widget, forms.Textarea) or (
            getattr(widget, "input_type", None) in _TEXT_INPUT_TYPES
        )
        limit = widget.attrs.get("maxlength")
        if not text or limit is None or str(getattr(self.field, "min_length", "")) == str(limit):
            return None
        return int(limit)

    @property
    def aria_describedby(self) -> str | None:
        described = super().aria_describedby
        if described is None or not self.auto_id or self.length_limit is None:
            return described
        ids = described.split()
        ids.insert(1 if self.help_text else 0, f"{self.auto_id}_maxlength")
        return " ".join(ids)

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        # By the nearest class the map names: a project's own widget keeps its base's look.
        classes = type(widget or self.field.widget).__mro__
        base = next(
            (_WIDGET_CLASSES[c.__name__] for c in classes if c.__name__ in _WIDGET_CLASSES),
            "usa-input",
        )
        error = f"{base}--error" if self.errors and base in {"usa-input", "usa-select"} else ""
        attrs["class"] = " ".join(filter(None, [str(attrs.get("class") or ""), base, error]))
        return attrs


class USWDSRenderer(Jinja2):
    """Fields and widgets through Jinja2 templates: the portal's (templates/uswds/ and the
    widget overrides in templates/django/forms/) before Django's own. Django's template language
    costs about a millisecond per field group, and a list's filter form has eight (ADR 0018)."""

    field_template_name = "uswds/field.html"
    form_template_name = "uswds/form.html"
    bound_field_class = USWDSBoundField

    @cached_property
    def engine(self) -> Any:
        return self.backend(
            {
                "APP_DIRS": False,
                "DIRS": [
                    settings.BASE_DIR / "templates",
                    Path(django.forms.__file__).parent / "jinja2",
                ],
                "NAME": "uswds-forms",
                "OPTIONS": {},
            }
        )

    @cached_property
    def _django_language(self) -> DjangoTemplates:
        # Django's own renderer: its widget templates and the apps' (not templates/, whose
        # widget overrides are Jinja2).
        return DjangoTemplates()

    def get_template(self, template_name: str) -> Any:
        try:
            return self.engine.get_template(template_name)
        except TemplateDoesNotExist:
            # The back office's widgets (django.contrib.admin) exist only in Django's language,
            # and include Django's widget templates by name.
            return self._django_language.get_template(template_name)


def add_service_errors(form: forms.BaseForm, refusal: ValidationError) -> None:
    """A rule a service checked, shown beside the field it names when the form has it (else
    in the form's error summary)."""
    if not hasattr(refusal, "error_dict"):
        form.add_error(None, refusal)
        return
    for name, errors in refusal.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)
