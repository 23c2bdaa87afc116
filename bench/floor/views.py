"""One page: GET shows a small template with a form; POST checks CSRF, inserts one row and
redirects, as a service form does."""

from django import forms
from django.shortcuts import redirect, render

from bench.floor.models import Entry


class EntryForm(forms.Form):
    text = forms.CharField(max_length=200)


def page(request):
    form = EntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        Entry.objects.create(text=form.cleaned_data["text"])
        return redirect("page")
    return render(request, "floor/page.html", {"form": form})
