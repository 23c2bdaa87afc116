from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("sign-in/code/", views.second_factor, name="second-factor"),
    path("sign-in/set-up-app/", views.second_factor_set_up, name="second-factor-set-up"),
    path("confirm-email/", views.confirm_email, name="confirm-email"),
    path("confirm-email/<str:token>/", views.confirm_email_link, name="confirm-email-link"),
    path("password-reset/", views.password_reset, name="password-reset"),
    path("password-reset/sent/", views.password_reset_sent, name="password-reset-sent"),
    path("password-reset/done/", views.password_reset_done, name="password-reset-done"),
    path("password-reset/<str:uidb64>/<str:token>/", views.password_reset_confirm, name="password-reset-confirm"),
    path("organisation/", views.organisation, name="organisation"),
    path("organisation/invite/", views.organisation_invite, name="organisation-invite"),
    path(
        "organisation/invitations/<id:pk>/cancel/",
        views.organisation_invitation_revoke,
        name="organisation-invitation-revoke",
    ),
    path("organisation/members/<id:pk>/remove/", views.organisation_member_remove, name="organisation-member-remove"),
    path("staff/", views.staff, name="staff"),
    path("staff/invite/", views.staff_invite, name="staff-invite"),
    path("staff/invitations/<id:pk>/cancel/", views.staff_invitation_revoke, name="staff-invitation-revoke"),
    path("staff/roles/<id:pk>/remove/", views.staff_role_remove, name="staff-role-remove"),
    path("staff/<id:pk>/reset-sign-in-codes/", views.staff_second_factor_reset, name="staff-second-factor-reset"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
]
