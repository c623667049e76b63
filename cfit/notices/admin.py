from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from cfit.notices.models import Notice, NoticeImport, NoticeLink


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["notice_id", "source", "published", "buyer_name", "buyer_country", "ict", "uses_gpp"]
    list_filter = ["source", "ict", "uses_strategic", "uses_gpp", "year", "buyer_country"]
    search_fields = ["notice_id", "buyer_name", "title", "reference"]
    # what a notice says is what its buyer published: corrected by importing it again, not here
    readonly_fields = [f.name for f in Notice._meta.fields]


@admin.register(NoticeLink)
class NoticeLinkAdmin(admin.ModelAdmin):
    list_display = ["notice", "tender", "organisation", "basis", "similarity"]
    list_filter = ["basis"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[NoticeLink]:
        return NoticeLink.unscoped.select_related("notice", "tender", "organisation")


@admin.register(NoticeImport)
class NoticeImportAdmin(admin.ModelAdmin):
    list_display = ["started", "by", "created", "updated", "unchanged", "refused", "skipped", "linked"]
    readonly_fields = [f.name for f in NoticeImport._meta.fields]
