from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from cfit.search.finder import search


def search_page(request: HttpRequest) -> HttpResponse:
    words = request.GET.get("q", "")
    return render(
        request,
        "search/search.html",
        {"q": words, "results": search(request.user, words, get_language() or "en")},
    )
