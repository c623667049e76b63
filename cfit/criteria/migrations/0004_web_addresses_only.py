"""Links that are no web address (javascript:, data:…) become empty: the framework now refuses them.

Before this, an imported link was stored as given and shown as a clickable link on public pages; the
content schema now refuses anything but http(s), and reading such a stored row back would fail.
"""

from django.db import migrations


def _clean(url: str) -> str:
    from cfit.criteria.content import is_web_address

    address = (url or "").strip()
    return address if is_web_address(address) else ""


def blank_other_schemes(apps, schema_editor):
    Criterion = apps.get_model("criteria", "Criterion")
    Label = apps.get_model("criteria", "Label")
    Requirement = apps.get_model("criteria", "Requirement")
    for label in Label.objects.exclude(url=""):
        if _clean(label.url) != label.url:
            label.url = _clean(label.url)
            label.save(update_fields=["url"])
    for criterion in Criterion.objects.all().only("pk", "sources"):
        sources = [{**s, "url": _clean(s.get("url", ""))} if s.get("url") else s for s in criterion.sources]
        if sources != criterion.sources:
            Criterion.objects.filter(pk=criterion.pk).update(sources=sources)
    for requirement in Requirement.objects.all().only("pk", "legal_floors"):
        floors = [{**f, "url": _clean(f.get("url", ""))} if f.get("url") else f for f in requirement.legal_floors]
        if floors != requirement.legal_floors:
            Requirement.objects.filter(pk=requirement.pk).update(legal_floors=floors)


class Migration(migrations.Migration):
    dependencies = [("criteria", "0003_requirement_legal_floors")]

    operations = [migrations.RunPython(blank_other_schemes, migrations.RunPython.noop)]
