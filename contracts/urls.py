"""The contracts register and each contract's pages, under /contracts/."""

from django.urls import path

from contracts import (
    views,
    views_claims,
    views_documents,
    views_find,
    views_payments,
    views_supply_chain,
    views_versions,
)

app_name = "contracts"
urlpatterns = [
    path("", views.register, name="register"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/manager/<str:side>/", views_versions.manager, name="manager"),
    path("<id:pk>/changes/new/", views_versions.variation_start, name="variation-start"),
    path("<id:pk>/changes/<id:number>/", views_versions.version, name="version"),
    path("<id:pk>/changes/<id:number>/end-date/", views_versions.variation_end_date, name="variation-end-date"),
    path("<id:pk>/changes/<id:number>/years/", views_versions.variation_years, name="variation-years"),
    path("<id:pk>/changes/<id:number>/areas/", views_versions.variation_areas, name="variation-areas"),
    path("<id:pk>/changes/<id:number>/partners/", views_versions.variation_partners, name="variation-partners"),
    path("<id:pk>/changes/<id:number>/payment/", views_versions.variation_payment, name="variation-payment"),
    path("<id:pk>/changes/<id:number>/propose/", views_versions.variation_propose, name="variation-propose"),
    path("<id:pk>/changes/<id:number>/approve/", views_versions.variation_approve, name="variation-approve"),
    path("<id:pk>/changes/<id:number>/accept/", views_versions.variation_accept, name="variation-accept"),
    path("<id:pk>/changes/<id:number>/decline/", views_versions.variation_decline, name="variation-decline"),
    path("<id:pk>/extend/", views_versions.extend, name="extend"),
    path("<id:pk>/terminate/", views_versions.terminate, name="terminate"),
    path("<id:pk>/eligibility/", views_find.eligibility, name="eligibility"),
    path("find-services/", views_find.find_services, name="find-services"),
    path("<id:pk>/payments/", views_payments.payments, name="payments"),
    path("<id:pk>/payments/new/", views_payments.claim_new, name="claim-new"),
    path("<id:pk>/payments/<id:claim_id>/", views_payments.claim, name="claim"),
    path("<id:pk>/payments/<id:claim_id>/approve/", views_payments.claim_approve, name="claim-approve"),
    path("<id:pk>/payments/<id:claim_id>/query/", views_payments.claim_query, name="claim-query"),
    path("<id:pk>/payments/<id:claim_id>/send-again/", views_payments.claim_resend, name="claim-resend"),
    path("<id:pk>/payments/<id:claim_id>/correct/", views_payments.claim_correct, name="claim-correct"),
    path("<id:pk>/payments/<id:claim_id>/paid/", views_payments.claim_paid, name="claim-paid"),
    path("claims/", views_claims.claims_to_decide, name="claims-to-decide"),
    path("owed/", views_claims.owed, name="owed"),
    path("<id:pk>/supply-chain/", views_supply_chain.supply_chain_page, name="supply-chain"),
    path("<id:pk>/supply-chain/new/", views_supply_chain.partner_payment_new, name="partner-payment-new"),
    path(
        "<id:pk>/supply-chain/<id:payment_id>/correct/",
        views_supply_chain.partner_payment_correct,
        name="partner-payment-correct",
    ),
    path("<id:pk>/documents/new/", views_documents.document_new, name="document-new"),
    path("<id:pk>/documents/<id:document_id>/", views_documents.document_download, name="document-download"),
    path(
        "<id:pk>/documents/<id:document_id>/withdraw/",
        views_documents.document_withdraw,
        name="document-withdraw",
    ),
    path("payment-times/", views_payments.payment_times_page, name="payment-times"),
    path("payment-times.csv", views_payments.payment_times_csv, name="payment-times-csv"),
    path("from-award/<id:award_id>/", views.create_for_award, name="create-for-award"),
]
