from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/home.html")


@login_not_required
def sign_in(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/sign_in.html")


def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("core:start")
