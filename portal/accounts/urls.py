from django.urls import path

from . import (
    letter_views,
    manage_views,
    recovery_views,
    register_views,
    second_factor_views,
    sso_views,
    views,
)

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/agency/", sso_views.agency_sign_in, name="agency_sign_in"),
    path("sign-in/agency/callback/", sso_views.agency_callback, name="agency_callback"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("signed-out/", views.signed_out, name="signed_out"),
    path("register/", register_views.register, name="register"),
    path("register/terms/", register_views.register_terms, name="register_terms"),
    path(
        "register/organization/", register_views.register_organization, name="register_organization"
    ),
    path(
        "register/organization/identifiers/",
        register_views.register_identifiers,
        name="register_identifiers",
    ),
    path("register/about-you/", register_views.register_person, name="register_person"),
    path("register/mailing-address/", register_views.register_address, name="register_address"),
    path("register/check/", register_views.register_check, name="register_check"),
    path("register/done/", register_views.register_done, name="register_done"),
    path("sign-in/activate/", letter_views.activate, name="activate"),
    path("sign-in/second-factor/", second_factor_views.second_factor, name="second_factor"),
    path(
        "sign-in/second-factor/recovery-code/",
        second_factor_views.second_factor_recovery,
        name="second_factor_recovery",
    ),
    path(
        "sign-in/second-factor/set-up/",
        second_factor_views.enrol_second_factor,
        name="enrol_second_factor",
    ),
    path(
        "sign-in/second-factor/set-up/authenticator-app/",
        second_factor_views.enrol_app_at_gate,
        name="enrol_app_at_gate",
    ),
    path(
        "sign-in/second-factor/set-up/passkey/",
        second_factor_views.enrol_passkey_at_gate,
        name="enrol_passkey_at_gate",
    ),
    path("sign-in/terms/", views.accept_terms, name="accept_terms"),
    path("sign-in/npi/", views.renew_npi, name="renew_npi"),
    path("sign-in/confirm-email/", views.confirm_email, name="confirm_email"),
    path("sign-in/moved-account/", views.port_account, name="port_account"),
    path("sign-in/new-password/", views.new_password, name="new_password"),
    path("mailroom/", letter_views.mailroom, name="mailroom"),
    path("mailroom/print/", letter_views.print_pending, name="mailroom_print"),
    path("mailroom/letters/<uuid:code>/reprint/", letter_views.reprint, name="mailroom_reprint"),
    path(
        "mailroom/batches/<int:batch_id>/mailed/", letter_views.mark_mailed, name="mailroom_mailed"
    ),
    path("forgot-password/", recovery_views.forgot_password, name="forgot_password"),
    path(
        "forgot-password/questions/", recovery_views.recovery_questions, name="recovery_questions"
    ),
    path("forgot-password/sent/", recovery_views.recovery_sent, name="recovery_sent"),
    path("forgot-password/reset/", recovery_views.reset, name="recovery_reset"),
    path("organization/accounts/", manage_views.manage_accounts, name="manage_accounts"),
    path(
        "organization/second-factor/",
        manage_views.organization_second_factor,
        name="manage_second_factor",
    ),
    path("organization/accounts/<uuid:code>/", manage_views.manage_account, name="manage_account"),
    path(
        "organization/accounts/<uuid:code>/details/",
        manage_views.edit_account_details,
        name="manage_account_details",
    ),
    path(
        "organization/accounts/<uuid:code>/privileges/",
        manage_views.edit_privileges,
        name="manage_account_privileges",
    ),
    path(
        "organization/accounts/<uuid:code>/<slug:action>/",
        manage_views.account_action,
        name="manage_account_action",
    ),
    path("session/keep-alive/", views.keep_alive, name="keep_alive"),
    path("account/", views.my_account, name="my_account"),
    path("account/details/", views.edit_my_details, name="my_details"),
    path("account/password/", views.change_my_password, name="my_password"),
    path(
        "account/security-questions/", views.change_security_questions, name="my_security_questions"
    ),
    path(
        "account/second-factor/authenticator-app/",
        second_factor_views.my_add_app,
        name="my_add_app",
    ),
    path(
        "account/second-factor/passkey/", second_factor_views.my_add_passkey, name="my_add_passkey"
    ),
    path(
        "account/second-factor/recovery-codes/",
        second_factor_views.my_recovery_codes,
        name="my_recovery_codes",
    ),
    path(
        "account/second-factor/<slug:kind>/<int:pk>/remove/",
        second_factor_views.my_remove_factor,
        name="my_remove_factor",
    ),
]
