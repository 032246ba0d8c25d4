"""The USWDS form renderer (Jinja2, ADR 0018): markup, kept values, errors, escaping."""

import re

from django import forms

CHOICES = [("a", "Apple"), ("b", "Banana <b>"), ("c", "Cherry")]


class Sample(forms.Form):
    name = forms.CharField(label="Name <script>", help_text="As on <the> ID", max_length=5)
    fruit = forms.ChoiceField(label="Fruit", choices=[("", "Any"), *CHOICES])
    fruits = forms.MultipleChoiceField(
        label="Fruits", choices=CHOICES, widget=forms.CheckboxSelectMultiple
    )
    size = forms.ChoiceField(label="Size", choices=CHOICES, widget=forms.RadioSelect)
    agree = forms.BooleanField(label="I agree", template_name="uswds/checkbox_field.html")
    token = forms.CharField(widget=forms.HiddenInput)


def bound(**data: object) -> Sample:
    form = Sample(data={"token": "t1", **data})
    form.is_valid()
    return form


def test_fields_carry_uswds_classes_labels_and_hints() -> None:
    html = str(Sample())
    assert '<label class="usa-label" for="id_name">Name &lt;script&gt;</label>' in html
    assert '<div class="usa-hint" id="id_name_helptext">As on &lt;the&gt; ID</div>' in html
    assert re.search(r'<input type="text" name="name"[^>]* class="usa-input"', html)
    assert '<select name="fruit"' in html and 'class="usa-select"' in html
    assert '<legend class="usa-legend">Fruits</legend>' in html  # a group is a fieldset
    assert html.count('class="usa-checkbox__input"') == 4  # three fruits and the agreement
    assert html.count('class="usa-radio__input"') == 3
    assert '<label class="usa-checkbox__label" for="id_agree">I agree</label>' in html
    assert '<input type="hidden" name="token"' in html
    assert "Banana &lt;b&gt;" in html and "<b>" not in html


def test_what_was_typed_and_chosen_is_kept_after_an_error() -> None:
    form = bound(name="Toolong", fruit="b", fruits=["a", "c"], size="c")
    html = str(form)
    assert 'value="Toolong"' in html
    assert '<option value="b" selected>Banana &lt;b&gt;</option>' in html
    assert '<option value="a">Apple</option>' in html
    assert re.search(r'value="a"[^>]* checked', html) and re.search(r'value="c"[^>]* checked', html)
    assert not re.search(r'value="b"[^>]* checked', html.split('name="size"')[0])
    assert re.search(r'name="size" value="c"[^>]* checked', html)


def test_errors_are_named_next_to_their_field_and_announced() -> None:
    html = str(bound(name="Toolong", fruit="z"))
    assert "usa-form-group--error" in html
    name_error = re.search(r'<span class="usa-error-message" id="id_name_error">([^<]*)<', html)
    assert name_error and "at most 5 characters" in name_error.group(1)
    assert re.search(r'name="name"[^>]*aria-invalid="true"', html)
    assert re.search(
        r'name="name"[^>]*aria-describedby="id_name_helptext id_name_maxlength id_name_error"', html
    )
    assert 'class="usa-label usa-label--error" for="id_name"' in html
    assert "usa-select usa-select--error" in html
    assert 'id="id_agree_error"' in html  # the agreement is required
    # A check-box group names its error on the fieldset that holds it.
    assert re.search(r'<fieldset class="usa-fieldset" aria-describedby=" id_fruits_error">', html)


class Limits(forms.Form):
    site = forms.CharField(label="Site name", max_length=200)
    phone = forms.CharField(
        label="Phone", max_length=30, widget=forms.TextInput(attrs={"type": "tel"})
    )
    narrative = forms.CharField(label="What happened", max_length=5000, widget=forms.Textarea)
    code = forms.CharField(label="8-digit security code", min_length=8, max_length=8)
    password = forms.CharField(max_length=128, widget=forms.PasswordInput)
    free = forms.CharField(label="No limit")


def test_a_text_field_names_its_length_limit_in_a_hint_tied_to_it() -> None:
    """The browser cuts text at maxlength without a word: the limit is said beside the field."""
    html = str(Limits(data={"site": "x", "phone": "", "narrative": "y"}))
    for name, limit in [("site", "200"), ("phone", "30"), ("narrative", "5,000")]:
        hint = f'<div class="usa-hint" id="id_{name}_maxlength">Up to {limit} characters.</div>'
        assert hint in html
        input_tag = re.search(rf'<(input|textarea)[^>]* name="{name}"[^>]*>', html)
        assert input_tag and f'maxlength="{limit.replace(",", "")}"' in input_tag.group(0)
        described = re.search(r'aria-describedby="([^"]*)"', input_tag.group(0))
        assert described and f"id_{name}_maxlength" in described.group(1).split()
    # Errors still come after it; fixed lengths, passwords and unlimited fields get no hint.
    assert re.search(r'name="phone"[^>]*aria-describedby="id_phone_maxlength id_phone_error"', html)
    for name in ["code", "password", "free"]:
        assert f"id_{name}_maxlength" not in html
    assert html.count("characters.</div>") == 3


def test_error_text_is_escaped() -> None:
    form = bound(name="ok")
    form.add_error("name", "Not <allowed>")
    html = str(form)
    assert "Not &lt;allowed&gt;" in html and "<allowed>" not in html


def test_the_back_office_renders_its_own_widgets_in_djangos_language(client, personas) -> None:
    """The admin's widget templates exist only in Django's template language; they include
    Django's own widget templates by name, not the portal's Jinja2 overrides."""
    client.force_login(personas.agency_admin)
    organization = personas.provider

    page = client.get(f"/back-office/registry/organization/{organization.pk}/change/")

    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="related-widget-wrapper"' in html  # admin/widgets/related_widget_wrapper.html
    assert re.search(r'<select name="contracted_plans"[^>]*multiple', html)
    assert re.search(r'<select name="kind"[^>]*class="usa-select"', html)
