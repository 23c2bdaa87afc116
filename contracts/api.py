"""GET /api/v1/contracts/payment-times: how quickly each commissioner pays, no sign-in, no
personal data, figures withheld where a commissioner has paid fewer than SMALL_NUMBER claims."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from contracts.selectors import PAYMENT_RULE_DAYS, SMALL_NUMBER, payment_times, payment_times_by_contract

router = Router(tags=["Payments"])


class PaymentTimesOut(Schema):
    commissioner: str = Field(..., description="The area whose commissioners run the contracts")
    claims_paid: int | None = Field(None, description=f"Claims paid; null when fewer than {SMALL_NUMBER}")
    within_30_days_percent: Decimal | None = Field(
        None, description=f"Share of paid claims paid within {PAYMENT_RULE_DAYS} days of being sent; null when withheld"
    )
    median_days: Decimal | None = Field(None, description="Median days from a claim being sent to its payment")
    suppressed: bool = Field(..., description=f"True when fewer than {SMALL_NUMBER} claims were paid")


@router.get("/payment-times", response=list[PaymentTimesOut], auth=None, summary="How quickly commissioners pay")
def payment_times_api(request: HttpRequest):
    return payment_times()


class ContractPaymentTimesOut(PaymentTimesOut):
    contract_id: int = Field(..., description="The contract, as in /api/v1/public/contracts")
    contract: str = Field(..., description="The contract's title")


@router.get(
    "/payment-times/by-contract",
    response=list[ContractPaymentTimesOut],
    auth=None,
    summary="How quickly each contract's claims are paid",
)
def payment_times_by_contract_api(request: HttpRequest):
    return payment_times_by_contract()
