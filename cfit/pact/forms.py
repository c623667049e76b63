"""Forms of the pact's pages: they check the input; the rules of the pact are the actions' business."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from cfit.accounts.models import Organisation
from cfit.criteria.models import Criterion, ProductGroup
from cfit.numberfields import LARGEST_STORED_WHOLE, GroupedDecimalField, GroupedIntegerField
from cfit.pact.actions import DOCUMENT_TYPES
from cfit.pact.models import LANGUAGE_CHOICES, Statement, WorkingGroup, WorkingGroupMember
from cfit.uploadfields import LimitedFileField
from cfit.uploads import MAX_IMPORT_BYTES

#: Statement and working group slugs that would clash with the pages under /statements/ and
#: /working-groups/.
RESERVED_SLUGS = {"new"}


def organisation_choices(organisations: list[Organisation]) -> list[tuple[str, str]]:
    return [(o.slug, o.name) for o in organisations]


class OrganisationChoiceForm(forms.Form):
    """Which of the user's organisations acts: a choice if several, a hidden field if one."""

    organisation = forms.ChoiceField(label=gettext_lazy("Organisation"))
    #: Element ids start with this, so that several forms on one page do not share ids.
    id_prefix = "id"

    def __init__(self, organisations: list[Organisation], *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["organisation"])
        field.choices = organisation_choices(organisations)
        if len(organisations) == 1:
            field.widget = forms.HiddenInput()
            field.initial = organisations[0].slug


class JoinForm(OrganisationChoiceForm):
    id_prefix = "join"


class OrganisationField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name} ({obj.country})"


class InviteForm(forms.Form):
    """The coordinator's choice; the action decides whether that organisation may be a member."""

    organisation = OrganisationField(
        label=gettext_lazy("Organisation to invite"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
    )

    def __init__(self, candidates: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "invite_%s")
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = candidates  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    accept = forms.ChoiceField(choices=[("yes", gettext_lazy("Accept")), ("no", gettext_lazy("Decline"))])

    @property
    def accepted(self) -> bool:
        return self.cleaned_data["accept"] == "yes"


class WorkingGroupForm(forms.ModelForm):
    """A working group's name, short name, topic and description (the secretariat's)."""

    class Meta:
        model = WorkingGroup
        fields = ["name", "slug", "topic", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def clean_slug(self) -> str:
        slug = str(self.cleaned_data["slug"])
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This short name is reserved; choose another."))
        return slug


class SeatForm(forms.Form):
    """An organisation to seat and its role; the roles offered are those the user gives. The action
    decides whether that organisation may hold that seat."""

    organisation = OrganisationField(
        label=gettext_lazy("Organisation"), queryset=Organisation.objects.none(), to_field_name="slug"
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"))

    def __init__(self, candidates: Any, roles: frozenset[str], *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "seat_%s")
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = candidates  # type: ignore[attr-defined]
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (role.value, role.label) for role in WorkingGroupMember.Role if role in roles
        ]
        if WorkingGroupMember.Role.MEMBER in roles:
            self.fields["role"].initial = WorkingGroupMember.Role.MEMBER


class SeatRequestForm(OrganisationChoiceForm):
    """Which of the user's organisations asks for a seat, and as what: a member or an observer (only
    an observer where every organisation offered is a supporter)."""

    id_prefix = "seat_request"
    role = forms.ChoiceField(label=gettext_lazy("As"))

    def __init__(self, organisations: list[Organisation], *args: Any, **kwargs: Any) -> None:
        super().__init__(organisations, *args, **kwargs)
        roles = [WorkingGroupMember.Role.OBSERVER]
        if any(o.is_participant for o in organisations):
            roles.insert(0, WorkingGroupMember.Role.MEMBER)
        field = cast(forms.ChoiceField, self.fields["role"])
        field.choices = [(role.value, role.label) for role in roles]
        field.initial = roles[0].value


class ParticipationForm(forms.Form):
    type = forms.ChoiceField(
        label=gettext_lazy("Way of taking part"),
        choices=[
            (Organisation.Type.PROCURING_PARTICIPANT, Organisation.Type.PROCURING_PARTICIPANT.label),
            (Organisation.Type.COORDINATING_PARTICIPANT, Organisation.Type.COORDINATING_PARTICIPANT.label),
            (Organisation.Type.SUPPORTER, Organisation.Type.SUPPORTER.label),
        ],
        widget=forms.RadioSelect,
    )
    signed_on = forms.DateField(
        label=gettext_lazy("Date the organisation signed the pact"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Participants only."),
    )
    users_served = GroupedIntegerField(
        label=gettext_lazy("Users served"),
        min_value=0,
        max_value=LARGEST_STORED_WHOLE,
        help_text=gettext_lazy("End users of the organisation's ICT (employees, students…)."),
    )

    #: Which field an action's refusal belongs to, by its code.
    FIELD_OF_RULE = {
        "unknown_type": "type",
        "secretariat": "type",
        "supporter": "type",
        "member": "type",
        "coordinator": "type",
        "no_date": "signed_on",
        "negative": "users_served",
    }


class WebAddressField(forms.URLField):
    """A link to a web page. Only web addresses: Django's default also takes ftp:// and ftps://. The
    default validator is replaced, not added to, or a bad address is refused twice in one message."""

    default_validators = [URLValidator(schemes=["http", "https"])]


class DocumentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=LANGUAGE_CHOICES)
    url = WebAddressField(label=gettext_lazy("Link"), required=False, assume_scheme="https")
    file = LimitedFileField(label=gettext_lazy("or a file"), required=False, kinds=DOCUMENT_TYPES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A member most likely adds a document in the language they read the page in, not in English.
        language = get_language()
        if language in dict(LANGUAGE_CHOICES):
            self.fields["language"].initial = language

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_IMPORT_BYTES // 1_000_000}
            )
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("url")) == bool(cleaned.get("file")) and not self.errors:
            raise forms.ValidationError(_("Give either a link or a file."))
        return cleaned


def criterion_ids(text: str) -> list[str]:
    """The ids in a comma- or space-separated list, each once, in the order given."""
    ids: list[str] = []
    for part in re.split(r"[,\s]+", text):
        if part and part not in ids:
            ids.append(part)
    return ids


class StatementForm(forms.Form):
    """A statement's slug, title and text in each language (English required), product groups and criteria."""

    slug = forms.SlugField(label=gettext_lazy("Short name"), max_length=80)
    product_groups = forms.MultipleChoiceField(
        label=gettext_lazy("Product groups"), widget=forms.CheckboxSelectMultiple
    )
    criteria = forms.CharField(
        label=gettext_lazy("Criteria referred to"),
        required=False,
        help_text=gettext_lazy("Criterion ids, separated by commas."),
        widget=forms.TextInput(attrs={"size": 60}),
    )

    def __init__(self, *args: Any, statement: Statement | None = None, **kwargs: Any) -> None:
        self.statement = statement
        if statement is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(statement)
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["product_groups"]).choices = [
            (g.code, g.display_name) for g in ProductGroup.objects.order_by("position", "code")
        ]
        for code, name in LANGUAGE_CHOICES:
            english = code == "en"
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name},
                max_length=300,
                required=english,
            )
            self.fields[f"text_{code}"] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": name},
                required=english,
                widget=forms.Textarea(attrs={"rows": 6 if english else 3}),
            )
        self.order_fields(
            ["slug", *[f"{kind}_{code}" for code, _name in LANGUAGE_CHOICES for kind in ("title", "text")]]
        )

    @staticmethod
    def initial_from(statement: Statement) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "slug": statement.slug,
            "product_groups": list(statement.product_groups),
            "criteria": ", ".join(statement.criteria),
        }
        for code, _name in LANGUAGE_CHOICES:
            initial[f"title_{code}"] = statement.title.get(code, "")
            initial[f"text_{code}"] = statement.text.get(code, "")
        return initial

    def language_fields(self) -> list[tuple[Any, Any]]:
        return [(self[f"title_{code}"], self[f"text_{code}"]) for code, _name in LANGUAGE_CHOICES]

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This short name is reserved; choose another."))
        others = Statement.objects.filter(slug=slug)
        if self.statement is not None:
            others = others.exclude(pk=self.statement.pk)
        if others.exists():
            raise forms.ValidationError(_("Another statement has this short name."))
        return slug

    def clean_criteria(self) -> list[str]:
        ids = criterion_ids(self.cleaned_data["criteria"])
        known = set(Criterion.objects.filter(code__in=ids).values_list("code", flat=True))
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise forms.ValidationError(
                _("Unknown criterion ids: %(ids)s") % {"ids": ", ".join(unknown)}, code="unknown"
            )
        return ids

    def apply(self, statement: Statement) -> Statement:
        """Copy the cleaned input onto the statement (not saved)."""
        data = self.cleaned_data
        statement.slug = data["slug"]
        statement.title = {
            c: data[f"title_{c}"].strip() for c, _n in LANGUAGE_CHOICES if data[f"title_{c}"].strip()
        }
        statement.text = {
            c: data[f"text_{c}"].strip() for c, _n in LANGUAGE_CHOICES if data[f"text_{c}"].strip()
        }
        statement.product_groups = list(data["product_groups"])
        statement.criteria = data["criteria"]
        return statement


class SignForm(OrganisationChoiceForm):
    """The signing organisation and, per product group of the statement, its expected yearly volume."""

    id_prefix = "sign"

    def __init__(
        self,
        organisations: list[Organisation],
        product_groups: list[tuple[str, str]],
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(organisations, *args, **kwargs)
        self.product_groups = product_groups
        for code, name in product_groups:
            # Typed as the reader's language writes numbers, as the collective demand is shown.
            self.fields[f"units_{code}"] = GroupedIntegerField(
                label=_("%(group)s: units per year") % {"group": name},
                min_value=0,
                max_value=LARGEST_STORED_WHOLE,
                required=False,
            )
            self.fields[f"spend_{code}"] = GroupedDecimalField(
                label=_("%(group)s: EUR per year") % {"group": name},
                min_value=0,
                max_digits=14,
                decimal_places=2,
                required=False,
            )

    def rows(self) -> list[tuple[str, str, Any, Any]]:
        return [
            (code, name, self[f"units_{code}"], self[f"spend_{code}"]) for code, name in self.product_groups
        ]

    def volumes(self) -> dict[str, tuple[int, Decimal]]:
        """The product groups given a figure; a group left blank is not signed for."""
        data = self.cleaned_data
        return {
            code: (data[f"units_{code}"] or 0, data[f"spend_{code}"] or Decimal(0))
            for code, _name in self.product_groups
            if data[f"units_{code}"] is not None or data[f"spend_{code}"] is not None
        }
